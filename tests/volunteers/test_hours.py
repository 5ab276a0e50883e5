"""Each volunteer's hours (issue 23): the page (this week by default, a range of days, an
organisation or institution, scoped as the other figures), its CSV and XLSX download, and the
printable certificate of service, in English and Hindi."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import openpyxl
from sqlalchemy import event, select

from app.campaign.clock import campaign_today
from app.extensions import db
from app.models import Constituency, District
from app.volunteers.models import Attendance, Organisation
from tests.volunteers.views_support import assignment, at, clean_slate, part_of, visit, volunteer

BOM = b"\xef\xbb\xbf"


def _hours_data(app) -> dict:
    """This week (today): A worked 120 min at 1-1 and 90 min at 2-1, B 60 min at 1-2. Last week
    (`old`): A 300 min at 1-1, C 480 min at 2-2, and B did not come (a no-show, no check-in)."""
    clean_slate(app)
    with app.app_context():
        today = campaign_today()
        old = today - timedelta(days=today.weekday() + 3)  # the Friday before this week
        a = volunteer("vol.bhopal.7", organisation=Organisation.NSS, institution="NSS Unit X")
        b = volunteer("vol.bhopal.8", organisation=Organisation.NCC, institution="NCC battalion Y")
        c = volunteer("vol.bhopal.9", organisation=Organisation.COLLEGE, institution="Govt College")
        days = (old, today)
        first = assignment(a, part_of(1, 1), days=days)
        visit(first, today, at(today, 9), at(today, 11), 120, Attendance.CONFIRMED)
        visit(first, old, at(old, 9), at(old, 14), 300)
        visit(assignment(a, part_of(2, 1), days=days), today, at(today, 14), at(today, 15, 30), 90)
        second = assignment(b, part_of(1, 2), days=days)
        visit(second, today, at(today, 10), at(today, 11), 60)
        visit(second, old, attendance=Attendance.NO_SHOW)
        visit(assignment(c, part_of(2, 2), days=days), old, at(old, 9), at(old, 17), 480)
        db.session.commit()
        parts = {n: part_of(*n) for n in ((1, 1), (2, 1))}
        return {
            "today": today,
            "old": old,
            "a": (a.id, a.name),
            "b": (b.id, b.name),
            "c": (c.id, c.name),
            "part_names": {n: (p.name_en, p.name_hi) for n, p in parts.items()},
        }


def _rows(html: str) -> list[tuple[int, str, str, str]]:
    """(volunteer id, hours, days, parts) of each row of the page, in order."""
    found = re.findall(
        r'<tr id="volunteer-(\d+)">.*?<td class="num">([^<]*)</td><td class="num">([^<]*)</td>'
        r'<td class="num">([^<]*)</td>',
        html,
        re.S,
    )
    return [(int(i), hours, days, parts) for i, hours, days, parts in found]


def _range(data: dict) -> str:
    return f"start={data['old'].isoformat()}&end={data['today'].isoformat()}"


def test_the_hours_page_lists_each_volunteer_this_week_by_default(app, client, auth):
    data = _hours_data(app)
    a, b, c = data["a"][0], data["b"][0], data["c"][0]
    auth.login("collector.bhopal")
    html = client.get("/volunteers/hours").get_data(as_text=True)
    assert _rows(html) == [(a, "3 h 30 min", "1", "2"), (b, "1 h 0 min", "1", "1")]
    assert re.search(r"<span>Volunteers who came</span><strong>2</strong>", html)
    assert re.search(r"<span>Hours worked</span><strong>4 h 30 min</strong>", html)
    monday = data["today"] - timedelta(days=data["today"].weekday())
    assert f'name="start" id="volunteer-hours-start" value="{monday.isoformat()}"' in html
    assert 'href="/volunteers/hours' in html and 'aria-current="page">Hours per volunteer' in html

    # A range of days: last week's too, most hours first; the no-show is no day.
    html = client.get(f"/volunteers/hours?{_range(data)}").get_data(as_text=True)
    assert _rows(html) == [
        (a, "8 h 30 min", "2", "2"),
        (c, "8 h 0 min", "1", "1"),
        (b, "1 h 0 min", "1", "1"),
    ]
    # By organisation, by institution (a part of its name, in any case), by name.
    html = client.get(f"/volunteers/hours?{_range(data)}&organisation=ncc").get_data(as_text=True)
    assert [row[0] for row in _rows(html)] == [b]
    html = client.get(f"/volunteers/hours?{_range(data)}&institution=unit+x").get_data(as_text=True)
    assert [row[0] for row in _rows(html)] == [a]
    name = data["c"][1]
    response = client.get(f"/volunteers/hours?{_range(data)}&q={name}", headers={"HX-Request": "true"})
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment and 'id="volunteer-hours"' in fragment
    assert [row[0] for row in _rows(fragment)] == [c]


def test_the_hours_are_scoped_as_the_other_figures(app, client, auth):
    data = _hours_data(app)
    a, c = data["a"][0], data["c"][0]
    auth.login("ero.2")  # AC 2 only: A's 90 minutes at 2-1, C's day at 2-2
    html = client.get(f"/volunteers/hours?{_range(data)}").get_data(as_text=True)
    assert _rows(html) == [(c, "8 h 0 min", "1", "1"), (a, "1 h 30 min", "1", "1")]
    auth.logout()
    auth.login("collector.raisen")
    assert _rows(client.get(f"/volunteers/hours?{_range(data)}").get_data(as_text=True)) == []
    auth.logout()
    with app.app_context():
        bhopal = db.session.scalar(select(District.id).where(District.name_en == "Bhopal"))
        ac2 = db.session.scalar(select(Constituency.id).where(Constituency.number == 2))
    auth.login("state")
    assert len(_rows(client.get(f"/volunteers/hours?{_range(data)}&district_id={bhopal}").data.decode())) == 3
    narrowed = client.get(f"/volunteers/hours?{_range(data)}&constituency_id={ac2}").get_data(as_text=True)
    assert [row[0] for row in _rows(narrowed)] == [c, a]
    auth.logout()
    for login in ("vol.bhopal.1", "blo.1.1", "admin"):
        auth.login(login)
        assert client.get("/volunteers/hours").status_code == 403, login
        assert client.get(f"/volunteers/hours/{a}/certificate").status_code == 403, login
        auth.logout()


def test_a_bad_range_is_refused_with_why(app, client, auth):
    today = _hours_data(app)["today"]
    auth.login("collector.bhopal")
    for query, reason in (
        ("start=2025-13-01", "is not a date"),
        (f"start={today.isoformat()}&end={(today - timedelta(days=1)).isoformat()}", "cannot come before"),
        (f"end={(today + timedelta(days=1)).isoformat()}", "is in the future"),
        ("organisation=army", "is not a valid organisation"),
    ):
        response = client.get(f"/volunteers/hours?{query}")
        assert response.status_code == 400 and reason in response.get_data(as_text=True), query
        download = client.get(f"/exports/hours_per_volunteer.csv?{query}")
        assert download.status_code == 400 and reason in download.get_data(as_text=True), query


def test_the_hours_page_costs_the_same_queries_whatever_the_number_of_volunteers(app, client, auth):
    data = _hours_data(app)
    auth.login("collector.bhopal")
    url = f"/volunteers/hours?{_range(data)}"

    def statements() -> int:
        count = 0

        def counted(*_args):
            nonlocal count
            count += 1

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", counted)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", counted)
        return count

    few = statements()
    with app.app_context():
        today = data["today"]
        for n in range(10, 16):
            made = assignment(volunteer(f"vol.bhopal.{n}"), part_of(1, 3), days=(today, today))
            visit(made, today, at(today, 9), at(today, 10), 60)
        db.session.commit()
    many = client.get(url).get_data(as_text=True)
    assert len(_rows(many)) == 9
    assert statements() == few


# -- the download -------------------------------------------------------------------------------


def _csv(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    assert response.data.startswith(BOM)
    header, *rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_the_hours_download_as_csv_and_xlsx(app, client, auth):
    data = _hours_data(app)
    (_a, a_name), (_b, b_name), (_c, c_name) = data["a"], data["b"], data["c"]
    auth.login("collector.bhopal")
    html = client.get(f"/volunteers/hours?{_range(data)}&organisation=nss").get_data(as_text=True)
    assert "/exports/hours_per_volunteer.csv?" in html and "/exports/hours_per_volunteer.xlsx?" in html
    assert "organisation=nss" in re.search(r'href="(/exports/hours_per_volunteer\.csv[^"]*)"', html)[1]

    response = client.get(f"/exports/hours_per_volunteer.csv?{_range(data)}")
    rows = _csv(response)
    assert [row["Volunteer"] for row in rows] == [a_name, c_name, b_name]
    first = rows[0]
    figures = (first["Hours"], first["Minutes"], first["Days at a booth"], first["Parts"])
    assert figures == ("8.5", "510", "2", "2")
    assert first["Organisation"] == "NSS" and first["Institution"] == "NSS Unit X" and first["Mobile"]
    assert (first["First day"], first["Last day"]) == (data["old"].isoformat(), data["today"].isoformat())
    name = f"sir-hours-per-volunteer-{data['old'].isoformat()}-to-{data['today'].isoformat()}.csv"
    assert name in response.headers["Content-Disposition"]
    # This week by default; narrowed as the page.
    this_week = _csv(client.get("/exports/hours_per_volunteer.csv"))
    assert [row["Volunteer"] for row in this_week] == [a_name, b_name]
    ncc = _csv(client.get(f"/exports/hours_per_volunteer.csv?{_range(data)}&organisation=ncc"))
    assert [row["Volunteer"] for row in ncc] == [b_name]

    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/exports/hours_per_volunteer.xlsx?{_range(data)}").data)
    ).active
    header, *cells = list(sheet.iter_rows(values_only=True))
    found = [dict(zip(header, row, strict=True)) for row in cells]
    assert [(row["Volunteer"], row["Hours"], row["Days at a booth"]) for row in found] == [
        (a_name, 8.5, 2),
        (c_name, 8, 1),
        (b_name, 1, 1),
    ]
    auth.logout()

    auth.login("sup.1.1")  # parts 1-1 and 1-2: no mobile in their file
    supervised = _csv(client.get(f"/exports/hours_per_volunteer.csv?{_range(data)}"))
    assert "Mobile" not in supervised[0] and {row["Volunteer"] for row in supervised} == {a_name, b_name}


# -- the certificate ----------------------------------------------------------------------------


def _long(day: date, lang: str = "en") -> str:
    from babel.dates import format_date

    return format_date(day, "long", locale="hi_IN" if lang == "hi" else "en_IN")


def test_the_certificate_of_service_in_english_and_hindi(app, client, auth):
    data = _hours_data(app)
    a, a_name = data["a"]
    auth.login("collector.bhopal")
    page = client.get(f"/volunteers/hours?{_range(data)}").get_data(as_text=True)
    url = f"/volunteers/hours/{a}/certificate?{_range(data)}"
    assert f'href="{url.replace("&", "&amp;")}"' in page  # linked from the hours page

    html = client.get(url).get_data(as_text=True)
    assert "Certificate of service" in html and "Office of the District Election Officer, Bhopal" in html
    assert f'<span class="certificate-name">{a_name}</span> (NSS, NSS Unit X)' in html
    assert f"from {_long(data['old'])} to {_long(data['today'])}" in html
    assert "<dd>8 h 30 min</dd>" in html and "<dd>2</dd>" in html
    served = re.findall(r'<td class="nowrap">([^<]*)</td><td>([^<]*)</td>', html)
    names = data["part_names"]
    assert served == [("1-1", names[(1, 1)][0]), ("2-1", names[(2, 1)][0])]
    assert "css/volunteer-hours.css" in html and "data-print" in html

    auth.logout()
    auth.login("collector.bhopal", lang="hi")
    hindi = client.get(url).get_data(as_text=True)
    assert 'lang="hi"' in hindi and "सेवा प्रमाण-पत्र" in hindi and "जिला निर्वाचन अधिकारी, भोपाल" in hindi
    assert f"{_long(data['old'], 'hi')} से {_long(data['today'], 'hi')} तक" in hindi
    assert names[(2, 1)][1] in hindi and "Certificate of service" not in hindi


def test_a_certificate_counts_the_readers_days_and_refuses_others(app, client, auth):
    data = _hours_data(app)
    (a, _name), (c, c_name) = data["a"], data["c"]
    auth.login("ero.2")  # only AC 2's day of A
    html = client.get(f"/volunteers/hours/{a}/certificate?{_range(data)}").get_data(as_text=True)
    assert "<dd>1 h 30 min</dd>" in html and re.findall(r'<td class="nowrap">([^<]*)</td>', html) == ["2-1"]
    auth.logout()
    auth.login("collector.bhopal")
    nothing = client.get(f"/volunteers/hours/{c}/certificate")  # this week: C did not come
    body = nothing.get_data(as_text=True)
    assert nothing.status_code == 200 and "there is nothing to certify" in body and c_name in body
    assert 'class="certificate"' not in body
    assert client.get("/volunteers/hours/999999/certificate").status_code == 404
    auth.logout()
    auth.login("collector.raisen")
    assert client.get(f"/volunteers/hours/{a}/certificate?{_range(data)}").status_code == 403
