"""The collector's views: coverage (list and map), who's on now with a frozen clock, the figures
by organisation and institution, and the volunteers' downloads."""

from __future__ import annotations

import csv
import io
import re
from datetime import time, timedelta

import openpyxl
from sqlalchemy import select

from app.extensions import db
from app.models import Constituency
from app.volunteers.figures import Moment, hours_by_organisation, on_now_counts
from app.volunteers.models import Attendance, OfferStatus, Organisation
from tests.volunteers.views_support import (
    assignment,
    at,
    clean_slate,
    freeze_at,
    part_of,
    visit,
    volunteer,
)

BOM = b"\xef\xbb\xbf"


def _ac_id(app, number: int) -> int:
    with app.app_context():
        return db.session.scalar(select(Constituency.id).where(Constituency.number == number))


def _rows(html: str, css_class: str) -> list[str]:
    return re.findall(rf'<tr id="part-(\d+)" class="{css_class}">', html)


# -- coverage -----------------------------------------------------------------------------------


def _coverage_data(app):
    """Part 1-1 has help today; 1-2's help ended yesterday; 1-3 has only an offer, 1-4 a decline."""
    clean_slate(app)
    with app.app_context():
        from app.campaign.clock import campaign_today

        today = campaign_today()
        parts = {n: part_of(1, n) for n in range(1, 7)}
        assignment(
            volunteer("vol.bhopal.7"), parts[1], days=(today - timedelta(days=1), today + timedelta(days=1))
        )
        assignment(volunteer("vol.bhopal.8"), parts[1])  # two on one part: still one part with help
        assignment(
            volunteer("vol.bhopal.9"), parts[2], days=(today - timedelta(days=3), today - timedelta(days=1))
        )
        assignment(volunteer("vol.bhopal.10"), parts[3], status=OfferStatus.OFFERED)
        assignment(volunteer("vol.bhopal.11"), parts[4], status=OfferStatus.DECLINED)
        db.session.commit()
        return {n: part.id for n, part in parts.items()}


def test_coverage_counts_lists_and_filters_parts_with_and_without_help(app, client, auth):
    parts = _coverage_data(app)
    auth.login("collector.bhopal")
    ac1 = _ac_id(app, 1)
    html = client.get(f"/volunteers/coverage?constituency_id={ac1}").get_data(as_text=True)
    assert re.search(r"<span>Parts</span><strong>6</strong>", html)
    assert re.search(r"<span>With a volunteer</span><strong>1</strong>", html)
    assert re.search(r"<span>Without a volunteer</span><strong>5</strong>", html)
    assert _rows(html, "has-help") == [str(parts[1])]
    assert sorted(_rows(html, "no-help")) == sorted(str(parts[n]) for n in range(2, 7))

    helped = client.get(f"/volunteers/coverage?constituency_id={ac1}&filter=with").get_data(as_text=True)
    assert _rows(helped, "has-help") == [str(parts[1])] and _rows(helped, "no-help") == []
    assert re.search(rf'<tr id="part-{parts[1]}" class="has-help">.*?<td class="num">2</td>', helped, re.S)

    response = client.get(
        f"/volunteers/coverage?constituency_id={ac1}&filter=without", headers={"HX-Request": "true"}
    )
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in fragment and 'id="coverage"' in fragment
    assert _rows(fragment, "has-help") == [] and len(_rows(fragment, "no-help")) == 5

    # The whole district: both ACs, the map's address narrowed alike.
    district = client.get("/volunteers/coverage").get_data(as_text=True)
    assert re.search(r"<span>Parts</span><strong>12</strong>", district)
    assert 'data-points-url="/volunteers/coverage/data.json"' in district
    assert client.get("/volunteers/coverage?filter=sometimes").status_code == 400


def test_the_coverage_map_colours_parts_with_and_without_help(app, client, auth):
    parts = _coverage_data(app)
    auth.login("ero.1")
    payload = client.get("/volunteers/coverage/data.json").get_json()
    assert payload["parts"] == 6 and payload["with_help"] == 1
    bands = {point["id"]: point["band"] for point in payload["points"]}
    assert bands == {parts[1]: "help-yes", **{parts[n]: "help-no" for n in range(2, 7)}}
    helped = next(point for point in payload["points"] if point["id"] == parts[1])
    assert helped["helpers"] == 2 and helped["detail"] == "2 volunteers on the day"
    assert helped["label"] == "1-1" and helped["url"].endswith(f"/parts/{parts[1]}")


