"""Real consumers in the suite: an app whose tasks go on a real queue, and `huey_consumer` processes
reading it (SQLite and PostgreSQL runs alike: the tests take `database_url`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import text

from app import tasks
from app.extensions import db
from tests.conftest import make_app, reset_database

ROOT = Path(__file__).resolve().parents[2]
HUEY_TABLES = ("huey_kv", "huey_schedule", "huey_task", "huey_counter")  # huey's PostgresStorage


def database_url_for_a_process(database_url) -> str:
    """The test database as a DATABASE_URL another process can use (the PostgreSQL run's schema
    travels in the URL's options)."""
    url, options = database_url
    search_path = options.get("connect_args", {}).get("options")
    if search_path:  # %20 and %3D, which both SQLAlchemy and libpq (huey's queue) read
        url += ("&" if "?" in url else "?") + "options=" + quote(search_path, safe="")
    return url


@dataclass
class Queued:
    """An app of the test's own whose tasks go on `queue_url`, and the environment for its consumers."""

    app: object
    queue_url: str
    env: dict
    folder: Path


@pytest.fixture
def queued(database_url, tmp_path):
    """The tiny demo, with the queue on an SQLite file (SQLite run) or on the test's PostgreSQL
    schema (PostgreSQL run, huey's own tables beside the app's). The process-wide huey (immediate
    mode for every other test) is put back afterwards."""
    saved = (tasks.huey._immediate, tasks.huey.storage, tasks._consumer_app)
    process_url = database_url_for_a_process(database_url)
    queue_url = f"sqlite:///{tmp_path / 'queue.sqlite'}"
    if process_url.startswith("postgresql"):
        queue_url = process_url
    env = {
        **os.environ,
        "DATABASE_URL": process_url,
        "QUEUE_URL": queue_url,
        "QUEUE_IMMEDIATE": "0",
        "SECRET_KEY": "test",
    }
    env.pop(tasks.HOLD_DIR_VARIABLE, None)
    app = None
    try:
        app = make_app(
            database_url, {"QUEUE_IMMEDIATE": False, "QUEUE_URL": queue_url, "IMPORTS_DIR": str(tmp_path)}
        )
        reset_database(app)
        tasks.huey.flush()  # nothing left over from an earlier test on the same queue
        yield Queued(app, queue_url, env, tmp_path)
    finally:
        if tasks.huey.storage is not saved[1] and hasattr(tasks.huey.storage, "close"):
            tasks.huey.storage.close()
        if app is not None:
            with app.app_context():
                db.session.remove()
                if queue_url.startswith("postgresql"):  # the schema as the other tests expect it
                    with db.engine.begin() as connection:
                        connection.execute(text(f"DROP TABLE IF EXISTS {', '.join(HUEY_TABLES)}"))
                db.engine.dispose()
        tasks.huey._immediate, tasks.huey.storage, tasks._consumer_app = saved


class Consumer:
    """`huey_consumer app.worker.huey` as a process of its own: one worker, no periodic tasks (the
    tests call the closer themselves), polling often; its output in a file."""

    def __init__(self, queued: Queued, name: str, **env: str):
        self.log = queued.folder / f"{name}.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "huey.bin.huey_consumer",
                    "app.worker.huey",
                    "--workers",
                    "1",
                    "--no-periodic",
                    "--delay",
                    "0.05",
                    "--max-delay",
                    "0.2",
                ],
                cwd=ROOT,
                env={**queued.env, **env},
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        """kill -9, and reaped (as its supervisor would)."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def wait_for(condition: Callable[[], object], what: str, consumer: Consumer | None = None, seconds=60.0):
    """Poll `condition` until it holds (its value), failing after `seconds` or when the consumer exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if consumer is not None and consumer.process.poll() is not None:
            pytest.fail(f"the consumer exited while waiting for {what}:\n{consumer.output()}")
        time.sleep(0.05)
    pytest.fail(f"waited {seconds} s in vain for {what}" + (f":\n{consumer.output()}" if consumer else ""))
