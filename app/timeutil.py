"""Time in the campaign's zone: "today" for a BLO in Bhopal is not the server's today."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """Naive UTC, the form stored in the database on both SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


def campaign_zone() -> ZoneInfo:
    from app.campaign.services import campaign_timezone

    return ZoneInfo(campaign_timezone())


def campaign_now() -> datetime:
    return datetime.now(campaign_zone())


def campaign_today() -> date:
    return campaign_now().date()
