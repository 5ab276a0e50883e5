"""Fixtures in the flaskr style: app, client, auth; a fresh tiny demo for every test.

Set TEST_DATABASE_URL to run the suite on PostgreSQL; each run gets its own schema.
"""

from __future__ import annotations

import os
import re
import uuid

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from app.extensions import db, limiter
from app.seed import DEMO_PASSWORD, seed_demo

PG_URL = os.environ.get("TEST_DATABASE_URL", "")


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
    yield PG_URL, {"connect_args": {"options": f"-csearch_path={schema}"}}
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


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
    }
    config.update(extra or {})
    return create_app(config)


def reset_database(app) -> None:
    """Empty every table and seed the tiny demo: each test starts from the same state."""
    with app.app_context():
        db.create_all()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        seed_demo("tiny", log=lambda *_: None)
        db.session.remove()
    limiter.reset()


@pytest.fixture
def app(database_url):
    app = make_app(database_url)
    reset_database(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


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
