"""The job queue: storage chosen by QUEUE_URL, and a real consumer process running a job."""

from __future__ import annotations

import pytest
from huey.storage import RedisStorage, SqliteStorage
from sqlalchemy import select

from app import tasks
from app.extensions import db
from app.imports.models import ImportJob
from app.models import Job, JobStatus
from tests.conftest import AuthActions
from tests.imports.test_imports import _csv, _good_rows, _upload
from tests.jobs.conftest import Consumer, wait_for


def test_queue_url_chooses_the_storage(tmp_path, monkeypatch):
    default = tasks.storage_for("", str(tmp_path))
    assert isinstance(default, SqliteStorage) and default.filename == str(tmp_path / "queue.sqlite")
    assert tasks.storage_for(f"sqlite:///{tmp_path}/q.db", "").filename == f"{tmp_path}/q.db"
    assert isinstance(tasks.storage_for("redis://127.0.0.1:6379/3", ""), RedisStorage)
    seen = {}
    monkeypatch.setattr(tasks, "PostgresStorage", lambda name, dsn: seen.setdefault("dsn", dsn))
    tasks.storage_for("postgresql+psycopg://postgres@db:5432/sir", "")
    assert seen["dsn"] == "postgresql://postgres@db:5432/sir"
    with pytest.raises(ValueError, match="QUEUE_URL"):
        tasks.storage_for("amqp://broker", "")


def test_a_real_consumer_runs_an_import_check(queued):
    """The web side only enqueues; a `huey_consumer` process on the test's queue (an SQLite file,
    or PostgreSQL on the PostgreSQL run) runs it."""
    app = queued.app
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    auth = AuthActions(client)
    auth.login("collector.bhopal")
    _upload(client, auth, _csv(_good_rows(app)))
    with app.app_context():
        job = db.session.scalar(select(ImportJob).order_by(ImportJob.id.desc()))
        import_id, run_id = job.id, job.job_id
        assert job.status == "uploaded" and db.session.get(Job, run_id).status == JobStatus.QUEUED
        db.session.remove()

    def finished():
        with app.app_context():
            status = db.session.get(Job, run_id).status
            db.session.remove()
        return status in (JobStatus.DONE, JobStatus.FAILED) and status

    consumer = Consumer(queued, "consumer")
    try:
        status = wait_for(finished, "the check's outcome", consumer)
    finally:
        consumer.stop()
    assert status == JobStatus.DONE, consumer.output()
    with app.app_context():
        job = db.session.get(ImportJob, import_id)
        assert job.status == "checked" and job.summary["rows"] == 3
        db.session.remove()
