"""Progress figures for every level, read from the roll-ups (districts, ACs) or reports (parts).

Every function answers in a handful of grouped queries whatever the number of rows. A day's
figures are each part's latest report on or before that day; `parts_reported` counts only the
reports of that very day, so a silent part shows as missing, not as zero progress.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Select, and_, func, select
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.models import FIGURES, Constituency, ConstituencyDay, DailyReport, District, Part, User
from app.progress.rollups import carry_forward

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
    digitized_earlier: int  # PROJECTION_DAYS days before `day`
    day: date
    target: Decimal
    last_report_at: datetime | None = None
    last_report_date: date | None = None  # parts only: the day of the figures shown
    rank: int | None = None
    rank_yesterday: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def digitized(self) -> int:
        return self.figures["digitized"]

    @property
    def missing(self) -> int:
        return self.parts - self.parts_reported

    @property
    def reported(self) -> bool:
        return self.parts_reported >= self.parts

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
        """Today's digitized − yesterday's, as % of electors."""
        if not self.electors:
            return None
        return (self.digitized - self.digitized_yesterday) * 100 / self.electors

    @property
    def pace_status(self) -> str:
        """'done', 'ahead' (met the target), 'close' (at least half of it) or 'behind'."""
        if self.electors and self.digitized >= self.electors:
            return "done"
        pace = self.daily_pace
        if pace is None:
            return "behind"
        if pace >= float(self.target):
            return "ahead"
        if pace >= float(self.target) / 2:
            return "close"
        return "behind"

    @property
    def behind_target(self) -> bool:
        return self.pace_status in ("behind", "close")

    @property
    def recent_pace(self) -> float:
        """Forms digitized per day over the last PROJECTION_DAYS days."""
        return (self.digitized - self.digitized_earlier) / PROJECTION_DAYS

    @property
    def projected_finish(self) -> date | None:
        """The day all forms would be digitized at the recent pace; None when there is no pace."""
        remaining = self.electors - self.digitized
        if remaining <= 0:
            return self.day
        if self.recent_pace <= 0:
            return None
        return self.day + timedelta(days=math.ceil(remaining / self.recent_pace))

    @property
    def rank_change(self) -> int | None:
        """Places gained since yesterday (positive = moved up)."""
        if self.rank is None or self.rank_yesterday is None:
            return None
        return self.rank_yesterday - self.rank


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


# -- roll-up levels: districts and ACs -----------------------------------------------------


def _carried_forward(day: date, condition: ColumnElement[bool], group_column) -> Select:
    """Sum of the ACs' roll-ups of `day`, grouped by `group_column` (each AC has a row every day
    from its first report on, see rollups.carry_forward)."""
    cd = ConstituencyDay
    return (
        select(
            group_column,
            func.sum(cd.parts_reported),
            func.max(cd.last_report_at),
            *(func.sum(getattr(cd, name)) for name in FIGURES),
        )
        .where(cd.day == day, condition)
        .group_by(group_column)
    )


def _figures_by(day: date, condition, group_column) -> dict[int, tuple[int, datetime | None, dict]]:
    carry_forward(day)
    result = {}
    for key, reported, last_at, *sums in db.session.execute(_carried_forward(day, condition, group_column)):
        if isinstance(last_at, str):  # SQLite returns max() of datetimes as text
            last_at = datetime.fromisoformat(last_at)
        result[key] = (
            int(reported or 0),
            last_at,
            dict(zip(FIGURES, (int(v or 0) for v in sums), strict=True)),
        )
    return result


def _rollup_rows(places, totals, day: date, target: Decimal, condition, group_column) -> list[ProgressRow]:
    today = _figures_by(day, condition, group_column)
    yesterday = _figures_by(day - timedelta(days=1), condition, group_column)
    earlier = _figures_by(day - timedelta(days=PROJECTION_DAYS), condition, group_column)
    zero = (0, None, dict.fromkeys(FIGURES, 0))
    rows = []
    for place in places:
        electors, parts, blos = totals.get(place.id, (0, 0, 0))
        reported, last_at, figures = today.get(place.id, zero)
        rows.append(
            ProgressRow(
                id=place.id,
                place=place,
                electors=electors,
                parts=parts,
                blos=blos,
                parts_reported=reported,
                figures=figures,
                digitized_yesterday=yesterday.get(place.id, zero)[2]["digitized"],
                digitized_earlier=earlier.get(place.id, zero)[2]["digitized"],
                day=day,
                target=target,
                last_report_at=last_at,
            )
        )
    rank_rows(rows)
    return rows


def district_rows(day: date, target: Decimal, district_condition: ColumnElement[bool]) -> list[ProgressRow]:
    """The state's table: one row per district in scope."""
    districts = db.session.scalars(
        select(District).where(district_condition).order_by(District.name_en)
    ).all()
    ids = [d.id for d in districts]
    totals = {
        row[0]: (int(row[1]), int(row[2]), int(row[3]))
        for row in db.session.execute(
            select(
                Constituency.district_id,
                func.sum(Constituency.electors),
                func.sum(Constituency.parts_count),
                func.sum(Constituency.blos_count),
            )
            .where(Constituency.district_id.in_(ids))
            .group_by(Constituency.district_id)
        )
    }
    return _rollup_rows(
        districts, totals, day, target, ConstituencyDay.district_id.in_(ids), ConstituencyDay.district_id
    )


