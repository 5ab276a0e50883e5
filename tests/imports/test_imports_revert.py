"""Imports keep what they overwrote, check the following days too, and revert the same day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.figures.models import FIGURES, ConstituencyDay, DailyReport
from app.figures.rollups import recompute_constituency_days
from app.models import AuditEntry
from tests.imports.test_imports import (  # noqa: F401 - imports_dir is an autouse fixture
    ENGLISH,
    _apply,
    _csv,
    _job,
    _latest,
    _raised,
    _reports_state,
    _row,
    _today,
    _upload,
    imports_dir,
)


def _audit(app, action: str) -> AuditEntry:
    with app.app_context():
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id.desc())
        )
        db.session.expunge(entry)
        return entry


def _ac_id(number: int) -> int:
    from app.models import Constituency

    return db.session.scalar(select(Constituency.id).where(Constituency.number == number))


def _revert(client, auth, job_id: int, htmx: bool = False):
    token = auth.token(f"/imports/{job_id}")
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/imports/{job_id}/revert", data={"csrf_token": token}, headers=headers)


def _applied(app, client, auth):
    """Apply a file that updates today's report of 1-1 (or creates it) and creates 1-2's."""
    today = _today(app)
    with app.app_context():
        part = _latest(app, 1, 2)
        db.session.execute(
            DailyReport.__table__.delete().where(
                DailyReport.part_id == part["id"], DailyReport.report_date == today
            )
        )
        recompute_constituency_days([_ac_id(1)], today)
        db.session.commit()
    before_11 = _latest(app, 1, 1)
    rows = [_row(1, 1, today, _raised(app, 1, 1)), _row(1, 2, today, _raised(app, 1, 2))]
    _upload(client, auth, _csv(rows))
    job = _job(app)
    assert job.status == "checked", job.errors
    _apply(client, auth, job.id)
    assert _job(app, job.id).status == "applied"
    return job.id, before_11


def test_the_audit_of_an_applied_import_keeps_the_figures_it_replaced(app, client, auth):
    auth.login("collector.bhopal")
    today = _today(app)
    with app.app_context():
        had_report = db.session.scalar(
            select(DailyReport.id).where(
                DailyReport.part_id == _latest(app, 1, 1)["id"], DailyReport.report_date == today
            )
        )
    job_id, before_11 = _applied(app, client, auth)
    entry = _audit(app, "import.apply")
    replaced = {(row[0], row[1]): row for row in entry.before["replaced"]}
    part_11, part_12 = _latest(app, 1, 1)["id"], _latest(app, 1, 2)["id"]
    assert replaced[(part_12, today.isoformat())][2:] == [None, None]  # created: nothing replaced
    old = replaced[(part_11, today.isoformat())]
    if had_report:
        assert old[2] == [before_11["figures"][name] for name in FIGURES]
    assert entry.after["applied_at"]


def test_a_collector_reverts_an_import_the_same_day(app, client, auth):
    auth.login("collector.bhopal")
    state_before = _reports_state(app)
    job_id, _ = _applied(app, client, auth)
    page = client.get(f"/imports/{job_id}").get_data(as_text=True)
    assert "Revert this import" in page
    response = _revert(client, auth, job_id)
    assert response.status_code == 303
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The import was reverted" in after and "Revert this import" not in after
    assert _job(app, job_id).status == "reverted"
    with app.app_context():
        from app.models import Part
        from tests.progress.test_progress import direct_sums

        ac = db.session.scalar(
            select(ConstituencyDay).where(
                ConstituencyDay.day == _today(app), ConstituencyDay.constituency_id == _ac_id(1)
            )
        )
        assert ac.figures() == direct_sums(_today(app), Part.constituency_id == _ac_id(1))
    revert = _audit(app, "import.revert")
    assert revert.after["restored"] + revert.after["deleted"] == 2
    assert _reports_state(app)[1][1] == state_before[1][1]
    assert _reports_state(app)[0][:3] == state_before[0][:3]


def test_revert_is_refused_when_a_part_changed_since(app, client, auth):
    auth.login("collector.bhopal")
    job_id, _ = _applied(app, client, auth)
    with app.app_context():
        report = db.session.scalar(
            select(DailyReport).where(
                DailyReport.part_id == _latest(app, 1, 2)["id"], DailyReport.report_date == _today(app)
            )
        )
        report.updated_at = report.updated_at + timedelta(seconds=5)  # a BLO saved it after the import
        db.session.commit()
    state = _reports_state(app)
    response = _revert(client, auth, job_id, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in body
    assert "has a report saved after this import" in body and "1-2" in body
    assert _reports_state(app) == state and _job(app, job_id).status == "applied"
    plain = _revert(client, auth, job_id)
    assert plain.status_code == 303
    assert "Nothing was reverted" in client.get(plain.headers["Location"]).get_data(as_text=True)


def test_revert_is_refused_after_the_day_ends(app, client, auth):
    auth.login("collector.bhopal")
    job_id, _ = _applied(app, client, auth)
    app.config["CLOCK"] = lambda: datetime.now(UTC) + timedelta(days=1)
    page = client.get(f"/imports/{job_id}").get_data(as_text=True)
    assert "Revert this import" not in page
    state = _reports_state(app)
    response = _revert(client, auth, job_id)
    assert response.status_code == 303
    assert "only on the day it was applied" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _reports_state(app) == state


def test_revert_of_a_job_not_applied_is_refused(app, client, auth):
    auth.login("collector.bhopal")
    _upload(client, auth, _csv([_row(1, 1, _today(app), _raised(app, 1, 1))]))
    job = _job(app)
    response = _revert(client, auth, job.id, htmx=True)
    assert response.status_code == 422 and "Only an applied import can be reverted" in response.get_data(
        as_text=True
    )
    assert _job(app, job.id).status == "checked"


def test_a_past_day_above_the_next_days_figures_needs_a_reason(app, client, auth):
    auth.login("collector.bhopal")
    today = _today(app)
    day = today - timedelta(days=3)
    past = _latest(app, 1, 1, before=day)
    later = _latest(app, 1, 1, before=day + timedelta(days=1))
    if later["figures"] == past["figures"]:
        later = _latest(app, 1, 1)
    raised = dict(later["figures"])
    for name in ("distributed", "collected", "digitized"):
        raised[name] += 3
    _upload(client, auth, _csv([_row(1, 1, day, raised)]))
    job = _job(app)
    assert job.status == "rejected"
    messages = " ".join(e["message"] for e in job.errors)
    assert "Higher than the later report" in messages
    reason = "The later count was short"
    _upload(client, auth, _csv([_row(1, 1, day, raised, reason)], ENGLISH + ["Reason"]))
    job = _job(app)
    assert job.status == "checked", job.errors
    _apply(client, auth, job.id)
    with app.app_context():
        saved = db.session.scalar(
            select(DailyReport).where(DailyReport.part_id == past["id"], DailyReport.report_date == day)
        )
        assert saved.digitized == raised["digitized"] and saved.correction_reason == reason


def test_a_later_row_of_the_same_file_counts_as_the_following_day(app, client, auth):
    auth.login("collector.bhopal")
    today = _today(app)
    day = today - timedelta(days=1)
    base = _latest(app, 1, 1, before=day)["figures"]
    first, second = dict(base), dict(base)
    for name in ("distributed", "collected", "digitized"):
        first[name] += 6
        second[name] += 4  # the file's own later day is lower than its earlier day
    with app.app_context():
        db.session.execute(
            DailyReport.__table__.delete().where(
                DailyReport.part_id == _latest(app, 1, 1)["id"], DailyReport.report_date >= day
            )
        )
        db.session.commit()
    _upload(client, auth, _csv([_row(1, 1, day, first), _row(1, 1, today, second)]))
    job = _job(app)
    assert job.status == "rejected"
    assert any("Higher than the later report" in e["message"] for e in job.errors)
    assert any("Lower than the last report" in e["message"] for e in job.errors)