def test_the_state_office_chooses_a_district_first(app, client, auth):
    _coverage_data(app)
    auth.login("state")
    html = client.get("/volunteers/coverage").get_data(as_text=True)
    assert "Choose a district to see its parts." in html and "part-map" not in html
    assert client.get("/volunteers/coverage/data.json").status_code == 400
    with app.app_context():
        from app.models import District

        bhopal = db.session.scalar(select(District.id).where(District.name_en == "Bhopal"))
    chosen = client.get(f"/volunteers/coverage?district_id={bhopal}").get_data(as_text=True)
    assert re.search(r"<span>With a volunteer</span><strong>1</strong>", chosen)


# -- who's on now -------------------------------------------------------------------------------


def _on_now_data(app):
    """At 10:30: A on since 09:05; B due at 11:00; C on since 07:02 and leaving at 11:15; D due at
    noon (not soon); E came and left; F only offered at 11:00; G due at 11:10 in AC 2."""
    clean_slate(app)
    today, local = freeze_at(app, 10, 30)
    with app.app_context():
        names = {}

        def made(key, login, part, status=OfferStatus.ACCEPTED, hours=(time(9), time(17))):
            who = volunteer(login, name=f"Volunteer {key}", mobile=f"77700000{ord(key) - 60:02d}")
            names[key] = who.name
            return assignment(who, part, status=status, hours=hours)

        a = made("A", "vol.bhopal.7", part_of(1, 1))
        visit(a, today, check_in=at(today, 9, 5))
        made("B", "vol.bhopal.8", part_of(1, 2), hours=(time(11), time(15)))
        c = made("C", "vol.bhopal.9", part_of(1, 3), hours=(time(7), time(11, 15)))
        visit(c, today, check_in=at(today, 7, 2))
        made("D", "vol.bhopal.10", part_of(1, 4), hours=(time(12), time(16)))
        e = made("E", "vol.bhopal.11", part_of(1, 5), hours=(time(6), time(10)))
        visit(e, today, check_in=at(today, 6, 0), check_out=at(today, 10, 0), minutes=240)
        made("F", "vol.bhopal.12", part_of(1, 6), status=OfferStatus.OFFERED, hours=(time(11), time(14)))
        made("G", "vol.bhopal.13", part_of(2, 1), hours=(time(11, 10), time(15)))
        db.session.commit()
    return today, local


def _names(html: str) -> set[str]:
    return set(re.findall(r"<strong>Volunteer ([A-G])</strong>", html))


def test_on_now_counts_per_ac_with_a_frozen_clock(app):
    today, local = _on_now_data(app)
    with app.test_request_context():
        from app.models import User
        from app.scope import Scope
        from app.volunteers.models import Assignment

        collector = db.session.scalar(select(User).where(User.login == "collector.bhopal"))
        scope = Scope(collector)
        acs = list(db.session.scalars(scope.constituencies().order_by(Constituency.number)))
        counts = {
            row.constituency.number: (row.on_now, row.arriving, row.leaving)
            for row in on_now_counts(Moment.of(local), acs, scope.of(Assignment))
        }
    assert counts == {1: (2, 1, 1), 2: (0, 1, 0)}


def test_who_is_on_now_arriving_and_leaving(app, client, auth):
    _on_now_data(app)
    auth.login("collector.bhopal")
    html = client.get("/volunteers/on-now").get_data(as_text=True)
    assert "10:30 campaign time" in html
    assert _names(html) == {"A", "B", "C", "G"}
    assert re.search(
        r"<td>1 [^<]*</td>\s*<td class=\"num\">2</td><td class=\"num\">1</td><td class=\"num\">1</td>", html
    )
    assert _names(client.get("/volunteers/on-now?filter=on_now").get_data(as_text=True)) == {"A", "C"}
    assert _names(client.get("/volunteers/on-now?filter=arriving").get_data(as_text=True)) == {"B", "G"}
    response = client.get("/volunteers/on-now?filter=leaving", headers={"HX-Request": "true"})
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment and 'id="on-now"' in fragment and _names(fragment) == {"C"}
    # The collector may call them; the ERO sees only AC 1.
    assert 'href="tel:+917770000005"' in html  # A
    auth.logout()
    auth.login("ero.1")
    ero = client.get("/volunteers/on-now").get_data(as_text=True)
    assert _names(ero) == {"A", "B", "C"} and "tel:+91777000000" in ero