def constituency_rows(
    day: date, target: Decimal, constituency_condition: ColumnElement[bool]
) -> list[ProgressRow]:
    """A district's table: one row per AC in scope."""
    constituencies = db.session.scalars(
        select(Constituency).where(constituency_condition).order_by(Constituency.number)
    ).all()
    ids = [c.id for c in constituencies]
    totals = {c.id: (c.electors, c.parts_count, c.blos_count) for c in constituencies}
    return _rollup_rows(
        constituencies,
        totals,
        day,
        target,
        ConstituencyDay.constituency_id.in_(ids),
        ConstituencyDay.constituency_id,
    )


def total_row(rows: list[ProgressRow], place=None) -> ProgressRow:
    """The sum of a table's rows, for its footer."""
    day = rows[0].day if rows else date.today()
    target = rows[0].target if rows else Decimal(10)
    stamps = [r.last_report_at for r in rows if r.last_report_at]
    return ProgressRow(
        id=0,
        place=place,
        electors=sum(r.electors for r in rows),
        parts=sum(r.parts for r in rows),
        blos=sum(r.blos for r in rows),
        parts_reported=sum(r.parts_reported for r in rows),
        figures={name: sum(r.figures[name] for r in rows) for name in FIGURES},
        digitized_yesterday=sum(r.digitized_yesterday for r in rows),
        digitized_earlier=sum(r.digitized_earlier for r in rows),
        day=day,
        target=target,
        last_report_at=max(stamps) if stamps else None,
    )


# -- part level ---------------------------------------------------------------------------


def _latest_report_days(day: date, part_condition: ColumnElement[bool]):
    """Each part's latest report day on or before `day`, as a subquery (part_id, day)."""
    return (
        select(DailyReport.part_id, func.max(DailyReport.report_date).label("day"))
        .join(Part, Part.id == DailyReport.part_id)
        .where(DailyReport.report_date <= day, part_condition)
        .group_by(DailyReport.part_id)
        .subquery()
    )


def _part_figures(day: date, part_condition: ColumnElement[bool]) -> dict[int, DailyReport]:
    latest = _latest_report_days(day, part_condition)
    reports = db.session.scalars(
        select(DailyReport).join(
            latest, and_(DailyReport.part_id == latest.c.part_id, DailyReport.report_date == latest.c.day)
        )
    )
    return {r.part_id: r for r in reports}


def _part_digitized(day: date, part_condition: ColumnElement[bool]) -> dict[int, int]:
    latest = _latest_report_days(day, part_condition)
    return dict(
        db.session.execute(
            select(DailyReport.part_id, DailyReport.digitized).join(
                latest, and_(DailyReport.part_id == latest.c.part_id, DailyReport.report_date == latest.c.day)
            )
        ).all()
    )


