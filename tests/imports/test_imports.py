"""Imports: upload → dry run → apply, all-or-nothing and idempotent, with every bad file refused."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.campaign.clock import campaign_today
from app.extensions import db
from app.figures.models import FIGURES, ConstituencyDay, DailyReport
from app.figures.rules import validate_figures
from app.imports import parsing
from app.imports.models import ImportJob
from app.models import AuditEntry, Constituency, Job, JobStatus, Part, User

ENGLISH = [
    "AC number",
    "Part number",
    "Date",
    "Distributed",
    "Collected",
    "Digitized",
    "Mapped self",
    "Mapped progeny",
    "Unmapped",
    "ASD absent",
    "ASD shifted",
    "ASD dead",
    "ASD duplicate",
]
HINDI = [
    "विधानसभा क्रमांक",
    "भाग संख्या",
    "दिनांक",
    "वितरित",
    "एकत्रित",
    "डिजिटाइज्ड",
    "मैपिंग: स्वयं",
    "मैपिंग: संतति",
    "अनमैप्ड",
    "अनुपस्थित",
    "स्थानांतरित",
    "मृत",
    "दोहरी प्रविष्टि",
]


@pytest.fixture(autouse=True)
def imports_dir(app, tmp_path):
    app.config["IMPORTS_DIR"] = str(tmp_path / "imports")


# -- helpers -----------------------------------------------------------------------------------


def _today(app):
    with app.app_context():
        return campaign_today()


def _latest(app, ac: int, number: int, before=None) -> dict:
    """The part's id, electors and latest figures (on or before `before`, default any)."""
    with app.app_context():
        part = db.session.scalar(
            select(Part)
            .join(Constituency, Part.constituency_id == Constituency.id)
            .where(Constituency.number == ac, Part.number == number)
        )
        stmt = select(DailyReport).where(DailyReport.part_id == part.id)
        if before is not None:
            stmt = stmt.where(DailyReport.report_date <= before)
        report = db.session.scalar(stmt.order_by(DailyReport.report_date.desc()).limit(1))
        return {"id": part.id, "electors": part.electors, "figures": report.figures()}


def _raised(app, ac: int, number: int, by: int = 2) -> dict[str, int]:
    """The part's latest figures plus a small increase that keeps every rule."""
    part = _latest(app, ac, number)
    figures = dict(part["figures"])
    for name in ("distributed", "collected", "digitized", "mapped_self"):
        figures[name] += by
    assert validate_figures(figures, part["electors"], part["figures"]) == {}
    return figures


