"""Volunteers' upkeep on the queue: offers not answered in time expire, so the need goes back on
the board without anyone opening a page."""

from __future__ import annotations

from app.extensions import db
from app.tasks import every_five_minutes_from_midnight, periodic_task
from app.timeutil import utcnow
from app.volunteers import services


def expire_unanswered_offers() -> int:
    """Expire every offer past its time, in one transaction; run twice, the second does nothing."""
    count = services.expire_offers(utcnow())
    db.session.commit()
    return count


@periodic_task(every_five_minutes_from_midnight)
def expire_offers_periodically() -> None:
    expire_unanswered_offers()
