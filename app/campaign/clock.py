"""Time in the campaign's zone: "today" for a BLO in Bhopal is not the server's today.

It reads the clock through app.timeutil.now(), so the CLOCK config that freezes time in a test
freezes the campaign's day too.
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from app.campaign.services import campaign_timezone
from app.timeutil import now


def campaign_zone() -> ZoneInfo:
    return ZoneInfo(campaign_timezone())


def campaign_now() -> datetime:
    return now().astimezone(campaign_zone())


def campaign_today() -> date:
    return campaign_now().date()


def campaign_day_of(moment: datetime) -> date:
    """The campaign day of a stored (naive UTC) moment."""
    return moment.replace(tzinfo=UTC).astimezone(campaign_zone()).date()


def local_time(moment: datetime) -> time:
    """The campaign-zone time of day of a stored (naive UTC) moment."""
    return moment.replace(tzinfo=UTC).astimezone(campaign_zone()).time()


def to_utc(day: date, at: time) -> datetime:
    """A campaign-zone day and time as a stored (naive UTC) moment."""
    return datetime.combine(day, at, campaign_zone()).astimezone(UTC).replace(tzinfo=None)
