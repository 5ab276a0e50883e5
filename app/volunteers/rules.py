"""The rules of offers and days, pure (no Flask, no database): overlaps, the hour cap, expiry,
worked time, no-shows, and how a part's need is ranked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

MAX_PER_PART = 3
OFFER_EXPIRY_HOURS = 24
DAILY_HOUR_CAP = 8
NO_SHOWS_BEFORE_REAPPROVAL = 2
# The work a volunteer can log for one day at one part. Helping with a form takes at least a
# minute, so the forms are at most one a minute of the district's daily hour cap (480 at 8 hours);
# and nobody helps more electors than the part has. A part whose electors are not known is taken at
# the Commission's ceiling for a polling station.
FORMS_PER_HOUR = 60
ELECTORS_CEILING = 1_500


def minutes_between(start: time, end: time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def overlaps(
    a_days: tuple[date, date],
    a_times: tuple[time, time],
    b_days: tuple[date, date],
    b_times: tuple[time, time],
) -> bool:
    """Two assignments overlap when they share a day and their hours cross on it."""
    share_a_day = a_days[0] <= b_days[1] and b_days[0] <= a_days[1]
    hours_cross = a_times[0] < b_times[1] and b_times[0] < a_times[1]
    return share_a_day and hours_cross


def hours_on_a_day(assignments: list[tuple[time, time]]) -> float:
    return sum(minutes_between(start, end) for start, end in assignments) / 60


def worked_minutes(check_in: datetime, check_out: datetime, cap_hours: int = DAILY_HOUR_CAP) -> int:
    """Minutes from check-in to check-out, never below zero nor above the day's cap."""
    minutes = int((check_out - check_in).total_seconds() // 60)
    return max(0, min(minutes, cap_hours * 60))


@dataclass(frozen=True)
class WorkBounds:
    """The most forms and electors a volunteer can plausibly log for one day at one part."""

    forms: int
    electors: int
    part_electors: int  # the part's electors, 0 when not known
    cap_hours: int

    @property
    def forms_by_hours(self) -> bool:
        """The forms are bounded by the hours (one a minute), not by the part's electors."""
        return self.forms == self.cap_hours * FORMS_PER_HOUR


def work_bounds(part_electors: int, cap_hours: int = DAILY_HOUR_CAP) -> WorkBounds:
    """Forms: one a minute of the daily hour cap, and no more than the part's electors; electors:
    no more than the part has (ELECTORS_CEILING when its count is not known)."""
    electors = part_electors if part_electors > 0 else ELECTORS_CEILING
    return WorkBounds(min(cap_hours * FORMS_PER_HOUR, electors), electors, max(part_electors, 0), cap_hours)


def expires_at(offered_at: datetime, hours: int = OFFER_EXPIRY_HOURS) -> datetime:
    return offered_at + timedelta(hours=hours)


def needs_reapproval(no_shows_since_approval: int) -> bool:
    return no_shows_since_approval >= NO_SHOWS_BEFORE_REAPPROVAL


@dataclass(frozen=True)
class NeedInput:
    electors: int
    digitized: int | None  # None: never reported
    recent_pace: float  # forms digitized per day over the last days
    days_left: int  # days to the end of enumeration, at least 1
    days_without_report: int
    open_difficulties: int
    helpers: int  # volunteers already accepted or offered there


@dataclass(frozen=True)
class Need:
    score: float
    forms_left: int
    needed_pace: float  # forms a day still needed to finish in time
    pace_ratio: float | None  # recent pace ÷ needed pace (None when nothing is left)
    reasons: tuple[str, ...]  # why it is listed: forms_left, behind_pace, silent, difficulties


def need(data: NeedInput) -> Need:
    """How badly a part needs help: a higher score is listed first.

    The score is the forms still to digitize, weighted up when the recent pace falls short of the
    pace still needed, when the part has gone without reports and when difficulties are open; each
    volunteer already there takes a share off.
    """
    forms_left = max(data.electors - (data.digitized or 0), 0)
    days_left = max(data.days_left, 1)
    needed = forms_left / days_left
    ratio = (data.recent_pace / needed) if needed > 0 else None
    reasons = []
    weight = 1.0
    if forms_left > 0:
        reasons.append("forms_left")
    if ratio is not None and ratio < 1:
        weight += 1 - ratio
        reasons.append("behind_pace")
    if data.days_without_report >= 1:
        weight += min(data.days_without_report, 5) * 0.2
        reasons.append("silent")
    if data.open_difficulties:
        weight += min(data.open_difficulties, 3) * 0.25
        reasons.append("difficulties")
    score = forms_left * weight / (1 + data.helpers)
    return Need(score, forms_left, needed, ratio, tuple(reasons))
