"""The planner's pages: planning a day from the suggestions, the plan with its legs and reordering,
cancelling, the calendar and its double bookings, the district's settings, and what BLOs see."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.campaign.clock import campaign_today
from app.extensions import db
from app.inspections import services
from app.inspections.models import Inspection, InspectionSettings, InspectionStatus
from app.models import Constituency, Part
from tests.conftest import hindi
from tests.inspections.support import bhopal, part, plan, user

HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _from_no_inspections(without_seeded_inspections):
    """These tests count inspections and read an empty calendar: the demo's seeded ones go."""
    return without_seeded_inspections


def _count() -> int:
    return db.session.scalar(select(func.count(Inspection.id)))


def _today(app):
    with app.app_context():
        return campaign_today()


def _form(app, client, url="/inspections/new?radius_km=80") -> tuple[str, dict]:
    """The plan page and the fields its form would send, nothing ticked."""
    html = client.get(url).get_data(as_text=True)
    token = re.search(r'name="form_token" value="([^"]+)"', html)[1]
    csrf = re.search(r'"X-CSRFToken": "([^"]+)"', html)[1]
    return html, {
        "csrf_token": csrf,
        "form_token": token,
        "day": _today(app).isoformat(),
        "start": "hq",
        "radius_km": "80",
        "return_to_start": ["0", "1"],
    }


def _ids(app, places) -> list[str]:
    with app.app_context():
        return [str(part(ac, n).id) for ac, n in places]


def _inspector_id(app, login="collector.bhopal") -> str:
    with app.app_context():
        return str(user(login).id)


def test_the_plan_page_suggests_parts_with_why_and_km(app, client, auth):
    auth.login("collector.bhopal")
    response = client.get("/inspections/new?radius_km=80")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in html
    assert "District headquarters" in html
    with app.test_request_context():
        found = services.suggestions(
            Part.district_id == bhopal().id,
            (bhopal().hq_lat, bhopal().hq_lon),
            campaign_today(),
            None,
            services.settings_for(bhopal().id),
            80,
        )
        assert found
        first = found[0]
        km = f"{first.km:.1f} km"
        label = f"{first.line.ac_number}-{first.part.number}"
    ticks = re.findall(r'name="part_id" value="(\d+)"', html)
    assert len(ticks) == len(found) and ticks[0] == str(first.part_id)
    assert km in html and label in html
    assert "Never inspected" in html  # nothing was ever inspected in the demo
    assert 'class="inspection-map"' in html

    # Changing the radius refreshes the list only: the fragment, without the page around it.
    fragment = client.get("/inspections/new?radius_km=1", headers=HX)
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in text
    assert text.lstrip().startswith('<div id="plan-stops"')
    assert len(re.findall(r'name="part_id"', text)) < len(found)


def test_any_part_of_the_district_is_found_and_added(app, client, auth):
    auth.login("collector.bhopal")
    found = client.get("/inspections/new?q=2-3", headers=HX).get_data(as_text=True)
    assert found.lstrip().startswith('<div id="part-search-results"')
    (part_id,) = _ids(app, [(2, 3)])
    assert f"add={part_id}" in found and "2-3" in found
    elsewhere = client.get("/inspections/new?q=5-1", headers=HX).get_data(as_text=True)
    assert "No part of the district matches" in elsewhere and "add=" not in elsewhere
    # Added far outside the radius: it joins the ticked parts.
    added = client.get(f"/inspections/new?radius_km=1&add={part_id}", headers=HX).get_data(as_text=True)
    assert re.search(rf'name="part_id" value="{part_id}" checked', added)
    assert "Also chosen" in added


