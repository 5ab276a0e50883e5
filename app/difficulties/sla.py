"""A difficulty's clock, computed from its timeline: no counter is stored that could drift.

Pure (no Flask, no database). The clock counts the district's working time only (its Calendar:
working hours on working days, holidays left out; health and safety round the clock). Each level a
difficulty reaches gets its own time: first the time to acknowledge, then, once acknowledged, the
time to resolve, both counted from when it reached the level. The clock pauses while the
difficulty waits on the BLO or on the Commission's helpdesk, and stops when it is resolved. At 50 %
and 75 % of the time the owner gets a notice; at 100 % it is overdue and climbs one level
(supervisor → ERO → collector → state).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.difficulties.models import RUNNING, Category, EventKind, Level, Status

NOTICE_PERCENTS = (50, 75)
BREACH_PERCENT = 100
AUTO_CLOSE_AFTER = timedelta(days=3)
REOPEN_WITHIN = timedelta(days=7)


# -- working time ------------------------------------------------------------------------------

DAY_MINUTES = 24 * 60
# A district's hours until its collector sets them: 10:00 to 18:00, Monday to Saturday (ISO weekdays).
DEFAULT_OPENS = 10 * 60
DEFAULT_CLOSES = 18 * 60
DEFAULT_WEEKDAYS = frozenset(range(1, 7))
# How far a search for the next working minute goes before it gives up (a calendar of holidays only).
_SEARCH_DAYS = 3 * 366


@dataclass(frozen=True)
class Calendar:
    """When a district's clocks run: its working hours (minutes after midnight, in `zone`) on its
    working weekdays, its holidays left out. No zone: round the clock.

    Moments in and out are naive UTC, as stored."""

    zone: ZoneInfo | None = None
    opens: int = DEFAULT_OPENS
    closes: int = DEFAULT_CLOSES
    weekdays: frozenset[int] = DEFAULT_WEEKDAYS
    holidays: frozenset[date] = frozenset()

    @property
    def round_the_clock(self) -> bool:
        return self.zone is None or (
            self.opens == 0 and self.closes == DAY_MINUTES and len(self.weekdays) == 7 and not self.holidays
        )

    def local(self, moment: datetime) -> datetime:
        return moment.replace(tzinfo=UTC).astimezone(self.zone)

    def _stored(self, day: date, minute: int) -> datetime:
        """A wall-clock minute of a local day (1440: the midnight ending it) as a stored moment."""
        day += timedelta(days=minute // DAY_MINUTES)
        minute %= DAY_MINUTES
        local = datetime.combine(day, time(minute // 60, minute % 60), self.zone)
        return local.astimezone(UTC).replace(tzinfo=None)

    def works_on(self, day: date) -> bool:
        return day.isoweekday() in self.weekdays and day not in self.holidays

    def _windows(self, moment: datetime, forward: bool) -> Iterator[tuple[datetime, datetime]]:
        """The working windows from the local day of `moment` on (or back), nearest first."""
        day = self.local(moment).date()
        step = timedelta(days=1 if forward else -1)
        for _ in range(_SEARCH_DAYS):
            if self.works_on(day):
                yield self._stored(day, self.opens), self._stored(day, self.closes)
            day += step

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from `start` to `end` (none when `end` is not after `start`)."""
        if end <= start:
            return timedelta()
        if self.round_the_clock:
            return end - start
        total = timedelta()
        for opens, closes in self._windows(start, forward=True):
            if opens >= end:
                break
            total += max(min(closes, end) - max(opens, start), timedelta())
        return total

    def shift(self, moment: datetime, amount: timedelta) -> datetime:
        """The moment `amount` of working time after `moment` (before it, for a negative amount):
        a clock due by the end of the day runs out at closing time, not in the night after it."""
        if self.round_the_clock:
            return moment + amount
        if amount >= timedelta():
            for opens, closes in self._windows(moment, forward=True):
                start = max(opens, moment)
                if closes <= start:
                    continue
                if amount <= closes - start:
                    return start + amount
                amount -= closes - start
        else:
            amount = -amount
            for opens, closes in self._windows(moment, forward=False):
                end = min(closes, moment)
                if end <= opens:
                    continue
                if amount <= end - opens:
                    return end - amount
                amount -= end - opens
        return moment + amount  # no working time at all within years: counted round the clock

    def is_working(self, moment: datetime) -> bool:
        if self.round_the_clock:
            return True
        local = self.local(moment)
        minute = local.hour * 60 + local.minute
        return self.works_on(local.date()) and self.opens <= minute < self.closes

    def next_opening(self, moment: datetime) -> datetime | None:
        """When working time next starts after `moment` (None while it is working time)."""
        if self.is_working(moment):
            return None
        return next((opens for opens, closes in self._windows(moment, True) if opens > moment), None)


ROUND_THE_CLOCK = Calendar()
# A danger to a BLO does not wait for the office to open: these clocks run through the night.
ROUND_THE_CLOCK_CATEGORIES = frozenset({Category.HEALTH, Category.SAFETY})


@dataclass(frozen=True)
class Policy:
    """Where a category starts and how long each level has, in the working time of `calendar`."""

    first_level: Level
    acknowledge: timedelta
    resolve: timedelta
    calendar: Calendar = field(default=ROUND_THE_CLOCK, compare=False)


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
    calendar: Calendar = ROUND_THE_CLOCK  # the working time it counts

    @property
    def waits_for_opening(self) -> datetime | None:
        """Running, but outside working time: when the office opens and the clock moves again."""
        return self.calendar.next_opening(self.now) if self.running else None

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
        return self.calendar.shift(self.now, self.limit * percent / 100 - self.used)

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
    calendar = policy.calendar
    used = timedelta()
    for step, following in zip(period, period[1:], strict=False):
        if step.status in RUNNING:
            used += calendar.between(step.at, following.at)
    running = current.status in RUNNING
    if running:
        used += calendar.between(current.at, now)
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
        calendar=calendar,
    )


def business_time(steps: Sequence[Step], until: datetime, calendar: Calendar = ROUND_THE_CLOCK) -> timedelta:
    """Clock time from opening to `until` over the whole timeline, pauses and the time outside
    `calendar`'s working hours left out: the figures' time to acknowledge and to resolve."""
    total = timedelta()
    for step, following in zip(steps, [*steps[1:], None], strict=False):
        end = following.at if following is not None else until
        if step.status in RUNNING and step.at < until:
            total += calendar.between(step.at, min(end, until))
    return total
