"""The rules of offers and days, pure (no Flask, no database): overlaps, the hour cap, expiry,
worked time, no-shows, and how a part's need is ranked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

MAX_PER_PART = 3
OFFER_EXPIRY_HOURS = 24
DAILY_HOUR_CAP = 8
NO_SHOWS_BEFORE_REAPPROVAL = 2


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