def test_a_plan_is_saved_once_in_the_shortest_order_with_why(app, client, auth):
    auth.login("collector.bhopal")
    _, data = _form(app, client)
    chosen = _ids(app, [(1, 1), (1, 2), (1, 3), (2, 1)])
    data |= {"inspector_id": _inspector_id(app, "ero.1"), "part_id": chosen, "note": "Check form stock"}
    first = client.post("/inspections/new", data=data)
    assert first.status_code == 303
    again = client.post("/inspections/new", data=data)  # a double tap
    assert again.headers["Location"] == first.headers["Location"]
    with app.app_context():
        assert _count() == 1
        inspection = db.session.scalar(select(Inspection))
        assert first.headers["Location"].endswith(f"/inspections/{inspection.id}")
        assert inspection.inspector_id == user("ero.1").id and inspection.note == "Check form stock"
        assert {str(s.part_id) for s in inspection.stops} == set(chosen)
        assert all(s.reasons for s in inspection.stops)  # every suggested stop keeps why
        assert inspection.start_label == "" and inspection.return_to_start
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "Inspection planned for" in page


def _many_parts(app, count: int) -> list[str]:
    """More parts of Bhopal than the demo has, to go past the limit of stops."""
    with app.app_context():
        ac = db.session.scalar(select(Constituency).where(Constituency.number == 1))
        parts = [
            Part(
                constituency_id=ac.id,
                district_id=ac.district_id,
                number=500 + i,
                name_en=f"Extra school {i}",
                name_hi=f"अतिरिक्त शाला {i}",
                lat=23.2 + i / 200,
                lon=77.4 + i / 300,
                electors=900,
            )
            for i in range(count)
        ]
        db.session.add_all(parts)
        db.session.commit()
        return [str(p.id) for p in parts]


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("bad_day", "is not a date"),
        ("yesterday", "Choose a day from today"),
        ("no_stops", "Choose at least one part to visit."),
        ("too_many", "At most 25 stops in one inspection."),
        ("other_district", "Choose parts of this district from the list."),
        ("no_start", "Give the start point"),
    ],
)
def test_a_refused_plan_says_why_and_saves_nothing(app, client, auth, case, message):
    auth.login("collector.bhopal")
    _, data = _form(app, client)
    data |= {"inspector_id": _inspector_id(app), "part_id": _ids(app, [(1, 1), (1, 2)])}
    if case == "bad_day":
        data["day"] = "2026-02-31"
    elif case == "yesterday":
        data["day"] = (_today(app) - timedelta(days=1)).isoformat()
    elif case == "no_stops":
        data.pop("part_id")
    elif case == "too_many":
        data["part_id"] = _ids(app, [(1, n) for n in range(1, 7)]) + _many_parts(app, 20)
        assert len(data["part_id"]) == 26
    elif case == "other_district":
        data["part_id"] = _ids(app, [(1, 1), (5, 1)])
    elif case == "no_start":
        data["start"] = "map"
    response = client.post("/inspections/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and "Nothing was saved" in html
    with app.app_context():
        assert _count() == 0


def test_a_start_point_of_ones_own_is_kept_with_its_name(app, client, auth):
    auth.login("collector.bhopal")
    _, data = _form(app, client)
    data |= {
        "inspector_id": _inspector_id(app),
        "part_id": _ids(app, [(1, 1), (1, 2)]),
        "start": "here",
        "start_lat": "23.2500",
        "start_lon": "77.4000",
        "start_label": "Tehsil office",
    }
    assert client.post("/inspections/new", data=data).status_code == 303
    with app.app_context():
        inspection = db.session.scalar(select(Inspection))
        assert (inspection.start_lat, inspection.start_lon) == (23.25, 77.4)
        assert inspection.start_label == "Tehsil office"


def test_the_plan_shows_each_leg_the_total_and_the_map(app, client, auth):
    with app.test_request_context():
        inspection = plan([part(1, n) for n in (1, 2, 3)])
        route = services.plan_of(inspection, services.settings_for(inspection.district_id))
        url = f"/inspections/{inspection.id}"
        total = f"{route.total_km:.1f} km"
        first_leg = f"{route.legs[0].km:.1f} km"
    auth.login("collector.bhopal")
    html = client.get(url).get_data(as_text=True)
    assert total in html and first_leg in html
    assert "30 km an hour" in html and "× 1.3" in html
    assert 'data-mode="route"' in html and "Back at the start" in html
    assert "Put back in the shortest order" not in html  # it is the shortest already
    fragment = client.get(url, headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and fragment.lstrip().startswith('<div id="plan"')


def test_moving_a_stop_updates_the_figures_and_a_stale_page_gets_409(app, client, auth):
    with app.test_request_context():
        inspection = plan([part(1, n) for n in (1, 2, 3, 4)])
        inspection_id, version = inspection.id, inspection.version
        first = inspection.stops[0]
        first_id, first_part = first.id, first.part_id
        best = services.plan_and_shortest(inspection, services.settings_for(inspection.district_id))[1]
    auth.login("collector.bhopal")
    token = auth.token(f"/inspections/{inspection_id}")
    url = f"/inspections/{inspection_id}/stops/{first_id}/move"
    response = client.post(
        url, data={"csrf_token": token, "version": version, "direction": "down"}, headers=HX
    )
    assert response.status_code == 200 and "The order is changed." in response.get_data(as_text=True)
    with app.app_context():
        middle = db.session.get(Inspection, inspection_id)
        assert middle.stops[1].part_id == first_part
        middle_version = middle.version
    response = client.post(  # and down once more: the first stop is now third
        url, data={"csrf_token": token, "version": middle_version, "direction": "down"}, headers=HX
    )
    html = response.get_data(as_text=True)
    with app.app_context():
        inspection = db.session.get(Inspection, inspection_id)
        assert inspection.stops[2].part_id == first_part
        moved = services.plan_of(inspection, services.settings_for(inspection.district_id))
        assert moved.total_km > best
        assert f"{moved.total_km:.1f} km" in html
        assert f"The shortest order would be {best:.1f} km" in html
        new_version = inspection.version
    assert new_version != version

    stale = client.post(url, data={"csrf_token": token, "version": version, "direction": "down"}, headers=HX)
    assert stale.status_code == 409
    assert "Someone changed this inspection a moment ago" in stale.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Inspection, inspection_id).stops[2].part_id == first_part  # unchanged

    back = client.post(
        f"/inspections/{inspection_id}/shortest",
        data={"csrf_token": token, "version": new_version},
        headers=HX,
    )
    assert back.status_code == 200 and "back in the shortest order" in back.get_data(as_text=True)
    with app.app_context():
        inspection = db.session.get(Inspection, inspection_id)
        assert services.plan_of(inspection, services.settings_for(inspection.district_id)).total_km == (
            pytest.approx(best)
        )

    missing = client.post(f"/inspections/{inspection_id}/shortest", data={"csrf_token": token})
    assert missing.status_code == 422


def test_the_inspector_may_reorder_their_own_plan_and_not_cancel_it(app, client, auth):
    with app.test_request_context():
        inspection = plan([part(1, 1), part(1, 2), part(1, 3)], inspector="ero.1")
        inspection_id, version, stop_id = inspection.id, inspection.version, inspection.stops[0].id
    auth.login("ero.1")
    token = auth.token(f"/inspections/{inspection_id}")
    moved = client.post(
        f"/inspections/{inspection_id}/stops/{stop_id}/move",
        data={"csrf_token": token, "version": version, "direction": "down"},
    )
    assert moved.status_code == 303
    assert client.post(f"/inspections/{inspection_id}/cancel", data={"csrf_token": token}).status_code == 403


def test_cancelling_keeps_it_on_the_calendar_as_cancelled(app, client, auth):
    with app.test_request_context():
        inspection = plan([part(1, 1), part(1, 2)])
        inspection_id, version = inspection.id, inspection.version
    auth.login("collector.bhopal")
    token = auth.token(f"/inspections/{inspection_id}")
    page = client.get(f"/inspections/{inspection_id}").get_data(as_text=True)
    assert "hx-confirm=" in page  # asked before it is done
    response = client.post(
        f"/inspections/{inspection_id}/cancel", data={"csrf_token": token, "version": version}, headers=HX
    )
    assert response.status_code == 200 and "The inspection is cancelled." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Inspection, inspection_id).status == InspectionStatus.CANCELLED
    again = client.post(
        f"/inspections/{inspection_id}/cancel", data={"csrf_token": token, "version": version + 1}, headers=HX
    )
    assert again.status_code == 409
    assert "Cancelled" in client.get("/inspections/").get_data(as_text=True)


