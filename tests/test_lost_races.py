"""The last line under a race (issue 20): a version or a unique key met at the commit, or a
database too busy to take the write, is a clear answer with X-Refusal in the person's language,
never a 500, and nothing of the request is saved."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from app.volunteers import services
from tests.volunteers.mine_support import START, days_of, freeze, make_offer, post, signed_in

pytestmark = pytest.mark.usefixtures("without_seeded_volunteers")


def _failing(error: Exception):
    def service(*args, **kwargs):
        raise error

    return service


@pytest.mark.parametrize(
    ("error", "status", "english", "hindi"),
    [
        (StaleDataError("version 3 expected"), 409, "someone else", "किसी और"),
        (IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed")), 409, "someone else", "किसी और"),
        (OperationalError("UPDATE", {}, Exception("deadlock detected")), 409, "someone else", "किसी और"),
        (OperationalError("UPDATE", {}, Exception("database is locked")), 503, "busy", "व्यस्त"),
    ],
    ids=["stale-version", "unique-key", "deadlock", "busy"],
)
def test_a_lost_race_is_an_answer_not_a_500(app, monkeypatch, error, status, english, hindi):
    freeze(app, START)
    assignment = make_offer(app, accept=True)
    for lang, words in (("en", english), ("hi", hindi)):
        client = signed_in(app, "vol.bhopal.1", lang=lang)
        monkeypatch.setattr(services, "check_in", _failing(error))
        response = post(client, f"/volunteers/assignments/{assignment}/check-in")
        assert response.status_code == status
        assert words in unquote(response.headers["X-Refusal"]).lower()
        assert words in response.get_data(as_text=True).lower()
        if status == 503:
            assert response.headers["Retry-After"]
        monkeypatch.undo()


def test_any_other_database_error_is_still_a_500(app, monkeypatch):
    app.config["PROPAGATE_TEST_ERRORS"] = False
    freeze(app, START)
    assignment = make_offer(app, accept=True)
    client = signed_in(app, "vol.bhopal.1")
    monkeypatch.setattr(services, "check_in", _failing(OperationalError("SELECT", {}, Exception("disk I/O"))))
    assert post(client, f"/volunteers/assignments/{assignment}/check-in").status_code == 500


def test_a_row_held_too_long_by_another_writer_is_a_503_and_nothing_is_saved(app):
    """A real lock, held by another connection past the wait (SQLite's busy timeout, PostgreSQL's
    lock_timeout, both 5 s): the check-in answers 503 with Retry-After and X-Refusal, and saves
    nothing. The other writer then finishes and the same check-in goes through."""
    from sqlalchemy import text

    from app.extensions import db

    freeze(app, START)
    assignment = make_offer(app, accept=True)
    client = signed_in(app, "vol.bhopal.1")
    with app.app_context():
        with db.engine.connect() as other:
            if other.dialect.name == "sqlite":
                other.exec_driver_sql("BEGIN IMMEDIATE")  # the whole database's write lock
            else:
                other.begin()
                other.execute(
                    text("SELECT id FROM volunteer_assignments WHERE id = :id FOR UPDATE"), {"id": assignment}
                )
            response = post(client, f"/volunteers/assignments/{assignment}/check-in")
            assert response.status_code == 503 and response.headers["Retry-After"]
            assert "busy" in unquote(response.headers["X-Refusal"]).lower()
            assert days_of(app, assignment) == []
            other.rollback()
    again = post(client, f"/volunteers/assignments/{assignment}/check-in")
    assert again.status_code == 200 and len(days_of(app, assignment)) == 1
