"""A consumer killed (`kill -9`) in the middle of an import's apply: nothing of the import is saved,
the job and the import are closed as interrupted (by a consumer that starts on the same host at
once, or by the periodic closer after 2 minutes without a heartbeat), the page says so, and
applying again works at once. Real consumer processes, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app import tasks
from app.extensions import db
from app.figures.models import FIGURES, DailyReport
from app.imports.models import ImportJob
from app.models import AuditEntry, Constituency, Job, JobStatus, Part, User
from app.timeutil import utcnow
from tests.conftest import AuthActions, hindi
from tests.imports.test_imports import _apply, _csv, _good_rows, _reports_state, _today, _upload
from tests.jobs.conftest import Consumer, wait_for

HOLD = "import.apply.before_commit"
INTERRUPTED = (
    "Applying was interrupted: the server stopped before it finished. Nothing was changed. "
    "Apply the file again."
)


def _import(app, import_id: int) -> tuple[ImportJob, Job]:
    with app.app_context():
        job = db.session.get(ImportJob, import_id)
        run = db.session.get(Job, job.job_id)
        db.session.expunge_all()
        db.session.remove()
        return job, run


def _digitized(app, rows) -> dict[tuple[int, int], int | None]:
    """(AC, part) → digitized of the part's report on the file's day, or None."""
    day = _today(app)
    with app.app_context():
        found = {}
        for ac, number, *_ in rows:
            found[(ac, number)] = db.session.scalar(
                select(DailyReport.digitized)
                .join(Part, DailyReport.part_id == Part.id)
                .join(Constituency, Part.constituency_id == Constituency.id)
                .where(Constituency.number == ac, Part.number == number, DailyReport.report_date == day)
            )
        db.session.remove()
        return found


@pytest.mark.parametrize(("recovery", "lang"), [("a consumer starting", "en"), ("the periodic closer", "hi")])
def test_a_consumer_killed_mid_apply_changes_nothing_and_the_file_applies_again(queued, recovery, lang):
    app = queued.app
    words = (lambda message: message) if lang == "en" else (lambda message: hindi(app, message))
    client = app.test_client()
    auth = AuthActions(client)
    auth.login("collector.bhopal", lang=lang)
    rows = _good_rows(app)
    file_digitized = {(row[0], row[1]): row[3 + FIGURES.index("digitized")] for row in rows}
    assert _upload(client, auth, _csv(rows)).status_code == 303
    with app.app_context():
        import_id = db.session.scalar(select(ImportJob.id).order_by(ImportJob.id.desc()))
        db.session.remove()

    hold = queued.folder / "hold"
    hold.mkdir()
    first = Consumer(queued, "first", **{tasks.HOLD_DIR_VARIABLE: str(hold)})
    second = None
    try:
        wait_for(lambda: _import(app, import_id)[0].status == "checked", "check", first)
        before = _reports_state(app)
        assert _digitized(app, rows) != file_digitized  # the file changes these parts' figures

        # The apply holds with every change written and none committed; the consumer is killed there.
        assert _apply(client, auth, import_id).status_code == 303
        wait_for((hold / HOLD).exists, "the apply at its hold point", first)
        job, run = _import(app, import_id)
        assert (job.status, run.status) == ("applying", JobStatus.RUNNING)
        assert (run.worker_host, run.worker_pid) == (tasks.this_host(), first.pid)
        first.kill()

        assert _reports_state(app) == before  # nothing of the import was saved
        with app.app_context():
            applied = select(AuditEntry).where(
                AuditEntry.action == "import.apply", AuditEntry.object_id == str(import_id)
            )
            assert db.session.scalars(applied).all() == []
            db.session.remove()
        # What was found: the page says "saving…" and applying again is refused.
        assert words("Saving the figures…") in client.get(f"/imports/{import_id}").get_data(as_text=True)
        refused = _apply(client, auth, import_id, htmx=True)
        assert refused.status_code == 422
        assert words("This file is being applied now.") in refused.get_data(as_text=True)

        if recovery == "a consumer starting":
            # Same host: the new consumer sees at start-up that the claiming process is gone.
            second = Consumer(queued, "second")
            wait_for(lambda: _import(app, import_id)[1].status == JobStatus.FAILED, "the job closed", second)
        else:
            # Another host's job can be judged only by its heartbeat: 2 minutes without one.
            with app.app_context():
                db.session.get(Job, run.id).worker_host = "another-machine"
                db.session.commit()
                heartbeat = db.session.get(Job, run.id).updated_at.replace(tzinfo=UTC)
                for seconds, still_running in ((119, True), (121, False)):
                    app.config["CLOCK"] = lambda moment=heartbeat + timedelta(seconds=seconds): moment
                    tasks.close_cut_off_jobs.call_local()
                    assert (db.session.get(Job, run.id).status == JobStatus.RUNNING) is still_running
                    db.session.remove()
                del app.config["CLOCK"]
            second = Consumer(queued, "second")

        job, run = _import(app, import_id)
        assert (run.status, run.error, job.status) == (JobStatus.FAILED, "interrupted", "checked")
        page = client.get(f"/imports/{import_id}").get_data(as_text=True)
        assert words(INTERRUPTED) in page
        assert f'action="/imports/{import_id}/apply"' in page and 'hx-trigger="every' not in page

        # Applying again is taken at once, and applies the whole file.
        assert _apply(client, auth, import_id).status_code == 303
        wait_for(lambda: _import(app, import_id)[1].status == JobStatus.DONE, "the second apply", second)
        assert _import(app, import_id)[0].status == "applied"
        assert _digitized(app, rows) == file_digitized
        assert INTERRUPTED not in client.get(f"/imports/{import_id}").get_data(as_text=True)
    finally:
        for consumer in (first, second):
            if consumer is not None:
                consumer.stop()


# -- the rules, without a consumer -------------------------------------------------------------------


def test_the_closer_runs_every_minute():
    start = datetime(2026, 12, 8, 0, 0)
    closer = tasks.close_cut_off_jobs.task_class
    for minute in range(120):
        due = tasks.huey.read_periodic(start + timedelta(minutes=minute))
        assert any(isinstance(task, closer) for task in due), minute
    # Dead within 3 minutes (2 without a heartbeat, then the next minute's run); a live job would
    # have to miss 6 heartbeats in a row to be taken for dead.
    assert tasks.STALE_AFTER + timedelta(minutes=1) <= timedelta(minutes=3)
    assert tasks.STALE_AFTER.total_seconds() / tasks.HEARTBEAT_EVERY >= 6


def _running_job(app, **worker) -> int:
    with app.app_context():
        collector = db.session.scalar(select(User).where(User.login == "collector.bhopal"))
        job = Job(
            kind="test.kind",
            status=JobStatus.RUNNING,
            user_id=collector.id,
            params={},
            updated_at=utcnow() - timedelta(hours=3),
            **worker,
        )
        db.session.add(job)
        db.session.commit()
        return job.id


def _status(app, job_id: int) -> JobStatus:
    with app.app_context():
        status = db.session.get(Job, job_id).status
        db.session.remove()
        return status


def test_a_job_on_this_host_lives_as_long_as_its_process(app):
    """However old its heartbeat (its transaction may hold SQLite's lock for minutes), a job whose
    process is alive stays running; a gone process, a pid now another process's, or this very
    process not running it, are dead at once."""
    here = tasks.this_host()
    alive = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    try:
        started = tasks._process_stat(alive.pid)[1]
        live = _running_job(app, worker_host=here, worker_pid=alive.pid, worker_started=started)
        other_start = None if started is None else started + 1
        reused = _running_job(app, worker_host=here, worker_pid=alive.pid, worker_started=other_start)
        dead = _running_job(app, worker_host=here, worker_pid=gone.pid)
        own = _running_job(app, worker_host=here, worker_pid=os.getpid())
        mine = _running_job(app, worker_host=here, worker_pid=os.getpid())
        with tasks._running_in_this_process(mine), app.app_context():
            closed = tasks.close_stale_jobs()
        assert _status(app, live) == JobStatus.RUNNING and _status(app, mine) == JobStatus.RUNNING
        assert _status(app, dead) == _status(app, own) == JobStatus.FAILED
        if started is not None:  # Linux: the start time tells a pid used again
            assert _status(app, reused) == JobStatus.FAILED and closed == 3
        else:
            assert closed == 2
    finally:
        alive.communicate(b"")


def test_a_job_on_another_host_dies_with_its_heartbeat_after_two_minutes(app):
    beat = utcnow()
    job_id = _running_job(app, worker_host="another-machine", worker_pid=os.getpid())
    with app.app_context():
        db.session.get(Job, job_id).updated_at = beat
        db.session.commit()
        assert tasks.close_stale_jobs(now=beat + timedelta(seconds=119)) == 0
        assert tasks.close_stale_jobs(now=beat + timedelta(seconds=121)) == 1
        db.session.remove()
    assert _status(app, job_id) == JobStatus.FAILED


def test_the_heartbeat_beats_while_the_job_says_nothing(app):
    job_id = _running_job(app, worker_host="another-machine", worker_pid=1)
    with app.app_context():
        old = db.session.get(Job, job_id).updated_at
        db.session.remove()

    def beaten():
        with app.app_context():
            updated = db.session.get(Job, job_id).updated_at
            db.session.remove()
            return updated > old

    with tasks.Heartbeat(app, job_id, every=0.02) as heartbeat:
        wait_for(beaten, "a heartbeat", seconds=30)
    assert not heartbeat._thread.is_alive()
    with app.app_context():
        assert tasks.close_stale_jobs() == 0  # beaten just now, though from another machine
