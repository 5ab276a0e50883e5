"""Exports: CSV with a BOM and XLSX, scoped to the user, with figures that match the reports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from flask_login import login_user
from sqlalchemy import and_, func, select

from app.campaign.clock import campaign_today
from app.exports.registry import BULLETIN, TABLES
from app.extensions import db
from app.figures.models import DailyReport
from app.models import Constituency, District, Job, JobStatus, Part, User
from tests.conftest import LOGINS

BOM = b"\xef\xbb\xbf"


def _today(app):
    with app.app_context():
        return campaign_today()


def _ids(app) -> dict:
    with app.app_context():
        districts = {d.name_en: d.id for d in db.session.scalars(select(District))}
        acs = {c.number: c.id for c in db.session.scalars(select(Constituency))}
    return {"bhopal": districts["Bhopal"], "raisen": districts["Raisen"], "ac1": acs[1], "ac5": acs[5]}


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    data = response.data
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _records(response) -> list[dict]:
    header, *rows = _csv(response)
    return [dict(zip(header, row, strict=True)) for row in rows]


def _sheet(response, header_row: int = 1):
    assert response.status_code == 200, response.status_code
    assert response.content_type.startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[header_row - 1]
    return sheet, header, [dict(zip(header, row, strict=True)) for row in rows[header_row:]]


def _latest_sum(app, figure: str, day, condition=None) -> int:
    """Each part's latest report on or before `day`, summed straight from DailyReport."""
    with app.app_context():
        latest = (
            select(DailyReport.part_id, func.max(DailyReport.report_date).label("day"))
            .where(DailyReport.report_date <= day)
            .group_by(DailyReport.part_id)
            .subquery()
        )
        stmt = select(func.sum(getattr(DailyReport, figure))).join(
            latest, and_(DailyReport.part_id == latest.c.part_id, DailyReport.report_date == latest.c.day)
        )
        if condition is not None:
            stmt = stmt.where(condition)
        return int(db.session.scalar(stmt) or 0)


def test_districts_csv_has_a_bom_english_headers_and_a_dated_file_name(app, client, auth):
    auth.login("state")
    response = client.get("/exports/districts.csv")
    assert response.content_type.startswith("text/csv")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="sir-districts-{_today(app).isoformat()}.csv"'
    )
    header, *rows = _csv(response)
    assert header[:4] == ["Rank", "District", "Electors", "BLOs"]
    assert {"Digitized", "Digitized (%)", "ASD: shifted", "Daily pace (%)", "Projected finish"} <= set(header)
    assert sorted(row[1] for row in rows) == ["Bhopal", "Raisen"]
    records = [dict(zip(header, row, strict=True)) for row in rows]
    assert [r["Rank"] for r in records] == ["1", "2"]  # best digitized % first
    assert float(records[0]["Digitized (%)"]) >= float(records[1]["Digitized (%)"])
    for record in records:  # percentages are bare numbers a spreadsheet can read
        assert float(record["Digitized (%)"]) == pytest.approx(
            int(record["Digitized"]) * 100 / int(record["Electors"]), abs=0.005
        )


def test_hindi_user_gets_valid_utf8_with_bom_and_hindi_names(client, auth):
    auth.login("state", lang="hi")
    response = client.get("/exports/bulletin.csv")
    assert response.data.startswith(BOM)
    text = response.data.decode("utf-8")  # raises if not valid UTF-8
    assert "भोपाल" in text and "रायसेन" in text and "Bhopal" not in text
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(rows) == 4 and all(len(row) == 8 for row in rows)


def test_xlsx_numbers_equal_the_reports(app, client, auth):
    auth.login("state")
    today = _today(app)
    sheet, header, rows = _sheet(client.get("/exports/districts.xlsx"))
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b and sheet["B1"].value == "District"
    assert sum(r["Digitized"] for r in rows) == _latest_sum(app, "digitized", today)
    assert sum(r["Distributed"] for r in rows) == _latest_sum(app, "distributed", today)
    with app.app_context():
        electors = db.session.scalar(select(func.sum(Part.electors)))
    assert sum(r["Electors"] for r in rows) == electors
    # percentages are numbers (fractions) shown with a percent format
    column = header.index("Digitized (%)") + 1
    cell = sheet.cell(row=2, column=column)
    assert isinstance(cell.value, float) and cell.number_format == "0.00%"
    assert cell.value == pytest.approx(rows[0]["Digitized"] / rows[0]["Electors"])