def _csv(rows: list[list], headers=ENGLISH) -> bytes:
    lines = [",".join(headers)] + [",".join(str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _row(ac, number, day, figures, *extra) -> list:
    return [
        ac,
        number,
        day.isoformat() if hasattr(day, "isoformat") else day,
        *(figures[n] for n in FIGURES),
        *extra,
    ]


def _good_rows(app, parts=((1, 1), (1, 2), (2, 1))) -> list[list]:
    today = _today(app)
    return [_row(ac, number, today, _raised(app, ac, number)) for ac, number in parts]


def _upload(client, auth, content: bytes, filename: str = "figures.csv", htmx: bool = False):
    token = auth.token("/imports/")
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        "/imports/",
        data={"csrf_token": token, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
        headers=headers,
    )


def _job(app, job_id: int | None = None) -> ImportJob:
    with app.app_context():
        stmt = select(ImportJob).order_by(ImportJob.id.desc()).limit(1)
        if job_id is not None:
            stmt = select(ImportJob).where(ImportJob.id == job_id)
        job = db.session.scalar(stmt)
        db.session.expunge(job)
        return job


def _reports_state(app) -> tuple:
    """Everything a failed import must leave as it was: the reports and the roll-ups."""
    with app.app_context():
        reports = db.session.execute(
            select(
                func.count(DailyReport.id),
                func.sum(DailyReport.digitized),
                func.sum(DailyReport.distributed),
                func.max(DailyReport.updated_at),
            )
        ).one()
        rollups = db.session.execute(
            select(func.count(), func.sum(ConstituencyDay.digitized)).select_from(ConstituencyDay)
        ).one()
        return tuple(reports), tuple(rollups)


def _apply(client, auth, job_id: int, htmx: bool = False):
    token = auth.token(f"/imports/{job_id}")
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/imports/{job_id}/apply", data={"csrf_token": token}, headers=headers)


def _xlsx(rows: list[list], headers=HINDI) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# -- the good path -----------------------------------------------------------------------------


def test_good_csv_dry_run_then_apply_then_idempotent(app, client, auth):
    auth.login("collector.bhopal")
    rows = _good_rows(app)
    before = _reports_state(app)

    response = _upload(client, auth, _csv(rows))
    assert response.status_code == 303
    job = _job(app)
    assert response.headers["Location"].endswith(f"/imports/{job.id}")
    assert job.status == "checked" and job.errors == []
    assert job.summary["create"] + job.summary["update"] == 3 and job.summary["unchanged"] == 0
    assert job.total_rows == job.processed_rows == 3
    assert _reports_state(app) == before  # the dry run writes nothing

    page = client.get(f"/imports/{job.id}").get_data(as_text=True)
    assert "Checked: ready to apply" in page and "Apply: save 3 reports" in page
    assert 'hx-trigger="every 1s"' not in page  # finished: no more polling
    new_digitized = rows[0][2 + 1 + FIGURES.index("digitized")]
    assert f">{new_digitized}<" in page  # the sample of changes shows the new figure

    response = _apply(client, auth, job.id)
    assert response.status_code == 303
    job = _job(app, job.id)
    assert job.status == "applied"
    assert job.summary["applied"]["created"] + job.summary["applied"]["updated"] == 3

    today = _today(app)
    with app.app_context():
        collector = db.session.scalar(select(User).where(User.login == "collector.bhopal"))
        for row in rows:
            part = _latest(app, row[0], row[1])
            report = db.session.scalar(
                select(DailyReport).where(DailyReport.part_id == part["id"], DailyReport.report_date == today)
            )
            assert report.figures() == dict(zip(FIGURES, row[3:], strict=True))
            assert (report.source, report.entered_by_id, report.on_behalf) == ("import", collector.id, True)
        audits = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "import.apply")).all()
        assert len(audits) == 1 and audits[0].after["job_id"] == job.id
        assert audits[0].after["created"] + audits[0].after["updated"] == 3

        # the roll-ups equal the direct sums of each part's latest report on or before today
        for ac in (1, 2):
            constituency = db.session.scalar(select(Constituency).where(Constituency.number == ac))
            latest = (
                select(DailyReport.part_id, func.max(DailyReport.report_date).label("d"))
                .where(DailyReport.constituency_id == constituency.id, DailyReport.report_date <= today)
                .group_by(DailyReport.part_id)
                .subquery()
            )
            direct = db.session.execute(
                select(*(func.sum(getattr(DailyReport, n)) for n in FIGURES)).join(
                    latest,
                    (DailyReport.part_id == latest.c.part_id) & (DailyReport.report_date == latest.c.d),
                )
            ).one()
            rollup = db.session.get(ConstituencyDay, (constituency.id, today))
            assert [getattr(rollup, n) for n in FIGURES] == list(direct)

    page = client.get(f"/imports/{job.id}").get_data(as_text=True)
    assert "Saved: " in page and "Apply: save" not in page

    # applying the same job twice is refused, and changes nothing
    after = _reports_state(app)
    response = _apply(client, auth, job.id)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "already been applied" in page
    assert _reports_state(app) == after

    # the same file uploaded again: all unchanged; applying it writes nothing
    _upload(client, auth, _csv(rows))
    again = _job(app)
    assert again.id != job.id and again.status == "checked"
    assert (again.summary["create"], again.summary["update"], again.summary["unchanged"]) == (0, 0, 3)
    page = client.get(f"/imports/{again.id}").get_data(as_text=True)
    assert "Nothing to change" in page
    _apply(client, auth, again.id)
    assert _job(app, again.id).summary["applied"] == {"created": 0, "updated": 0, "unchanged": 3}
    assert _reports_state(app) == after


