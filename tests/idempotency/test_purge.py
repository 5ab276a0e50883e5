"""Keys are kept at least 24 hours and purged after 48: by the hourly job, or by
`flask purge-idempotency-keys`."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select

from app.extensions import db
from app.idempotency import purge, purge_old_keys
from app.models import IdempotencyKey, User
from app.timeutil import utcnow
from tests.idempotency.support import new_key


def _keys(app, *ages_in_hours):
    with app.app_context():
        user = db.session.scalar(select(User.id).where(User.login == "blo.1.1"))
        now = utcnow()
        for hours in ages_in_hours:
            at = now - timedelta(hours=hours)
            db.session.execute(
                insert(IdempotencyKey).values(
                    user_id=user,
                    key=new_key(),
                    endpoint="reports.part",
                    fingerprint="0" * 64,
                    status="done",
                    claim="c",
                    created_at=at,
                    claimed_at=at,
                    response_status=200,
                )
            )
        db.session.commit()


def _ages(app):
    with app.app_context():
        now = utcnow()
        return sorted(
            round((now - at).total_seconds() / 3600)
            for at in db.session.scalars(select(IdempotencyKey.created_at))
        )


def test_purge_removes_keys_older_than_48_hours_only(app):
    _keys(app, 1, 25, 47, 49, 100)
    with app.app_context():
        assert purge() == 2
    assert _ages(app) == [1, 25, 47]


def test_the_periodic_job_and_the_command_purge(app):
    _keys(app, 50, 2)
    purge_old_keys.call_local()
    assert _ages(app) == [2]
    _keys(app, 60)
    result = app.test_cli_runner().invoke(args=["purge-idempotency-keys"])
    assert result.exit_code == 0 and "purged idempotency keys: 1" in result.output
    assert _ages(app) == [2]
