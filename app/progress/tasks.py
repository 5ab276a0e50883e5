"""Roll-up upkeep on the queue, so that no page view writes to the database."""

from __future__ import annotations

from app.campaign.clock import campaign_today
from app.figures.rollups import carry_forward
from app.tasks import every_five_minutes_from_midnight, periodic_task


@periodic_task(every_five_minutes_from_midnight)
def carry_days_forward() -> None:
    """Give every AC today's roll-up row just after midnight (campaign time); readers of a day the
    task has not reached yet read the latest rows instead (figures/queries.py)."""
    carry_forward(campaign_today())
