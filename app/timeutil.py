"""The app's one reading of the clock, in UTC; the campaign's days are in app/campaign/clock.py.

Every reading of the clock goes through `now()`, so a test (or a rehearsal of a campaign day)
can set the app's CLOCK config to a callable returning an aware datetime and freeze time.
"""

from datetime import UTC, datetime

from flask import current_app, has_app_context


def now() -> datetime:
    """The current moment, aware (UTC unless the injected clock says otherwise)."""
    clock = current_app.config.get("CLOCK") if has_app_context() else None
    return clock() if clock is not None else datetime.now(UTC)


def utcnow() -> datetime:
    """Naive UTC, the form stored in the database on both SQLite and PostgreSQL."""
    return now().astimezone(UTC).replace(tzinfo=None)
