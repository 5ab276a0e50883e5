"""A difficulty's clock, computed from its timeline: no counter is stored that could drift.

Pure (no Flask, no database). Each level a difficulty reaches gets its own time: first the time to
acknowledge, then, once acknowledged, the time to resolve, both counted from when it reached the
level. The clock pauses while the difficulty waits on the BLO or on the Commission's helpdesk, and
stops when it is resolved. At 50 % and 75 % of the time the owner gets a notice; at 100 % it is
overdue and climbs one level (supervisor → ERO → collector → state).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.difficulties.models import RUNNING, Category, EventKind, Level, Status

NOTICE_PERCENTS = (50, 75)
BREACH_PERCENT = 100
AUTO_CLOSE_AFTER = timedelta(days=3)
REOPEN_WITHIN = timedelta(days=7)


@dataclass(frozen=True)
class Policy:
    """Where a category starts and how long each level has."""

    first_level: Level
    acknowledge: timedelta
    resolve: timedelta


def _hours(first_level: Level, acknowledge: float, resolve: float) -> Policy:
    return Policy(first_level, timedelta(hours=acknowledge), timedelta(hours=resolve))


# The defaults a collector can change per district (DifficultyRoute).
DEFAULT_POLICIES: dict[Category, Policy] = {
    Category.HEALTH: _hours(Level.ERO, 1, 4),
    Category.SAFETY: _hours(Level.ERO, 1, 4),
    Category.APP: _hours(Level.SUPERVISOR, 4, 24),
    Category.FORMS_SHORT: _hours(Level.SUPERVISOR, 4, 24),
    Category.DISCREPANCY: _hours(Level.ERO, 8, 48),  # an inspection's mismatch goes to the ERO
    **{
        category: _hours(Level.SUPERVISOR, 8, 48)
        for category in (
            Category.NETWORK,
            Category.ELECTORS_ABSENT,
            Category.MAPPING,
            Category.WORKLOAD,
            Category.OTHER,
        )
    },
}


@dataclass(frozen=True)
class Step:
    """What the clock needs of one timeline event: when, what, and the status and level after it."""

    at: datetime
    kind: EventKind
    status: Status
    level: Level
    percent: int | None = None


def starts_level(step: Step, previous: Step | None) -> bool:
    """A level's time starts when the difficulty is opened, climbs, is reopened or is handed to
    another level."""
    if previous is None or step.kind in (EventKind.CREATED, EventKind.ESCALATED, EventKind.REOPENED):
        return True
    return step.level != previous.level


@dataclass(frozen=True)
class Clock:
    level: Level
    status: Status
    level_started_at: datetime
    used: timedelta  # clock time at this level so far, pauses left out
    limit: timedelta  # the time to acknowledge while open, else the time to resolve
    running: bool
    acknowledging: bool  # which limit applies: acknowledge (True) or resolve
    recorded_percent: int  # the highest threshold already written in the timeline for this limit
    now: datetime

    @property
    def fraction(self) -> float:
        return self.used / self.limit if self.limit else 1.0

    @property
    def percent_used(self) -> int:
        return int(self.fraction * 100)

    @property
    def remaining(self) -> timedelta:
        return self.limit - self.used

    def at_percent(self, percent: int) -> datetime | None:
        """When the clock reaches `percent` of its limit if it keeps running; None while it does not."""
        if not self.running:
            return None
        return self.now + (self.limit * percent / 100 - self.used)

    @property
    def due_at(self) -> datetime | None:
        return self.at_percent(BREACH_PERCENT)

    @property
    def breached(self) -> bool:
        return self.running and self.used >= self.limit

    def crossed(self) -> list[int]:
        """Thresholds reached but not yet written in the timeline, lowest first."""
        if not self.running:
            return []
        return [
            p
            for p in (*NOTICE_PERCENTS, BREACH_PERCENT)
            if p > self.recorded_percent and self.used >= self.limit * p / 100
        ]

    @property
    def next_check_at(self) -> datetime | None:
        """The next moment a threshold not yet written is reached, if the clock keeps running."""
        if not self.running:
            return None
        for p in (*NOTICE_PERCENTS, BREACH_PERCENT):
            if p > self.recorded_percent:
                return max(self.at_percent(p), self.now) if self.used < self.limit * p / 100 else self.now
        return None


def clock(steps: Sequence[Step], policy: Policy, now: datetime) -> Clock:
    """The clock of a difficulty's current level, from its timeline (oldest first)."""
    if not steps:
        raise ValueError("a difficulty's timeline starts with its creation")
    start = 0
    for i, step in enumerate(steps):
        if starts_level(step, steps[i - 1] if i else None):
            start = i
    period = steps[start:]
    current = period[-1]
    used = timedelta()
    for step, following in zip(period, period[1:], strict=False):
        if step.status in RUNNING:
            used += max(following.at - step.at, timedelta())
    running = current.status in RUNNING
    if running:
        used += max(now - current.at, timedelta())
    acknowledging = current.status == Status.OPEN
    recorded = max(
        (
            s.percent or 0
            for s in period
            if s.kind in (EventKind.NOTICE, EventKind.OVERDUE) and (s.status == Status.OPEN) == acknowledging
        ),
        default=0,
    )
    return Clock(
        level=current.level,
        status=current.status,
        level_started_at=period[0].at,
        used=used,
        limit=policy.acknowledge if acknowledging else policy.resolve,
        running=running,
        acknowledging=acknowledging,
        recorded_percent=recorded,
        now=now,
    )


def business_time(steps: Sequence[Step], until: datetime) -> timedelta:
    """Clock time from opening to `until` over the whole timeline, pauses left out: the figures'
    time to acknowledge and to resolve."""
    total = timedelta()
    for step, following in zip(steps, [*steps[1:], None], strict=False):
        end = following.at if following is not None else until
        if step.status in RUNNING and step.at < until:
            total += max(min(end, until) - step.at, timedelta())
    return total
