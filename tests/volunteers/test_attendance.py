"""The volunteer's day: one-tap check-in and check-out with the distance from the booth, the hours
counted (capped), the work logged, and the history of hours."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from app.extensions import db
from app.volunteers import services
from app.volunteers.models import VisitDay
from tests.volunteers.matrix_mine import part_of
from tests.volunteers.mine_support import (
    START,
    audit_count,
    days_of,
    freeze,
    fresh,
    make_offer,
    post,
    signed_in,
)

pytestmark = pytest.mark.usefixtures("without_seeded_volunteers")


def _booth(app, ac_number=1, part_number=1):
    with app.app_context():
        part = part_of(ac_number, part_number)
        db.session.expunge(part)
        return part


def test_check_in_records_the_time_and_the_distance_from_the_booth(app):
    freeze(app, START)
    assignment = make_offer(app, accept=True)
    part = _booth(app)
    lat, lon = part.lat + 0.01, part.lon
    expected = services._distance_m(part, lat, lon)
    assert 1000 < expected < 1200
    client = signed_in(app, "vol.bhopal.1")
    response = post(client, f"/volunteers/assignments/{assignment}/check-in", lat=f"{lat}", lon=f"{lon}")
    html = response.get_data(as_text=True).replace("\u202f", " ")
    assert response.status_code == 200 and "<html" not in html
    assert "Checked in at 10:00 AM." in html
    assert f"You are {expected:,} m from the booth." in html  # Indian grouping below a lakh
    (visit,) = days_of(app, assignment)
    assert visit.check_in_at == START and visit.check_in_distance_m == expected
    assert (visit.check_in_lat, visit.check_in_lon) == (lat, lon)
    assert "Check out" in html and "Today's work" in html


def test_check_in_twice_is_one_check_in(app):
    freeze(app, START)
    assignment = make_offer(app, accept=True)
    client = signed_in(app, "vol.bhopal.1")
    assert post(client, f"/volunteers/assignments/{assignment}/check-in").status_code == 200
    freeze(app, START + timedelta(minutes=3))
    response = post(client, f"/volunteers/assignments/{assignment}/check-in")
    assert response.status_code == 200
    assert "You had already checked in at 10:00 AM." in response.get_data(as_text=True).replace("\u202f", " ")
    (visit,) = days_of(app, assignment)
    assert visit.check_in_at == START
    assert audit_count(app, "volunteer.check_in") == 1


def test_check_in_without_the_phones_position_records_the_time_alone(app):
    freeze(app, START)
    assignment = make_offer(app, accept=True)
    client = signed_in(app, "vol.bhopal.1")
    response = post(
        client, f"/volunteers/assignments/{assignment}/check-in", htmx=False, lat="", lon="not a number"
    )
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True).replace("\u202f", " ")
    assert "Checked in at 10:00 AM. No location was recorded." in html
    (visit,) = days_of(app, assignment)
    assert visit.check_in_distance_m is None and visit.check_in_lat is None


def test_the_check_in_form_asks_the_phone_for_its_position_through_the_script(app):
    freeze(app, START)
    assignment = make_offer(app, accept=True)
    client = signed_in(app, "vol.bhopal.1")
    html = client.get(f"/volunteers/assignments/{assignment}").get_data(as_text=True).replace("\u202f", " ")
    form = html.split('action="/volunteers/assignments/')[1].split("</form>")[0]
    assert "check-in" in form.split('"')[0] and "data-geolocate" in form
    assert 'name="lat" value=""' in form and 'name="lon" value=""' in form
    assert "/static/js/check-in.js" in html and "<script>" not in html
    script = app.root_path + "/../static/js/check-in.js"
    with open(script, encoding="utf-8") as handle:
        text = handle.read()
    assert "navigator.geolocation" in text and "timeout" in text


def test_check_in_is_only_for_an_accepted_assignment_on_its_days(app):
    freeze(app, START)
    offered = make_offer(app)
    later = make_offer(app, part_number=2, starts_in=2, hours=(time(15), time(17)), accept=True)
    client = signed_in(app, "vol.bhopal.1")
    response = post(client, f"/volunteers/assignments/{offered}/check-in")
    assert response.status_code == 409 and "only to an assignment you have accepted" in response.get_data(
        as_text=True
    )
    response = post(client, f"/volunteers/assignments/{later}/check-in")
    assert response.status_code == 422 and "not for today" in response.get_data(as_text=True).replace(
        "\u202f", " "
    )
    assert days_of(app, offered) == [] and days_of(app, later) == []


def test_check_out_counts_the_minutes_capped_at_eight_hours(app):
    freeze(app, START)
    assignment = make_offer(app, accept=True)
    client = signed_in(app, "vol.bhopal.1")
    response = post(client, f"/volunteers/assignments/{assignment}/check-out", confirm="1")
    assert response.status_code == 422 and "Check in first." in response.get_data(as_text=True).replace(
        "\u202f", " "
    )
    post(client, f"/volunteers/assignments/{assignment}/check-in")
    freeze(app, START + timedelta(hours=9, minutes=30))
    response = post(client, f"/volunteers/assignments/{assignment}/check-out", confirm="1")
    html = response.get_data(as_text=True).replace("\u202f", " ")
    assert response.status_code == 200
    assert "Checked out at 7:30 PM: 8 h 0 min counted today." in html
    assert "(the most counted in a day)" in html
    (visit,) = days_of(app, assignment)
    assert visit.minutes == 480
    freeze(app, START + timedelta(hours=10))
    response = post(client, f"/volunteers/assignments/{assignment}/check-out", confirm="1")
    assert "You had already checked out at 7:30 PM." in response.get_data(as_text=True).replace("\u202f", " ")
    assert days_of(app, assignment)[0].check_out_at == START + timedelta(hours=9, minutes=30)


def test_check_out_short_of_the_cap_counts_the_real_minutes(app):
    freeze(app, START)
    assignment = make_offer(app, accept=True)
    client = signed_in(app, "vol.bhopal.1")
    post(client, f"/volunteers/assignments/{assignment}/check-in")
    freeze(app, START + timedelta(hours=3, minutes=25))
    response = post(client, f"/volunteers/assignments/{assignment}/check-out", confirm="1")
    assert "3 h 25 min counted today." in response.get_data(as_text=True).replace("\u202f", " ")
    assert days_of(app, assignment)[0].minutes == 205


def _checked_in(app, client, assignment) -> int:
    post(client, f"/volunteers/assignments/{assignment}/check-in")
    return days_of(app, assignment)[0].id


def test_logging_the_work_is_validated_and_saved(app):
    freeze(app, START)
    assignment = make_offer(app, accept=True)
    client = signed_in(app, "vol.bhopal.1")
    day_id = _checked_in(app, client, assignment)
    url = f"/volunteers/days/{day_id}/work"
    for forms, electors, notes, field in (
        ("", "3", "", "forms_helped"),
        ("-1", "3", "", "forms_helped"),
        ("4", "lots", "", "electors_helped"),
        ("4", "100001", "", "electors_helped"),
        ("4", "3", "x" * 1001, "notes"),
    ):
        response = post(client, url, forms_helped=forms, electors_helped=electors, notes=notes)
        html = response.get_data(as_text=True).replace("\u202f", " ")
        assert response.status_code == 422, (forms, electors)
        assert f'id="{field}-error"' in html and "Nothing was saved" in html
        assert f'value="{forms}"' in html  # what was typed stays in the form
        visit = fresh(app, VisitDay, day_id)
        assert (visit.forms_helped, visit.electors_helped, visit.notes) == (0, 0, "")

    response = post(client, url, htmx=False, forms_helped="-1", electors_helped="3")
    assert response.status_code == 303
    assert "Give a whole number" in client.get(response.headers["Location"]).get_data(as_text=True).replace(
        "\u202f", " "
    )

    response = post(client, url, forms_helped="12", electors_helped="30", notes="Help desk at the school")
    html = response.get_data(as_text=True).replace("\u202f", " ")
    assert response.status_code == 200 and "The work of 20 Nov 2025 is saved." in html
    visit = fresh(app, VisitDay, day_id)
    assert (visit.forms_helped, visit.electors_helped, visit.notes) == (12, 30, "Help desk at the school")
    assert audit_count(app, "volunteer.log_work") == 1


def test_a_volunteer_cannot_touch_another_volunteers_day(app):
    freeze(app, START)
    theirs = make_offer(app, login="vol.bhopal.2", accept=True)
    other = signed_in(app, "vol.bhopal.2")
    day_id = _checked_in(app, other, theirs)
    client = signed_in(app, "vol.bhopal.1")
    response = post(client, f"/volunteers/days/{day_id}/work", forms_helped="5", electors_helped="5")
    assert response.status_code == 403
    assert post(client, f"/volunteers/assignments/{theirs}/check-in").status_code == 403
    assert post(client, f"/volunteers/assignments/{theirs}/check-out", confirm="1").status_code == 403
    assert fresh(app, VisitDay, day_id).forms_helped == 0 and days_of(app, theirs)[0].check_out_at is None


def test_history_shows_the_total_hours_and_each_assignments_days(app):
    freeze(app, START)
    first = make_offer(app, accept=True, days=2, hours=(time(10), time(17)))
    client = signed_in(app, "vol.bhopal.1")
    post(client, f"/volunteers/assignments/{first}/check-in")
    freeze(app, START + timedelta(hours=5, minutes=15))
    post(client, f"/volunteers/assignments/{first}/check-out", confirm="1")
    freeze(app, START + timedelta(days=1))
    post(client, f"/volunteers/assignments/{first}/check-in")
    freeze(app, START + timedelta(days=1, hours=2))
    post(client, f"/volunteers/assignments/{first}/check-out", confirm="1")
    declined = make_offer(app, part_number=2, starts_in=3)
    with app.app_context():
        from app.volunteers.models import Assignment

        offer = db.session.get(Assignment, declined)
        services.answer(offer.volunteer.user, offer, False, "Exams")
        db.session.commit()
    response = client.get("/volunteers/history")
    html = response.get_data(as_text=True).replace("\u202f", " ")
    assert response.status_code == 200 and "<html" in html
    assert "7 h 15 min" in html  # 5 h 15 min + 2 h
    assert "5 h 15 min" in html and "2 h 0 min" in html
    assert "20 Nov 2025" in html and "21 Nov 2025" in html
    assert "Declined" in html and "Exams" in html
    fragment = (
        client.get("/volunteers/history", headers={"HX-Request": "true"})
        .get_data(as_text=True)
        .replace("\u202f", " ")
    )
    assert "<html" not in fragment and 'id="history"' in fragment and "7 h 15 min" in fragment
    assert "7 h 15 min" not in signed_in(app, "vol.bhopal.2").get("/volunteers/history").get_data(
        as_text=True
    )