def test_on_now_hides_the_mobile_from_the_supervisor_and_the_state(app, client, auth):
    _on_now_data(app)
    with app.app_context():
        from app.models import District

        bhopal = db.session.scalar(select(District.id).where(District.name_en == "Bhopal"))
    for login, url in (
        ("sup.1.1", "/volunteers/on-now"),
        ("state", f"/volunteers/on-now?district_id={bhopal}"),
    ):
        auth.login(login)
        html = client.get(url).get_data(as_text=True)
        assert _names(html) >= {"A", "C"}, login
        assert "tel:" not in html and "777000000" not in html, login
        auth.logout()


# -- figures ------------------------------------------------------------------------------------


def _figures_data(app):
    """NSS unit X: 3 days (120 + 300 minutes worked, one no-show), NCC Y: 1 day of 90 minutes;
    offers: NSS 2 accepted, 1 declined; NCC 1 accepted, 1 expired."""
    clean_slate(app)
    with app.app_context():
        from app.campaign.clock import campaign_today

        today = campaign_today()
        nss = volunteer("vol.bhopal.7", organisation=Organisation.NSS, institution="NSS unit X")
        nss2 = volunteer("vol.bhopal.8", organisation=Organisation.NSS, institution="NSS unit X")
        ncc = volunteer("vol.bhopal.9", organisation=Organisation.NCC, institution="NCC battalion Y")
        first = assignment(nss, part_of(1, 1), days=(today - timedelta(days=2), today))
        visit(first, today - timedelta(days=2), at(today, 9), at(today, 11), 120, Attendance.CONFIRMED)
        visit(first, today - timedelta(days=1), attendance=Attendance.NO_SHOW)
        second = assignment(nss2, part_of(1, 2), days=(today - timedelta(days=1), today))
        visit(second, today - timedelta(days=1), at(today, 9), at(today, 14), 300, None)
        assignment(nss2, part_of(1, 3), status=OfferStatus.DECLINED, days=(today, today))
        third = assignment(ncc, part_of(2, 1), days=(today, today))
        visit(third, today, at(today, 9), at(today, 10, 30), 90, Attendance.CONFIRMED)
        assignment(ncc, part_of(2, 2), status=OfferStatus.EXPIRED, days=(today, today))
        db.session.commit()


def test_figures_sum_hours_days_and_no_shows_by_organisation(app):
    _figures_data(app)
    with app.test_request_context():
        from app.models import User
        from app.scope import Scope
        from app.volunteers.models import Assignment, VisitDay

        scope = Scope(db.session.scalar(select(User).where(User.login == "collector.bhopal")))
        rows = {
            row.organisation: row for row in hours_by_organisation(scope.of(VisitDay), scope.of(Assignment))
        }
    assert set(rows) == {Organisation.NSS, Organisation.NCC}
    nss, ncc = rows[Organisation.NSS], rows[Organisation.NCC]
    assert (nss.minutes, nss.days, nss.recorded, nss.no_shows, nss.volunteers) == (420, 2, 2, 1, 2)
    assert nss.hours == 7 and nss.no_show_rate == 50
    assert (nss.accepted, nss.declined, nss.expired) == (2, 1, 0)
    assert (ncc.minutes, ncc.days, ncc.no_shows, ncc.no_show_rate) == (90, 1, 0, 0)
    assert (ncc.accepted, ncc.declined, ncc.expired) == (1, 0, 1)