def test_good_xlsx_with_hindi_headers(app, client, auth):
    auth.login("collector.bhopal", lang="hi")
    today = _today(app)
    parts = ((1, 3), (1, 4), (2, 2))
    day_cell = datetime(today.year, today.month, today.day)  # an Excel date cell
    rows = [[ac, number, day_cell, *_raised(app, ac, number).values()] for ac, number in parts]
    response = _upload(client, auth, _xlsx(rows), "आंकड़े.xlsx")
    assert response.status_code == 303
    job = _job(app)
    assert job.status == "checked", job.summary
    assert job.summary["create"] + job.summary["update"] == 3
    assert client.get(f"/imports/{job.id}").status_code == 200  # the page in Hindi
    _apply(client, auth, job.id)
    assert _job(app, job.id).status == "applied"
    for (ac, number), row in zip(parts, rows, strict=True):
        assert _latest(app, ac, number)["figures"] == dict(zip(FIGURES, row[3:], strict=True))


def test_dates_in_other_forms_and_a_past_day(app, client, auth):
    """A collector reconciles a past day; DD-MM-YYYY and DD/MM/YYYY are dates too."""
    auth.login("collector.bhopal")
    day = _today(app) - timedelta(days=3)
    rows = []
    for (ac, number), written in zip(
        ((1, 5), (1, 6)), (day.strftime("%d-%m-%Y"), day.strftime("%d/%m/%Y")), strict=True
    ):
        part = _latest(app, ac, number, before=day)
        rows.append([ac, number, written, *part["figures"].values()])
    _upload(client, auth, _csv(rows))
    job = _job(app)
    assert job.status == "checked", job.errors
    assert job.summary["first_date"] == day.isoformat() == job.summary["last_date"]


def test_lowering_needs_a_reason_column(app, client, auth):
    auth.login("collector.bhopal")
    today = _today(app)
    previous = _latest(app, 1, 1, before=today - timedelta(days=1))
    lowered = dict(previous["figures"])
    lowered["distributed"] -= 1
    assert validate_figures(lowered, previous["electors"]) == {}

    _upload(client, auth, _csv([_row(1, 1, today, lowered)]))
    job = _job(app)
    assert job.status == "rejected"
    assert "Lower than the last report" in job.errors[0]["message"]
    assert job.errors[0]["column"] == "Distributed"

    reason = "Recount at the booth"
    _upload(client, auth, _csv([_row(1, 1, today, lowered, reason)], ENGLISH + ["Reason"]))
    job = _job(app)
    assert job.status == "checked", job.errors
    _apply(client, auth, job.id)
    with app.app_context():
        report = db.session.scalar(
            select(DailyReport).where(DailyReport.part_id == previous["id"], DailyReport.report_date == today)
        )
        assert report.distributed == lowered["distributed"] and report.correction_reason == reason


# -- bad files: a clear message, and nothing changes ----------------------------------------------


def _refused(app, client, auth, content: bytes, filename: str = "bad.csv") -> ImportJob:
    before = _reports_state(app)
    response = _upload(client, auth, content, filename)
    assert response.status_code == 303
    job = _job(app)
    assert job.status == "rejected"
    assert _reports_state(app) == before
    page = client.get(f"/imports/{job.id}").get_data(as_text=True)
    assert "Rejected" in page and "Apply: save" not in page
    response = _apply(client, auth, job.id)  # nor can it be applied by hand
    assert response.status_code == 303 and _reports_state(app) == before
    return job


def test_wrong_columns(app, client, auth):
    auth.login("collector.bhopal")
    job = _refused(app, client, auth, b"AC number,Part,Date,Distributed,Colour\n1,1,2025-11-01,3,red\n")
    message = job.summary["message"]
    assert message.startswith("Columns missing:") and "Digitized / डिजिटाइज्ड" in message
    assert "AC number" not in message  # the columns that are there are not listed
    page = client.get(f"/imports/{job.id}").get_data(as_text=True)
    assert "Columns missing:" in page


