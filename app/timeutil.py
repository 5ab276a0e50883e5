"""Time in the campaign's zone: "today" for a BLO in Bhopal is not the server's today.

Every reading of the clock goes through `now()`, so a test (or a rehearsal of a campaign day)
can set the app's CLOCK config to a callable returning an aware datetime and freeze time.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context


def now() -> datetime:
    """The current moment, aware (UTC unless the injected clock says otherwise)."""
    clock = current_app.config.get("CLOCK") if has_app_context() else None
    return clock() if clock is not None else datetime.now(UTC)


def utcnow() -> datetime:
    """Naive UTC, the form stored in the database on both SQLite and PostgreSQL."""
    return now().astimezone(UTC).replace(tzinfo=None)


def campaign_zone() -> ZoneInfo:
    from app.campaign.services import campaign_timezone

    return ZoneInfo(campaign_timezone())


def campaign_now() -> datetime:
    return now().astimezone(campaign_zone())


def campaign_today() -> date:
    return campaign_now().date()


def campaign_day_of(moment: datetime) -> date:
    """The campaign day of a stored (naive UTC) moment."""
    return moment.replace(tzinfo=UTC).astimezone(campaign_zone()).date()