def test_a_past_date_gives_that_days_figures(app, client, auth):
    auth.login("state")
    day = _today(app) - timedelta(days=10)
    response = client.get(f"/exports/districts.csv?date={day.isoformat()}")
    assert f"sir-districts-{day.isoformat()}.csv" in response.headers["Content-Disposition"]
    records = _records(response)
    assert sum(int(r["Digitized"]) for r in records) == _latest_sum(app, "digitized", day)
    assert sum(int(r["Digitized"]) for r in records) < _latest_sum(app, "digitized", _today(app))


def test_bulletin_is_sorted_by_digitised_percent_with_a_total_row(app, client, auth):
    auth.login("state")
    header, *rows = _csv(client.get("/exports/bulletin.csv"))
    assert header == [
        "S.No.",
        "District",
        "Electors",
        "BLOs",
        "EFs distributed (n)",
        "EFs distributed (%)",
        "EFs digitised (n)",
        "EFs digitised (%)",
    ]
    districts, total = rows[:-1], rows[-1]
    assert [r[0] for r in districts] == ["1", "2"]
    percents = [float(r[7]) for r in districts]
    assert percents == sorted(percents, reverse=True)
    assert total[0] == "" and total[1] == "Total"
    for column in (2, 3, 4, 6):
        assert int(total[column]) == sum(int(r[column]) for r in districts)
    assert int(total[6]) == _latest_sum(app, "digitized", _today(app))
    assert float(total[7]) == pytest.approx(int(total[6]) * 100 / int(total[2]), abs=0.005)


def test_bulletin_xlsx_has_a_title_row_and_a_bold_total(app, client, auth):
    auth.login("state")
    sheet, header, rows = _sheet(client.get("/exports/bulletin.xlsx"), header_row=2)
    assert sheet["A1"].value.startswith("SIR — progress as on")
    assert sheet.freeze_panes == "A3"
    assert header[0] == "S.No." and header[-1] == "EFs digitised (%)"
    assert rows[-1]["District"] == "Total" and sheet.cell(row=sheet.max_row, column=2).font.b
    assert rows[-1]["EFs digitised (n)"] == sum(r["EFs digitised (n)"] for r in rows[:-1])


def test_collector_gets_only_their_district(app, client, auth):
    auth.login("collector.bhopal")
    ids = _ids(app)
    assert [r["District"] for r in _records(client.get("/exports/districts.csv"))] == ["Bhopal"]
    bulletin = _records(client.get("/exports/bulletin.csv"))
    assert [r["District"] for r in bulletin] == ["Bhopal", "Total"]
    acs = _records(client.get(f"/exports/constituencies.csv?district_id={ids['bhopal']}"))
    assert [r["AC no."] for r in acs] == ["1", "2"]
    parts = _records(client.get("/exports/parts.csv"))
    assert {r["AC no."] for r in parts} == {"1", "2"} and len(parts) == 12
    assert client.get(f"/exports/constituencies.csv?district_id={ids['raisen']}").status_code == 403
    assert client.get(f"/exports/parts.csv?constituency_id={ids['ac5']}").status_code == 403
    assert client.get(f"/exports/missing.csv?district_id={ids['raisen']}").status_code == 403
    assert client.get("/exports/parts.csv?constituency_id=999999").status_code == 404


def test_parts_export_is_scoped_and_the_state_must_narrow_it(app, client, auth):
    ids = _ids(app)
    auth.login("sup.1.1")
    parts = _records(client.get("/exports/parts.csv"))
    assert [(r["AC no."], r["Part no."]) for r in parts] == [("1", str(n)) for n in range(1, 7)]
    assert {r["Reported on the day"] for r in parts} <= {"Yes", "Missing", "Never reported"}
    auth.logout()

    auth.login("state")
    response = client.get("/exports/parts.csv")  # the whole state: prepared on the queue
    assert response.status_code == 200 and 'action="/exports/jobs"' in response.get_data(as_text=True)
    response = client.get(f"/exports/parts.xlsx?constituency_id={ids['ac1']}")
    assert "sir-parts-ac-1-" in response.headers["Content-Disposition"]
    _, _, rows = _sheet(response)
    assert len(rows) == 6 and {r["AC no."] for r in rows} == {1}
    with app.app_context():
        condition = DailyReport.constituency_id == ids["ac1"]
    assert sum(r["Digitized"] for r in rows) == _latest_sum(app, "digitized", _today(app), condition)
    assert len(_records(client.get(f"/exports/parts.csv?district_id={ids['raisen']}"))) == 12