def part_rows(day: date, target: Decimal, part_condition: ColumnElement[bool]) -> list[ProgressRow]:
    """One row per part in scope, with its BLO (name, mobile) in `extra`."""
    parts = db.session.execute(
        select(Part, Constituency.number, User.name, User.mobile)
        .join(Constituency, Part.constituency_id == Constituency.id)
        .outerjoin(User, Part.blo_id == User.id)
        .where(part_condition)
        .order_by(Constituency.number, Part.number)
    ).all()
    today = _part_figures(day, part_condition)
    yesterday = _part_digitized(day - timedelta(days=1), part_condition)
    earlier = _part_digitized(day - timedelta(days=PROJECTION_DAYS), part_condition)
    rows = []
    for part, ac_number, blo_name, blo_mobile in parts:
        report = today.get(part.id)
        rows.append(
            ProgressRow(
                id=part.id,
                place=part,
                electors=part.electors,
                parts=1,
                blos=1 if part.blo_id else 0,
                parts_reported=1 if report is not None and report.report_date == day else 0,
                figures=report.figures() if report else dict.fromkeys(FIGURES, 0),
                digitized_yesterday=yesterday.get(part.id, 0),
                digitized_earlier=earlier.get(part.id, 0),
                day=day,
                target=target,
                last_report_at=report.updated_at
                if report is not None and report.report_date == day
                else None,
                last_report_date=report.report_date if report else None,
                extra={
                    "ac_number": ac_number,
                    "blo_name": blo_name,
                    "blo_mobile": blo_mobile,
                    "blo_id": part.blo_id,
                    "correction": bool(report and report.correction_reason),
                },
            )
        )
    rank_rows(rows)
    return rows


def parts_needing_a_call(
    day: date, target: Decimal, part_condition: ColumnElement[bool], days_running: int = 2
) -> list[ProgressRow]:
    """Parts whose daily pace was below target on each of the last `days_running` days,
    the furthest behind first. A day without a report counts as no progress that day."""
    digitized = [_part_digitized(day - timedelta(days=k), part_condition) for k in range(days_running + 1)]
    rows = part_rows(day, target, part_condition)
    needing = []
    for row in rows:
        if not row.electors or row.digitized >= row.electors:
            continue
        paces = [
            (digitized[k].get(row.id, 0) - digitized[k + 1].get(row.id, 0)) * 100 / row.electors
            for k in range(days_running)
        ]
        if all(p < float(target) for p in paces):
            row.extra["paces"] = paces
            row.extra["shortfall"] = sum(float(target) - p for p in paces)
            needing.append(row)
    needing.sort(key=lambda r: (-r.extra["shortfall"], r.digitized_percent or 0))
    return needing


def digitized_series(start: date, end: date, condition: ColumnElement[bool]) -> list[tuple[date, int]]:
    """Cumulative digitized per day from start to end for the ACs matching `condition`:
    one grouped query of at most one row per day, whatever the number of ACs or parts."""
    carry_forward(end)
    totals = {
        _as_date(day): int(total or 0)
        for day, total in db.session.execute(
            select(ConstituencyDay.day, func.sum(ConstituencyDay.digitized))
            .where(condition, ConstituencyDay.day.between(start, end))
            .group_by(ConstituencyDay.day)
        )
    }
    series, day = [], start
    while day <= end:
        series.append((day, totals.get(day, 0)))  # no row yet: no AC had reported by then
        day += timedelta(days=1)
    return series


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def part_series(part_id: int, start: date, end: date) -> list[tuple[date, int | None]]:
    """A part's digitized per day; None on days it did not report."""
    reports = dict(
        db.session.execute(
            select(DailyReport.report_date, DailyReport.digitized).where(
                DailyReport.part_id == part_id, DailyReport.report_date.between(start, end)
            )
        ).all()
    )
    series, day = [], start
    while day <= end:
        series.append((day, reports.get(day)))
        day += timedelta(days=1)
    return series


def figures_version() -> tuple:
    """What the state's figures depend on, in two index lookups and a sum of the ACs' totals:
    every report or import written stamps the roll-up rows it changes with the time of writing,
    and electors, parts and BLOs are the ACs' totals."""
    cd, ac = ConstituencyDay, Constituency
    stamp = select(func.max(cd.last_report_at)).scalar_subquery()
    latest_day = select(func.max(cd.day)).scalar_subquery()
    return tuple(
        db.session.execute(
            select(
                stamp, latest_day, func.sum(ac.electors), func.sum(ac.parts_count), func.sum(ac.blos_count)
            )
        ).one()
    )