def test_booking_an_inspector_twice_warns_on_the_plan_and_the_calendar(app, client, auth):
    with app.test_request_context():
        first = plan([part(1, 1)], inspector="ero.1")
        second = plan([part(1, 2)], inspector="ero.1")
        other_day = plan([part(1, 3)], inspector="ero.1", day=campaign_today() + timedelta(days=1))
        ids = first.id, second.id, other_day.id
    auth.login("collector.bhopal")
    page = client.get(f"/inspections/{ids[1]}").get_data(as_text=True)
    assert "Booked twice" in page and f"/inspections/{ids[0]}" in page
    assert "Booked twice" not in client.get(f"/inspections/{ids[2]}").get_data(as_text=True)
    calendar = client.get("/inspections/").get_data(as_text=True)
    assert calendar.count('class="insp-doubled">booked twice<') == 2  # one mark per row of the two
    assert "2 booked on a day their inspector has another" in calendar
    # The plan page warns before a third is planned that day.
    warned = client.get(f"/inspections/new?inspector_id={_inspector_id(app, 'ero.1')}", headers=HX)
    assert "already has an inspection that day" in warned.get_data(as_text=True)


def test_the_calendar_by_day_and_by_inspector(app, client, auth):
    with app.test_request_context():
        plan([part(1, 1), part(1, 2)], inspector="ero.1")
        plan([part(1, 3)], day=campaign_today() + timedelta(days=3))
        far = plan([part(1, 4)], day=campaign_today() + timedelta(days=40))
        far_id = far.id
    auth.login("collector.bhopal")
    page = client.get("/inspections/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "2 inspections from" in html
    assert f"/inspections/{far_id}" not in html  # past the next 14 days
    fragment = client.get("/inspections/?sort=inspector", headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="calendar"') and "<html" not in fragment
    assert "<h2>Rajesh" in fragment or "Collector" in fragment
    today = _today(app)
    wide = client.get(f"/inspections/?last={(today + timedelta(days=60)).isoformat()}")
    assert f"/inspections/{far_id}" in wide.get_data(as_text=True)
    assert client.get("/inspections/?first=tomorrow").status_code == 400
    assert client.get("/inspections/?sort=nonsense").status_code == 400
    late = (today - timedelta(days=1)).isoformat()
    assert client.get(f"/inspections/?last={late}&first={today.isoformat()}").status_code == 400


def test_scope_a_collector_elsewhere_and_an_ero_see_only_their_own(app, client, auth):
    with app.test_request_context():
        collectors = plan([part(1, 1), part(1, 2)])
        eros = plan([part(1, 3)], inspector="ero.1")
        ids = collectors.id, eros.id
    auth.login("collector.raisen")
    assert client.get(f"/inspections/{ids[0]}").status_code == 403
    assert f"/inspections/{ids[0]}" not in client.get("/inspections/").get_data(as_text=True)
    assert client.get("/inspections/999999").status_code == 404
    auth.logout()
    auth.login("ero.1")
    assert client.get(f"/inspections/{ids[1]}").status_code == 200
    assert client.get(f"/inspections/{ids[0]}").status_code == 403
    calendar = client.get("/inspections/").get_data(as_text=True)
    assert f"/inspections/{ids[1]}" in calendar and f"/inspections/{ids[0]}" not in calendar
    auth.logout()
    auth.login("state")
    bhopal_id = _district_id(app, "Bhopal")
    raisen_id = _district_id(app, "Raisen")
    assert f"/inspections/{ids[0]}" in client.get(f"/inspections/?district_id={bhopal_id}").get_data(
        as_text=True
    )
    assert f"/inspections/{ids[0]}" not in client.get(f"/inspections/?district_id={raisen_id}").get_data(
        as_text=True
    )


def _district_id(app, name):
    with app.app_context():
        return db.session.scalar(select(services.District.id).where(services.District.name_en == name))


def test_the_settings_are_checked_and_saved(app, client, auth):
    auth.login("collector.bhopal")
    page = client.get("/inspections/settings").get_data(as_text=True)
    assert 'value="30"' in page and 'value="130"' in page
    token = auth.token("/inspections/settings")
    good = {
        "csrf_token": token,
        "road_speed_kmh": "25",
        "road_factor_percent": "140",
        "figure_threshold_percent": "5",
        "sample_threshold_percent": "80",
        "suggest_radius_km": "30",
        "stale_after_days": "10",
    }
    bad = client.post(
        "/inspections/settings", data=good | {"road_speed_kmh": "500", "stale_after_days": "x"}, headers=HX
    )
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "<html" not in text
    assert "Enter a whole number from 5 to 120." in text and "Enter a whole number from 1 to 90." in text
    with app.app_context():
        assert db.session.scalar(select(func.count(InspectionSettings.id))) == 0
    saved = client.post("/inspections/settings", data=good | {"blos_see_visits": "1"})
    assert saved.status_code == 303
    with app.app_context():
        settings = services.settings_for(bhopal().id)
        assert (settings.road_speed_kmh, settings.road_factor_percent, settings.blos_see_visits) == (
            25,
            140,
            True,
        )
    # The plan follows: its default radius is the district's.
    assert 'name="radius_km" value="30"' in client.get("/inspections/new").get_data(as_text=True)


def test_the_settings_and_the_planner_read_devanagari_digits_like_latin_ones(app, client, auth):
    """The shared fields (app/forms.py) read "२५" as 25 here too, as the visit form always did."""
    auth.login("collector.bhopal")
    token = auth.token("/inspections/settings")
    sent = {
        "csrf_token": token,
        "road_speed_kmh": "२५",
        "road_factor_percent": "१४०",
        "figure_threshold_percent": "5",
        "sample_threshold_percent": "80",
        "suggest_radius_km": "३०",
        "stale_after_days": "10",
    }
    assert client.post("/inspections/settings", data=sent).status_code == 303
    with app.app_context():
        settings = services.settings_for(bhopal().id)
        assert (settings.road_speed_kmh, settings.road_factor_percent, settings.suggest_radius_km) == (
            25,
            140,
            30,
        )
    page = client.get("/inspections/new", query_string={"radius_km": "४०"}).get_data(as_text=True)
    assert "Enter a whole number of km" not in page and 'name="radius_km" value="४०"' in page


def test_a_blo_sees_upcoming_visits_only_when_the_district_allows(app, client, auth):
    with app.test_request_context():
        plan([part(1, 1)], inspector="ero.1", day=campaign_today() + timedelta(days=2))
    auth.login("blo.1.1")
    assert "Inspection visits coming" not in client.get("/").get_data(as_text=True)
    with app.test_request_context():
        values = {name: getattr(services.Settings(), name) for name in services.SETTING_LIMITS}
        services.save_settings(user("collector.bhopal"), bhopal().id, values | {"blos_see_visits": True})
        db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert "Inspection visits coming" in home and "part 1-1" in home
    auth.logout()
    auth.login("blo.1.2")
    assert "Inspection visits coming" not in client.get("/").get_data(as_text=True)


def test_the_planner_speaks_hindi(app, client, auth):
    auth.login("collector.bhopal", lang="hi")
    html = client.get("/inspections/new").get_data(as_text=True)
    assert hindi(app, "Plan an inspection") in html
    assert hindi(app, "District headquarters") in html
    assert hindi(app, "Never inspected") in html
    assert hindi(app, "Inspections") in client.get("/inspections/").get_data(as_text=True)