def test_missing_list_matches_parts_without_a_report_today(app, client, auth):
    today = _today(app)
    with app.app_context():
        reported = select(DailyReport.part_id).where(DailyReport.report_date == today)
        expected = set(
            db.session.execute(
                select(Constituency.number, Part.number)
                .join(Constituency, Part.constituency_id == Constituency.id)
                .where(Part.id.not_in(reported))
            ).all()
        )
    assert expected, "the tiny demo leaves some parts unreported today"
    auth.login("state")
    records = _records(client.get("/exports/missing.csv"))
    assert {(int(r["AC no."]), int(r["Part no."])) for r in records} == expected
    for record in records:
        assert record["Last report"] < today.isoformat()
    auth.logout()

    auth.login("ero.1")
    records = _records(client.get("/exports/missing.csv"))
    assert {(int(r["AC no."]), int(r["Part no."])) for r in records} == {k for k in expected if k[0] == 1}


def test_a_part_that_never_reported_is_missing_without_a_last_date(app, client, auth):
    ids = _ids(app)
    with app.app_context():
        part_id = db.session.scalar(
            select(Part.id).where(Part.constituency_id == ids["ac1"], Part.number == 1)
        )
        db.session.execute(DailyReport.__table__.delete().where(DailyReport.part_id == part_id))
        db.session.commit()
    auth.login("ero.1")
    missing = _records(client.get("/exports/missing.csv"))
    assert missing[0]["Part no."] == "1" and missing[0]["Last report"] == ""
    parts = _records(client.get(f"/exports/parts.csv?constituency_id={ids['ac1']}"))
    assert parts[0]["Reported on the day"] == "Never reported"
    assert parts[0]["Digitized"] == "0" and parts[0]["Last report"] == ""


def test_calls_list_for_a_district(app, client, auth):
    ids = _ids(app)
    auth.login("state")
    assert 'name="table" value="calls"' in client.get("/exports/calls.csv").get_data(as_text=True)
    records = _records(client.get(f"/exports/calls.csv?district_id={ids['bhopal']}"))
    assert records and {r["AC no."] for r in records} <= {"1", "2"}
    shortfalls = [float(r["Shortfall against the target (percentage points)"]) for r in records]
    assert shortfalls == sorted(shortfalls, reverse=True)
    for record in records:
        for column in ("Pace on the day (%)", "Pace the day before (%)"):
            assert record[column] == "" or float(record[column]) < 10  # blank: no report, not zero
    auth.logout()
    auth.login("sup.1.1")
    records = _records(client.get("/exports/calls.csv"))
    assert {r["AC no."] for r in records} <= {"1"}


def test_bad_and_future_dates_are_refused_with_a_message(app, client, auth):
    auth.login("state")
    response = client.get("/exports/districts.csv?date=28-11-2026")
    assert response.status_code == 400
    assert "is not a date" in response.get_data(as_text=True)
    future = (_today(app) + timedelta(days=1)).isoformat()
    response = client.get(f"/exports/bulletin.xlsx?date={future}")
    assert response.status_code == 400 and "in the future" in response.get_data(as_text=True)
    response = client.get("/exports/parts.csv?district_id=abc")
    assert response.status_code == 400 and "district_id" in response.get_data(as_text=True)
    assert client.get("/exports/constituencies.csv").status_code == 400


def test_unknown_table_or_format_is_not_found(client, auth):
    auth.login("state")
    assert client.get("/exports/users.csv").status_code == 404
    assert client.get("/exports/districts.pdf").status_code == 404
    assert client.get("/exports/bulletin.json").status_code == 404


@pytest.mark.parametrize(
    ("login", "url", "status"),
    [
        ("ero.1", "/exports/districts.csv", 403),
        ("ero.1", "/exports/constituencies.csv?district_id={bhopal}", 200),
        ("ero.1", "/exports/bulletin.csv", 403),
        ("sup.1.1", "/exports/constituencies.csv?district_id={bhopal}", 403),
        ("sup.1.1", "/exports/missing.csv", 200),
        ("sup.1.1", "/exports/missing.csv?constituency_id={ac5}", 403),
        ("blo.1.1", "/exports/parts.csv", 403),
        ("vol.bhopal.1", "/exports/missing.csv", 403),
        ("admin", "/exports/bulletin.csv", 403),
        ("collector.raisen", "/exports/calls.csv?district_id={bhopal}", 403),
        ("collector.raisen", "/exports/calls.csv", 200),
        ("state", "/exports/constituencies.xlsx?district_id={raisen}", 200),
    ],
)
def test_each_table_has_its_roles_and_scope(app, client, auth, login, url, status):
    auth.login(login)
    assert client.get(url.format(**_ids(app))).status_code == status


def test_ero_gets_only_their_constituency_in_the_district_table(app, client, auth):
    auth.login("ero.1")
    records = _records(client.get(f"/exports/constituencies.csv?district_id={_ids(app)['bhopal']}"))
    assert [r["AC no."] for r in records] == ["1"]


