"""Escalation on the queue: every five minutes for everything due, and at once for one difficulty
whose page found a step due (so no page view writes to the database)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app

from app.difficulties import services
from app.difficulties.models import RUNNING, Difficulty, Status
from app.extensions import db
from app.tasks import app_task, periodic_task
from app.timeutil import utcnow

DUE_STATUSES = frozenset({*RUNNING, Status.RESOLVED})


def every_five_minutes(timestamp: datetime) -> bool:
    """Minutes 3, 8, 13 … of every hour: every five minutes, apart from the roll-up upkeep (1, 6, 11 …)."""
    return timestamp.replace(tzinfo=UTC).minute % 5 == 3


def run_escalation(only_ids=None) -> services.Escalation:
    """One escalation run in its own transaction, committed; what it did is logged."""
    try:
        result = services.escalate(utcnow(), only_ids=only_ids)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if result.checked:
        current_app.logger.info("escalation: %s", result.as_dict())
    return result


@periodic_task(every_five_minutes)
def escalate_due() -> None:
    run_escalation()


@app_task()
def escalate_now(difficulty_id: int) -> None:
    """The steps due for one difficulty, asked for by its page."""
    run_escalation([difficulty_id])


def is_due(difficulty: Difficulty, now: datetime | None = None) -> bool:
    """Whether a notice, a breach, a climb or an automatic close waits for the escalation job."""
    return (
        difficulty.status in DUE_STATUSES
        and difficulty.next_check_at is not None
        and difficulty.next_check_at <= (now or utcnow())
    )


def escalate_if_due(difficulty: Difficulty, now: datetime | None = None) -> bool:
    """For a page reading a difficulty: enqueue its escalation when a step is due; True if it did."""
    if not is_due(difficulty, now):
        return False
    escalate_now(difficulty.id)
    return True