def test_text_in_a_number_cell(app, client, auth):
    auth.login("collector.bhopal")
    rows = _good_rows(app)
    rows[1][3 + FIGURES.index("digitized")] = "about 40"
    rows[2][3 + FIGURES.index("asd_dead")] = "2.5"
    job = _refused(app, client, auth, _csv(rows))
    assert job.summary["error_count"] == 2
    first, second = job.errors
    assert (first["row"], first["column"], first["part"]) == (3, "Digitized", "1-2")
    assert "Not a number: “about 40”" in first["message"]
    assert second["row"] == 4 and "whole number" in second["message"]
    page = client.get(f"/imports/{job.id}").get_data(as_text=True)
    assert "Not a number: “about 40”" in page and "2 problems found" in page


def test_unknown_part(app, client, auth):
    auth.login("collector.bhopal")
    rows = _good_rows(app)
    rows[0][1] = 99
    job = _refused(app, client, auth, _csv(rows))
    assert job.errors[0]["row"] == 2 and "Unknown part 1-99" in job.errors[0]["message"]


def test_part_of_another_district(app, client, auth):
    auth.login("collector.bhopal")
    rows = _good_rows(app)
    rows.append(_row(5, 1, _today(app), _raised(app, 5, 1)))  # Raisen
    job = _refused(app, client, auth, _csv(rows))
    assert [e["row"] for e in job.errors] == [5]
    assert "Part 5-1 is not in your district." == job.errors[0]["message"]


def test_broken_xlsx(app, client, auth):
    auth.login("collector.bhopal")
    job = _refused(app, client, auth, bytes(range(256)) * 40, "figures.xlsx")
    assert "could not be read as an Excel workbook" in job.summary["message"]
    page = client.get(f"/imports/{job.id}").get_data(as_text=True)
    assert "could not be read as an Excel workbook" in page


def test_duplicate_rows(app, client, auth):
    auth.login("collector.bhopal")
    rows = _good_rows(app)
    rows.append(list(rows[0]))
    job = _refused(app, client, auth, _csv(rows))
    assert job.errors == [
        {
            "row": 5,
            "part": "1-1",
            "column": "Part number",
            "message": f"Part 1-1 on {_today(app).isoformat()} is already in row 2.",
        }
    ]


def test_rule_violation(app, client, auth):
    auth.login("collector.bhopal")
    rows = _good_rows(app)
    figures = _raised(app, 1, 2)
    figures["digitized"] = figures["collected"] + sum(
        figures[n] for n in parsing.FIGURES if n.startswith("asd")
    )
    figures["digitized"] += 1
    rows[1] = _row(1, 2, _today(app), figures)
    job = _refused(app, client, auth, _csv(rows))
    assert job.errors[0]["row"] == 3 and job.errors[0]["column"] == "Digitized"
    assert "Digitized cannot exceed collected plus ASD" in job.errors[0]["message"]


def test_future_date(app, client, auth):
    auth.login("collector.bhopal")
    rows = _good_rows(app)
    rows[0][2] = (_today(app) + timedelta(days=1)).isoformat()
    job = _refused(app, client, auth, _csv(rows))
    assert "is in the future" in job.errors[0]["message"]


def test_upload_form_errors_are_shown_in_the_form(app, client, auth):
    auth.login("collector.bhopal")
    response = _upload(client, auth, b"hello", "figures.pdf", htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html
    assert 'id="import-form"' in html and "Upload a .csv or .xlsx file." in html
    response = _upload(client, auth, b"", "figures.csv")
    assert response.status_code == 422 and "<html" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(ImportJob.id))) == 0


def test_a_failure_while_applying_rolls_everything_back(app, client, auth, monkeypatch):
    auth.login("collector.bhopal")
    _upload(client, auth, _csv(_good_rows(app)))
    job = _job(app)
    before = _reports_state(app)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("app.imports.services.recompute_constituency_days", broken)
    _apply(client, auth, job.id)
    job = _job(app, job.id)
    assert job.status == "failed" and "Nothing was changed" in job.summary["message"]
    assert _reports_state(app) == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(AuditEntry.action == "import.apply")) == 0


# -- pages, progress, scope --------------------------------------------------------------------