def test_a_name_that_looks_like_a_formula_stays_text(app, client, auth):
    with app.app_context():
        blo = db.session.scalar(select(User).where(User.login == "blo.1.1"))
        blo.name = "=HYPERLINK(1)"
        db.session.commit()
    auth.login("sup.1.1")
    parts = _records(client.get("/exports/parts.csv"))
    assert parts[0]["BLO"] == "'=HYPERLINK(1)"
    sheet, header, rows = _sheet(client.get("/exports/parts.xlsx"))
    cell = sheet.cell(row=2, column=header.index("BLO") + 1)
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"


# -- the whole state's tables, on the queue -----------------------------------------------------


def test_the_whole_states_parts_are_prepared_in_the_background_then_downloaded(app, client, auth, tmp_path):
    app.config["EXPORTS_DIR"] = str(tmp_path)
    auth.login("state")
    token = auth.token("/exports/parts.xlsx")
    response = client.post("/exports/jobs", data={"table": "parts", "fmt": "xlsx", "csrf_token": token})
    assert response.status_code == 303
    status_url = response.headers["Location"]
    with app.app_context():
        job = db.session.scalar(select(Job).order_by(Job.id.desc()))
        assert (job.kind, job.status, job.params["table"]) == ("export", JobStatus.DONE, "parts")
        assert (job.processed, job.total) == (2, 2)
        parts = db.session.scalar(select(func.count(Part.id)))

    page = client.get(status_url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html and "hx-trigger" not in html
    assert f"/exports/jobs/{job.id}/file" in html
    fragment = client.get(status_url, headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert "<html" not in html and html.lstrip().startswith('<section id="export-job"')

    download = client.get(f"/exports/jobs/{job.id}/file")
    assert "sir-parts-" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "private, no-store"
    _, _, rows = _sheet(download)
    assert len(rows) == parts and {r["AC no."] for r in rows} == {1, 2, 5, 6}
    assert sum(r["Digitized"] for r in rows) == _latest_sum(app, "digitized", _today(app))


def test_a_running_export_is_polled_and_others_cannot_see_it(app, client, auth):
    with app.app_context():
        state = db.session.scalar(select(User).where(User.login == "state"))
        job = Job(
            kind="export",
            status=JobStatus.RUNNING,
            user_id=state.id,
            total=2,
            processed=1,
            params={"table": "parts", "fmt": "csv", "day": "2025-11-20", "locale": "en"},
        )
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    auth.login("state")
    html = client.get(f"/exports/jobs/{job_id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'hx-trigger="every 2s"' in html and '<progress value="1" max="2">' in html
    assert client.get(f"/exports/jobs/{job_id}/file").status_code == 404  # not ready yet
    assert client.get("/exports/jobs/999999").status_code == 404
    token = auth.token("/exports/parts.csv")
    assert (
        client.post("/exports/jobs", data={"table": "users", "fmt": "csv", "csrf_token": token}).status_code
        == 422
    )
    assert (
        client.post(
            "/exports/jobs", data={"table": "parts", "fmt": "csv", "date": "2999-01-01", "csrf_token": token}
        ).status_code
        == 422
    )
    auth.logout()
    auth.login("collector.bhopal")
    assert client.get(f"/exports/jobs/{job_id}").status_code == 403


def test_a_failed_export_says_so(app, client, auth, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("app.exports.tasks.write", broken)
    auth.login("state")
    token = auth.token("/exports/parts.csv")
    response = client.post("/exports/jobs", data={"table": "calls", "fmt": "csv", "csrf_token": token})
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "could not be prepared" in html and "hx-trigger" not in html
    with app.app_context():
        job = db.session.scalar(select(Job).order_by(Job.id.desc()))
        assert job.status == JobStatus.FAILED and job.error == "disk full" and job.finished_at is not None


@pytest.mark.parametrize("table", [*TABLES, "bulletin"])
@pytest.mark.parametrize("login", sorted(LOGINS.values()))
def test_every_table_is_refused_to_the_roles_its_registry_entry_leaves_out(app, client, auth, table, login):
    """The route and the template's can() both read the registry's roles, narrowed or not."""
    entry = BULLETIN if table == "bulletin" else TABLES[table]
    auth.login(login)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == login))
        allowed = user.role in entry.roles
        ac = db.session.scalar(select(Constituency).where(Constituency.number == 1))
    query = "" if table == "bulletin" else f"?district_id={ac.district_id}"
    response = client.get(f"/exports/{table}.csv{query}")
    assert (response.status_code == 403) == (not allowed), response.status_code
    if allowed:
        assert response.data.startswith(BOM)
    with app.test_request_context("/"):
        login_user(db.session.get(User, user.id))
        can = app.jinja_env.globals["can"]
        if table == "bulletin":
            assert can("exports.bulletin", fmt="csv") == allowed
        else:
            assert can("exports.table", table=table, fmt="csv") == allowed