def test_the_figures_page_by_organisation_and_institution(app, client, auth):
    _figures_data(app)
    auth.login("collector.bhopal")
    html = client.get("/volunteers/figures").get_data(as_text=True)
    nss = re.search(r'<tr id="organisation-nss">(.*?)</tr>', html, re.S)[1]
    assert re.findall(r'<td class="num">([^<]*)</td>', nss) == ["2", "7.0", "2", "1", "50.0 %", "2", "1", "0"]
    assert re.search(r"<span>Hours worked</span><strong>8.5</strong>", html)
    assert re.search(r"<span>No-show rate</span><strong>33.3 %</strong>", html)
    institutions = html.split("By institution")[-1]
    assert institutions.index("NSS unit X") < institutions.index("NCC battalion Y")  # most hours first
    assert "/exports/volunteers.xlsx" in html and "/exports/volunteer_hours.csv" in html
    # The ERO of AC 2 sees only the NCC volunteer's day there; the fragment for htmx.
    auth.logout()
    auth.login("ero.2")
    response = client.get("/volunteers/figures", headers={"HX-Request": "true"})
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment and "organisation-ncc" in fragment and "organisation-nss" not in fragment
    assert re.search(r"<span>Hours worked</span><strong>1.5</strong>", fragment)


def test_hindi_figures_page(app, client, auth):
    _figures_data(app)
    auth.login("collector.bhopal", lang="hi")
    html = client.get("/volunteers/figures").get_data(as_text=True)
    assert "संगठन के अनुसार" in html and "एनएसएस" in html


# -- exports ------------------------------------------------------------------------------------


def _csv(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    assert response.data.startswith(BOM)
    header, *rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_the_volunteers_download_with_mobiles_only_for_the_collector(app, client, auth):
    _figures_data(app)
    with app.app_context():
        nss = volunteer("vol.bhopal.7")
        name, mobile = nss.name, nss.mobile
    auth.login("collector.bhopal")
    rows = {row["Name"]: row for row in _csv(client.get("/exports/volunteers.csv"))}
    assert len(rows) >= 18  # Bhopal's profiles (names may repeat)
    row = rows[name]
    assert row["Mobile"] == mobile and row["Organisation"] == "NSS" and row["Institution"] == "NSS unit X"
    assert (row["Hours"], row["Days at a booth"], row["No-shows"], row["Offers accepted"]) == (
        "2.0",
        "1",
        "1",
        "1",
    )
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/exports/volunteer_hours.xlsx").data)).active
    header, *days = list(sheet.iter_rows(values_only=True))
    assert "Mobile" in header and len(days) == 4
    by_hours = sorted(dict(zip(header, day, strict=True))["Hours"] or 0 for day in days)
    assert by_hours == [0, 1.5, 2, 5]
    auth.logout()

    auth.login("sup.1.1")
    supervised = _csv(client.get("/exports/volunteers.csv"))
    assert supervised and "Mobile" not in supervised[0]
    assert {row["Name"] for row in supervised} <= set(rows)
    hours = _csv(client.get("/exports/volunteer_hours.csv"))
    assert "Mobile" not in hours[0] and len(hours) == 3  # parts 1-1 and 1-2 are theirs, AC 2 is not
    assert mobile not in client.get("/exports/volunteers.csv").get_data(as_text=True)
    auth.logout()

    auth.login("collector.raisen")
    assert name not in {row["Name"] for row in _csv(client.get("/exports/volunteer_hours.csv"))}
    auth.logout()
    for login in ("vol.bhopal.1", "blo.1.1", "admin"):
        auth.login(login)
        assert client.get("/exports/volunteers.csv").status_code == 403, login
        assert client.get("/exports/volunteer_hours.xlsx").status_code == 403, login
        auth.logout()


def test_the_whole_states_volunteers_are_prepared_on_the_queue(app, client, auth):
    with app.app_context():
        from app.models import District

        bhopal = db.session.scalar(select(District.id).where(District.name_en == "Bhopal"))
    auth.login("state")
    prepare = client.get("/exports/volunteers.csv").get_data(as_text=True)
    assert "Every volunteer of the state" in prepare and 'name="table" value="volunteers"' in prepare
    rows = _csv(client.get(f"/exports/volunteers.csv?district_id={bhopal}"))
    assert len(rows) == 20 and "Mobile" not in rows[0]  # the state office sees no volunteer's number
