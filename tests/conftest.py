"""Fixtures in the flaskr style: app, client, auth; a fresh tiny demo for every test.

Set TEST_DATABASE_URL to run the suite on PostgreSQL; each run gets its own schema.

What makes the suite cheap, with every test still starting from the same state:
- one app for the run (`app`), its configuration put back after each test;
- the tiny demo seeded once and copied back before each test (`reset_database`), seeded again
  when the copy is a minute old (the demo's clocks follow the real time), when midnight came in
  the campaign's zone since, or when the app has a CLOCK;
- a one-round password hash under the test configuration (production's scrypt is tested apart).
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from psycopg.errors import UndefinedTable
from sqlalchemy import Integer, create_engine, text

from app import create_app, tasks
from app.demo import DEMO_PASSWORD, seed_demo
from app.extensions import db, limiter

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
TEST_PASSWORD_HASH = "pbkdf2:sha256:1"
# The demo's times are the real time of its seeding: a copy older than this is seeded again.
SNAPSHOT_SECONDS = 60


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A database of our own for this test run: an SQLite file, or a PostgreSQL schema."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}", {}
        return
    schema = f"sir_test_{uuid.uuid4().hex[:8]}"
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    # Commits wait for no disk flush: a test's data need not outlive a crash.
    yield PG_URL, {"connect_args": {"options": f"-csearch_path={schema} -csynchronous_commit=off"}}
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Marks, from what each test uses, what the PostgreSQL run leaves out (`make test-pg`):
    `no_database` for a test that asks for no database (no `database_url`, directly or through
    its fixtures: rules, clocks, routing, formatting), `browser` for one under tests/e2e/."""
    for item in items:
        if "database_url" not in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.no_database)
        if "e2e" in item.path.parts:
            item.add_marker(pytest.mark.browser)


def make_app(database_url, extra: dict | None = None):
    url, engine_options = database_url
    config = {
        "TESTING": True,
        "SECRET_KEY": "test",
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, **engine_options},
        "RATELIMIT_STORAGE_URI": "memory://",
        "PROPAGATE_TEST_ERRORS": False,
        "QUEUE_IMMEDIATE": True,
        "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH,
    }
    config.update(extra or {})
    return create_app(config)


class _Snapshot:
    """The tiny demo as seeded, and when and where it was seeded: on SQLite a copy of the whole
    database in memory (put back with SQLite's backup API, schema included), on PostgreSQL each
    table's rows in COPY's own format (put back with COPY, byte for byte)."""

    copy = None
    url: str = ""
    taken = 0.0
    day = None  # the campaign's day when it was seeded: its "today" reports are of that day


def _campaign_day(app):
    return datetime.now(ZoneInfo(app.config["CAMPAIGN_TIMEZONE"])).date()


def _empty(conn) -> None:
    for table in reversed(db.metadata.sorted_tables):
        conn.execute(table.delete())


def _take_snapshot(engine):
    raw = engine.raw_connection()
    try:
        if engine.dialect.name == "sqlite":
            copy = sqlite3.connect(":memory:", check_same_thread=False)
            raw.driver_connection.backup(copy)
            return copy
        rows, sequences = {}, []
        with raw.cursor() as cursor:
            for table in db.metadata.sorted_tables:
                with cursor.copy(f'COPY "{table.name}" TO STDOUT') as out:
                    rows[table.name] = b"".join(bytes(block) for block in out)
                key = list(table.primary_key.columns)
                if len(key) == 1 and isinstance(key[0].type, Integer) and rows[table.name]:
                    cursor.execute(
                        f'SELECT pg_get_serial_sequence(%s, %s), max("{key[0].name}") FROM "{table.name}"',
                        (f'"{table.name}"', key[0].name),
                    )
                    sequence, highest = cursor.fetchone()
                    if sequence:
                        sequences.append(f"SELECT setval('{sequence}', {int(highest)})")
        raw.rollback()
        return rows, sequences
    finally:
        raw.close()


def _restore_snapshot(engine, copy) -> None:
    """The database as it was seeded, ids included (and PostgreSQL's sequences moved past them),
    in a few round trips. The rows were consistent when taken: PostgreSQL's triggers, the foreign
    keys' checks among them, are off while they go back."""
    raw = engine.raw_connection()
    try:
        if engine.dialect.name == "sqlite":
            copy.backup(raw.driver_connection)
            return
        rows, sequences = copy
        deletes = [f'DELETE FROM "{table.name}"' for table in db.metadata.sorted_tables]
        with raw.cursor() as cursor:  # DELETE: TRUNCATE costs 3 ms a table
            cursor.execute("; ".join(["SET LOCAL session_replication_role = replica", *deletes]))
            for table in db.metadata.sorted_tables:
                if rows[table.name]:
                    with cursor.copy(f'COPY "{table.name}" FROM STDIN') as into:
                        into.write(rows[table.name])
            cursor.execute("; ".join(sequences))
        raw.commit()
    finally:
        raw.close()


