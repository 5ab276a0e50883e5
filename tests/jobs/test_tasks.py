"""The job queue: storage chosen by QUEUE_URL, and a real consumer process running a job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from huey.storage import RedisStorage, SqliteStorage
from sqlalchemy import select
from sqlalchemy.engine import make_url

from app import tasks
from app.extensions import db
from app.imports.models import ImportJob
from app.models import Job, JobStatus
from tests.conftest import AuthActions, make_app, reset_database
from tests.imports.test_imports import _csv, _good_rows, _upload

ROOT = Path(__file__).resolve().parents[2]


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


def _database_url_for_a_process(database_url) -> str:
    url, options = database_url
    search_path = options.get("connect_args", {}).get("options")
    if search_path:  # the PostgreSQL run's own schema
        url = make_url(url).update_query_dict({"options": search_path}).render_as_string(hide_password=False)
    return url


def test_a_real_consumer_runs_an_import_check(database_url, tmp_path):
    """The web side only enqueues; a `huey_consumer` process on a temporary SQLite queue runs it."""
    queue = f"sqlite:///{tmp_path / 'queue.sqlite'}"
    app = make_app(database_url, {"QUEUE_IMMEDIATE": False, "QUEUE_URL": queue, "IMPORTS_DIR": str(tmp_path)})
    reset_database(app)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    auth = AuthActions(client)
    auth.login("collector.bhopal")
    _upload(client, auth, _csv(_good_rows(app)))
    with app.app_context():
        job = db.session.scalar(select(ImportJob).order_by(ImportJob.id.desc()))
        import_id, run_id = job.id, job.job_id
        assert job.status == "uploaded" and db.session.get(Job, run_id).status == JobStatus.QUEUED

    env = {
        **os.environ,
        "DATABASE_URL": _database_url_for_a_process(database_url),
        "QUEUE_URL": queue,
        "QUEUE_IMMEDIATE": "0",
        "SECRET_KEY": "test",
    }
    consumer = subprocess.Popen(
        [sys.executable, "-m", "huey.bin.huey_consumer", "app.worker.huey", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and consumer.poll() is None:
            with app.app_context():
                status = db.session.get(Job, run_id).status
                db.session.remove()
            if status in (JobStatus.DONE, JobStatus.FAILED):
                break
            time.sleep(0.25)
    finally:
        consumer.send_signal(signal.SIGINT)
        try:
            output, _ = consumer.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            consumer.kill()
            output, _ = consumer.communicate()
    assert status == JobStatus.DONE, output.decode(errors="replace")[-3000:]
    with app.app_context():
        job = db.session.get(ImportJob, import_id)
        assert job.status == "checked" and job.summary["rows"] == 3
        db.session.remove()
        db.engine.dispose()