def test_status_polls_while_running_as_page_and_fragment(app, client, auth):
    auth.login("collector.bhopal")
    _upload(client, auth, _csv(_good_rows(app)))
    job = _job(app)
    with app.app_context():
        running = db.session.get(ImportJob, job.id)
        running.status, running.total_rows, running.processed_rows = "checking", 65014, 5000
        running.summary = {"phase": "checking"}
        db.session.commit()

    page = client.get(f"/imports/{job.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html
    assert 'hx-trigger="every 1s"' in html and '<progress value="5000" max="65014">' in html

    fragment = client.get(f"/imports/{job.id}", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html and "HX-Request" in fragment.headers["Vary"]
    assert html.lstrip().startswith('<section id="import-status"')
    assert "5,000 of 65,014 rows" in html and 'hx-trigger="every 1s"' in html

    with app.app_context():
        running = db.session.get(ImportJob, job.id)
        running.status, running.summary = "checked", {"rows": 3, "create": 3, "update": 0, "unchanged": 0}
        db.session.commit()
    html = client.get(f"/imports/{job.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "hx-trigger" not in html and "<progress" not in html and "Apply: save 3 reports" in html


def test_apply_refused_as_fragment_for_htmx(app, client, auth):
    auth.login("collector.bhopal")
    rows = _good_rows(app)
    rows[0][1] = 99
    _upload(client, auth, _csv(rows))
    job = _job(app)
    response = _apply(client, auth, job.id, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html
    assert "has errors and cannot be applied" in html


def test_each_run_is_a_queue_job_that_ends_done(app, client, auth):
    """The check and the apply each run as a Job (immediate mode here), linked from the import."""
    auth.login("collector.bhopal")
    _upload(client, auth, _csv(_good_rows(app)))
    job = _job(app)
    with app.app_context():
        check = db.session.get(Job, job.job_id)
        assert (check.kind, check.status, check.params["import_id"]) == (
            "import.check",
            JobStatus.DONE,
            job.id,
        )
        assert check.user.login == "collector.bhopal" and check.district_id == job.district_id
    _apply(client, auth, job.id)
    job = _job(app, job.id)
    with app.app_context():
        run = db.session.get(Job, job.job_id)
        assert job.status == "applied" and run.id != check.id
        assert (run.kind, run.status, run.total, run.processed) == ("import.apply", JobStatus.DONE, 3, 3)


def test_jobs_are_scoped_to_the_district(app, client, auth):
    auth.login("collector.bhopal")
    _upload(client, auth, _csv(_good_rows(app)))
    job = _job(app)
    index = client.get("/imports/").get_data(as_text=True)
    assert "figures.csv" in index and "Checked: ready to apply" in index
    auth.logout()
    auth.login("collector.raisen")
    assert client.get(f"/imports/{job.id}").status_code == 403
    assert "figures.csv" not in client.get("/imports/").get_data(as_text=True)
    assert client.get("/imports/999999").status_code == 404
    auth.logout()
    auth.login("state")
    assert client.get("/imports/").status_code == 403


def test_sample_file_downloads_and_passes_the_check(app, client, auth):
    auth.login("collector.bhopal")
    response = client.get("/imports/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    content = response.get_data()
    text = content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("AC number,Part number,Date,Distributed,Collected,Digitized")
    assert [line.split(",")[:2] for line in lines[1:]] == [["1", str(n)] for n in range(1, 6)]
    _upload(client, auth, content, "part-figures-sample.csv")
    job = _job(app)
    assert job.status == "checked" and job.summary["rows"] == 5


# -- parsing -----------------------------------------------------------------------------------


def test_cells_and_headers(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert parsing.whole_number("1,23,456") == 123456
        assert parsing.whole_number("१२३") == 123
        assert parsing.whole_number(40.0) == 40
        for bad in ("12a", "-3", "2.5", "", None, True):
            with pytest.raises(parsing.CellError):
                parsing.whole_number(bad)
        assert parsing.report_date("2025-11-20").isoformat() == "2025-11-20"
        assert parsing.report_date("20-11-2025").isoformat() == "2025-11-20"
        assert parsing.report_date("20/11/2025").isoformat() == "2025-11-20"
        assert parsing.report_date(45981).isoformat() == "2025-11-20"  # an Excel serial day
        with pytest.raises(parsing.CellError):
            parsing.report_date("31-02-2025")
        index, _ = parsing.find_header(["  AC  No. ", "PART_NO", "वि.स. क्र.x", "Self Mapped", "ASD: Absent"])
        assert index == {"ac_number": 0, "part_number": 1, "mapped_self": 3, "asd_absent": 4}


def test_services_report_progress_and_take_any_scope(app, tmp_path, monkeypatch):
    """The state-wide run of the benchmark: services called directly with the state's scope."""
    from app.imports import services
    from app.scope import Scope

    monkeypatch.setattr(parsing, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(services, "PROGRESS_EVERY", 1)
    rows = _good_rows(app, ((1, 1), (5, 1), (6, 2)))  # Bhopal and Raisen parts
    path = tmp_path / "state.csv"
    path.write_bytes(_csv(rows))
    with app.test_request_context(headers={"Accept-Language": "en"}):
        state = db.session.scalar(select(User).where(User.login == "state"))
        calls = []
        result = services.check_file(path, Scope(state), lambda *call: calls.append(call))
        assert result.errors.count == 0 and len(result.rows) == 3
        assert calls[0] == ("reading", 0, 0) and ("reading", 3, 0) in calls
        assert calls[-1] == ("checking", 3, 3)

        collector = db.session.scalar(select(User).where(User.login == "collector.bhopal"))
        result = services.check_file(path, Scope(collector))
        assert [e["row"] for e in result.errors.items] == [3, 4]

        job = ImportJob(user_id=state.id, filename="state.csv", stored_path=str(path))
        db.session.add(job)
        db.session.commit()
        services._progress_writer(job.id)("checking", 2, 3)  # on its own connection, committed
        db.session.expire_all()
        assert (job.processed_rows, job.total_rows, job.summary) == (2, 3, {"phase": "checking"})


def test_a_job_cut_off_by_a_crash_is_closed_by_the_periodic_task(app, client, auth):
    """A run whose consumer died (heartbeat stale) is marked failed by the closer, not by a page view."""
    from datetime import timedelta

    from app.imports.models import ImportJob
    from app.models import District, User
    from app.tasks import close_cut_off_jobs
    from app.timeutil import utcnow

    with app.app_context():
        collector = db.session.scalar(select(User).where(User.login == "collector.bhopal"))
        bhopal = db.session.scalar(select(District.id).where(District.name_en == "Bhopal"))
        ids = {}
        for name, beat in (("big.csv", utcnow() - timedelta(hours=2)), ("new.csv", utcnow())):
            run = Job(
                kind="import.check",
                status=JobStatus.RUNNING,
                user_id=collector.id,
                district_id=bhopal,
                params={"locale": "en"},
                updated_at=beat,
            )
            db.session.add(run)
            db.session.flush()
            job = ImportJob(
                user_id=collector.id,
                district_id=bhopal,
                filename=name,
                stored_path="/nonexistent",
                status="checking",
                job_id=run.id,
            )
            db.session.add(job)
            db.session.flush()
            run.params = {"locale": "en", "import_id": job.id}
            ids[name] = (job.id, run.id)
        db.session.commit()
    auth.login("collector.bhopal")
    stale_id, fresh_id = ids["big.csv"][0], ids["new.csv"][0]
    assert 'hx-trigger="every' in client.get(f"/imports/{stale_id}").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ImportJob, stale_id).status == "checking"  # the page view wrote nothing

    close_cut_off_jobs.call_local()
    html = client.get(f"/imports/{stale_id}").get_data(as_text=True)
    assert "interrupted" in html and 'hx-trigger="every' not in html
    assert 'hx-trigger="every' in client.get(f"/imports/{fresh_id}").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ImportJob, stale_id).status == "failed"
        assert db.session.get(Job, ids["big.csv"][1]).status == JobStatus.FAILED
        assert db.session.get(ImportJob, fresh_id).status == "checking"
        assert db.session.get(Job, ids["new.csv"][1]).status == JobStatus.RUNNING