def reset_database(app) -> None:
    """The tiny demo, as seeded, in every table: each test starts from the same state."""
    fresh = (
        _Snapshot.copy is None
        or _Snapshot.url != app.config["SQLALCHEMY_DATABASE_URI"]
        or time.monotonic() - _Snapshot.taken > SNAPSHOT_SECONDS
        or _Snapshot.day != _campaign_day(app)  # midnight in the campaign's zone came since
        or app.config.get("CLOCK") is not None  # a test's own moment: seeded at that moment
    )
    with app.app_context():
        if fresh:
            day = _campaign_day(app)  # before seeding: a midnight during the seed reseeds next time
            db.create_all()
            with db.engine.begin() as conn:
                _empty(conn)
            seed_demo("tiny", log=lambda *_: None)
            db.session.commit()
            if app.config.get("CLOCK") is None:
                _Snapshot.copy = _take_snapshot(db.engine)
                _Snapshot.url, _Snapshot.taken = app.config["SQLALCHEMY_DATABASE_URI"], time.monotonic()
                _Snapshot.day = day
        else:
            db.session.remove()
            try:
                _restore_snapshot(db.engine, _Snapshot.copy)
            except UndefinedTable:
                db.create_all()  # a test dropped the tables (tests/test_migrations.py)
                _restore_snapshot(db.engine, _Snapshot.copy)
        db.session.remove()
    limiter.reset()


@pytest.fixture(scope="session")
def shared_app(database_url):
    """One app for the run: building one (its 500 routes, its templates) costs 0.3 s."""
    app = make_app(database_url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(shared_app):
    """The run's app on a fresh copy of the tiny demo; what a test changes in its configuration
    is put back afterwards."""
    config = dict(shared_app.config)
    reset_database(shared_app)
    # The job queue is one per process: a test that built an app of its own (make_app) pointed it at
    # that app's storage and mode. Point it back, so this test's jobs run at once in this app.
    tasks.init_app(shared_app)
    yield shared_app
    with shared_app.app_context():
        db.session.remove()
    shared_app.config.clear()
    shared_app.config.update(config)


@pytest.fixture
def client(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # anonymous pages otherwise default to Hindi
    return client


def csrf_token(client, url: str = "/auth/login") -> str:
    html = client.get(url, follow_redirects=True).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'"X-CSRFToken": "([^"]+)"', html
    )
    assert match, f"no CSRF token on {url}"
    return match[1]


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(
        self, login: str, password: str = DEMO_PASSWORD, next_url: str | None = None, lang: str | None = "en"
    ):
        """Sign in; then switch to `lang` (demo accounts read Hindi) unless lang is None."""
        token = csrf_token(self._client)
        url = "/auth/login" + (f"?next={next_url}" if next_url else "")
        response = self._client.post(url, data={"login": login, "password": password, "csrf_token": token})
        if lang and response.status_code == 303:
            self._client.post("/auth/language", data={"lang": lang, "csrf_token": token})
        return response

    def logout(self):
        token = csrf_token(self._client, "/")
        return self._client.post("/auth/logout", data={"csrf_token": token})

    def token(self, url: str = "/") -> str:
        return csrf_token(self._client, url)


@pytest.fixture
def auth(client):
    return AuthActions(client)


# Demo logins of the tiny scale: districts Bhopal (ACs 1, 2) and Raisen (ACs 4, 5 in the state plan).
LOGINS = {
    "state": "state",
    "collector": "collector.bhopal",
    "ero": "ero.1",
    "supervisor": "sup.1.1",
    "blo": "blo.1.1",
    "volunteer": "vol.bhopal.1",
    "admin": "admin",
}


@pytest.fixture
def without_seeded_difficulties(app):
    """The tiny demo without its seeded difficulties, for tests that count from an empty board."""
    from sqlalchemy import update

    from app.difficulties.models import Difficulty, DifficultyEvent, DifficultyPhoto, Notification
    from app.models import AuditEntry
    from app.reviews.models import BloReview

    remove_seeded_inspections(app)  # the seeded visit's flag and stop name an inspection difficulty
    with app.app_context():
        db.session.execute(update(BloReview).values(difficulty_id=None))
        db.session.execute(update(Difficulty).values(duplicate_of_id=None))
        for model in (Notification, DifficultyPhoto, DifficultyEvent, Difficulty):
            db.session.execute(model.__table__.delete())
        db.session.execute(AuditEntry.__table__.delete().where(AuditEntry.action.like("difficulty.%")))
        db.session.commit()
    return app


def hindi(app, message: str, **variables) -> str:
    """The catalogue's Hindi for an English message: tests name the message, not one wording of it."""
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale("hi"):
        translated = gettext(message, **variables)
    assert translated != message, f"no Hindi for {message!r}"
    return translated


def remove_seeded_volunteers(app) -> None:
    """Take the tiny demo's volunteer profiles and offers away, for tests that build their own."""
    from app.models import AuditEntry
    from app.volunteers.models import Assignment, AvailabilityWindow, VisitDay, Volunteer, VolunteerSettings

    with app.app_context():
        for model in (VisitDay, Assignment, AvailabilityWindow, Volunteer, VolunteerSettings):
            db.session.execute(model.__table__.delete())
        db.session.execute(AuditEntry.__table__.delete().where(AuditEntry.action.like("volunteer.%")))
        db.session.commit()


@pytest.fixture
def without_seeded_volunteers(app):
    remove_seeded_volunteers(app)
    return app


def remove_seeded_inspections(app) -> None:
    """Take the tiny demo's inspections (a finished one with a flag, a planned one) away, for tests
    that count from none."""
    from app.inspections.models import ActionItem, Checklist, Inspection, PartFlag, Stop, StopPhoto
    from app.models import AuditEntry

    with app.app_context():
        for model in (PartFlag, ActionItem, StopPhoto, Stop, Inspection, Checklist):
            db.session.execute(model.__table__.delete())
        db.session.execute(AuditEntry.__table__.delete().where(AuditEntry.action.like("inspection.%")))
        db.session.commit()


@pytest.fixture
def without_seeded_inspections(app):
    remove_seeded_inspections(app)
    return app
