"""The typed rows the figures are read into: a part's line in a list, a row of a progress table."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from app.models import Part


class PartLine(NamedTuple):
    """A part with its AC's number and its BLO, as every list of parts shows it.

    A named tuple, so that it unpacks like a row of app.figures.selects.part_lines():
    `for part, ac_number, blo_name, blo_mobile in rows`.
    """

    part: Part
    ac_number: int
    blo_name: str | None
    blo_mobile: str | None


PROJECTION_DAYS = 3


@dataclass
class ProgressRow:
    """One row of a progress table: a district, an AC or a part, as of `day`."""

    id: int
    place: object
    electors: int
    parts: int
    blos: int
    parts_reported: int
    figures: dict[str, int]
    digitized_yesterday: int
    digitized_earlier: int  # PROJECTION_DAYS days before yesterday: the last complete days
    day: date
    target: Decimal
    last_report_at: datetime | None = None
    last_report_date: date | None = None  # parts only: the day of the figures shown
    rank: int | None = None
    rank_yesterday: int | None = None
    # Parts only: the part's line, whether the figures shown carry a correction, and its
    # (digitized, reported that very day) of yesterday and the day before.
    line: PartLine | None = None
    correction: bool = False
    before: tuple[tuple[int, bool], ...] = ()
    # The Calls list only: each of the last days' pace, newest first (None: no report), and the
    # shortfall against the targets of those days, in % of electors.
    paces: list[float | None] = field(default_factory=list)
    shortfall: float = 0.0

    @property
    def digitized(self) -> int:
        return self.figures["digitized"]

    @property
    def missing(self) -> int:
        return self.parts - self.parts_reported

    @property
    def reported(self) -> bool:
        return self.parts_reported >= self.parts

    @property
    def none_reported(self) -> bool:
        """No part has reported on the day: its pace is unknown, not zero."""
        return self.parts_reported == 0

    @property
    def finished(self) -> bool:
        """Every form digitized (the Commission counts ASD-marked forms as digitized)."""
        return bool(self.electors) and self.digitized >= self.electors

    def percent(self, name: str) -> float | None:
        return self.figures[name] * 100 / self.electors if self.electors else None

    @property
    def digitized_percent(self) -> float | None:
        return self.percent("digitized")

    @property
    def digitized_percent_yesterday(self) -> float | None:
        return self.digitized_yesterday * 100 / self.electors if self.electors else None

    @property
    def daily_pace(self) -> float | None:
        """Today's digitized − yesterday's, as % of electors; None when nothing was reported."""
        if not self.electors or self.none_reported:
            return None
        return (self.digitized - self.digitized_yesterday) * 100 / self.electors

    @property
    def target_forms(self) -> float:
        """The day's target in forms: the target % of electors, or what was left at the start of
        the day when that is less (clearing the last forms meets the target)."""
        return day_target(self.electors, self.digitized_yesterday, self.target)

    @property
    def target_capped(self) -> bool:
        """The day's target is the forms left, less than the target % of electors."""
        return self.target_forms < float(self.target) * self.electors / 100

    @property
    def forms_left(self) -> int:
        """Forms still to digitize after the day's figures."""
        return max(self.electors - self.digitized, 0)

    @property
    def pace_status(self) -> str:
        """'done', 'missing' (no report on the day), 'nearly' (the last forms left: see
        nearly_done), 'ahead' (met the day's target), 'close' (at least half of it) or 'behind'."""
        if self.finished or not self.electors or self.target_forms <= 0:
            return "done"
        if self.none_reported:
            return "missing"
        return day_status(self.electors, self.digitized_yesterday, self.digitized, self.target)

    @property
    def behind_target(self) -> bool:
        return self.pace_status in ("behind", "close")

    @property
    def recent_pace(self) -> float:
        """Forms digitized per day over the PROJECTION_DAYS complete days before `day`."""
        return (self.digitized_yesterday - self.digitized_earlier) / PROJECTION_DAYS

    @property
    def projected_finish(self) -> date | None:
        """The day all forms would be digitized at the recent pace, counted from the start of
        `day` so that the day's first reports (or their absence at 00:00) do not move it."""
        if self.finished:
            return self.day
        remaining = self.electors - self.digitized_yesterday
        if remaining <= 0:
            return self.day
        if self.recent_pace <= 0:
            return None
        finish = self.day - timedelta(days=1) + timedelta(days=math.ceil(remaining / self.recent_pace))
        return max(finish, self.day)

    @property
    def rank_change(self) -> int | None:
        """Places gained since yesterday (positive = moved up)."""
        if self.rank is None or self.rank_yesterday is None:
            return None
        return self.rank_yesterday - self.rank


def day_target(electors: int, digitized_before: int, target: Decimal) -> float:
    """min(target % × electors, forms left at the start of the day), in forms."""
    return max(0.0, min(float(target) * electors / 100, electors - digitized_before))


# A part is nearly done when the forms it has left at the start of a day are at most this share
# of a day's target (5 forms of 1,000 electors at 10 % a day), or a single form.
NEARLY_DONE_SHARE = 0.05


def nearly_done(electors: int, digitized_before: int, target: Decimal) -> bool:
    """The forms left at the start of the day are the last few: judged against what is left, the
    part is not behind for leaving them to another day (the last forms are often of electors
    still away), and its pace is not measured against a full day's target."""
    left = electors - digitized_before
    return 0 < left <= max(1.0, float(target) * electors / 100 * NEARLY_DONE_SHARE)


def day_status(electors: int, digitized_before: int, digitized: int, target: Decimal) -> str:
    """A reported day's pace against its target: 'ahead', 'nearly', 'close' or 'behind'.

    The day's target is min(target % × electors, forms left at the start of the day): clearing
    the last forms meets it; a part with only its last few forms left is 'nearly' done.
    """
    goal = day_target(electors, digitized_before, target)
    gained = digitized - digitized_before
    if gained >= goal:
        return "ahead"
    if nearly_done(electors, digitized_before, target):
        return "nearly"
    return pace_status(gained, goal)


def pace_status(gained: int, target_forms: float) -> str:
    if gained >= target_forms:
        return "ahead"
    if gained >= target_forms / 2:
        return "close"
    return "behind"


def rank_rows(rows: list[ProgressRow]) -> None:
    """Rank by digitized % (ties share a rank), today and yesterday."""

    def assign(key, attr):
        ordered = sorted((r for r in rows if key(r) is not None), key=key, reverse=True)
        previous, rank = None, 0
        for position, row in enumerate(ordered, start=1):
            value = round(key(row), 9)
            if value != previous:
                rank, previous = position, value
            setattr(row, attr, rank)

    assign(lambda r: r.digitized_percent, "rank")
    assign(lambda r: r.digitized_percent_yesterday, "rank_yesterday")
