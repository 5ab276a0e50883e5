"""Progress figures for every level, read from the roll-ups (districts, ACs) or reports (parts).

Every function answers in a handful of grouped queries whatever the number of rows. A day's
figures are each part's latest report on or before that day; `parts_reported` counts only the
reports of that very day, so a silent part shows as missing, not as zero progress.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.figures.models import FIGURES, ConstituencyDay, DailyReport
from app.figures.rollups import dense_through
from app.figures.rows import PROJECTION_DAYS, PartLine, ProgressRow, day_target, nearly_done, rank_rows
from app.figures.selects import as_date, latest_reports, part_lines
from app.models import Constituency, District, Part

# -- roll-up levels: districts and ACs -----------------------------------------------------


def _carried_forward(day: date, condition: ColumnElement[bool], group_column) -> Select:
    """Sum of the ACs' roll-ups of `day`, grouped by `group_column`.

    Through the frontier every AC has a row each day from its first report on, so the day is an
    equality lookup. Beyond it (the periodic carry_days_forward has not run yet) each AC's latest
    row since the frontier stands in, counting its parts reported only on that very day.
    """
    cd = ConstituencyDay
    frontier = dense_through()
    if frontier is not None and day <= frontier:
        return (
            select(
                group_column,
                func.sum(cd.parts_reported),
                func.max(cd.last_report_at),
                *(func.sum(getattr(cd, name)).label(name) for name in FIGURES),
            )
            .where(cd.day == day, condition)
            .group_by(group_column)
        )
    since = [cd.day <= day] if frontier is None else [cd.day.between(frontier, day)]
    latest = (
        select(cd.constituency_id, func.max(cd.day).label("day"))
        .where(condition, *since)
        .group_by(cd.constituency_id)
        .subquery()
    )
    that_day = cd.day == day
    return (
        select(
            group_column,
            func.sum(case((that_day, cd.parts_reported), else_=0)),
            func.max(case((that_day, cd.last_report_at))),
            *(func.sum(getattr(cd, name)).label(name) for name in FIGURES),
        )
        .join(latest, and_(cd.constituency_id == latest.c.constituency_id, cd.day == latest.c.day))
        .group_by(group_column)
    )


def _figures_by(day: date, condition, group_column) -> dict[int, tuple[int, datetime | None, dict]]:
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
    earlier = _figures_by(day - timedelta(days=PROJECTION_DAYS + 1), condition, group_column)
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


def _part_figures(day: date, part_condition: ColumnElement[bool]) -> dict[int, DailyReport]:
    return {r.part_id: r for r in db.session.scalars(latest_reports(day, part_condition))}


def _part_digitized_on(
    days: list[date], part_condition: ColumnElement[bool]
) -> dict[int, list[tuple[int, bool]]]:
    """Each part's (digitized, reported that very day) as of each of `days`, in one grouped query:
    the latest report on or before each day is found by conditional aggregation, then joined."""
    latest = (
        select(
            DailyReport.part_id,
            *(
                func.max(case((DailyReport.report_date <= day, DailyReport.report_date))).label(f"latest{k}")
                for k, day in enumerate(days)
            ),
            *(
                func.max(case((DailyReport.report_date == day, 1), else_=0)).label(f"on{k}")
                for k, day in enumerate(days)
            ),
        )
        .join(Part, Part.id == DailyReport.part_id)
        .where(DailyReport.report_date <= max(days), part_condition)
        .group_by(DailyReport.part_id)
        .subquery()
    )
    reports = [aliased(DailyReport) for _ in days]
    stmt = select(
        latest.c.part_id,
        *(report.digitized for report in reports),
        *(latest.c[f"on{k}"] for k in range(len(days))),
    )
    for k, report in enumerate(reports):
        stmt = stmt.outerjoin(
            report, and_(report.part_id == latest.c.part_id, report.report_date == latest.c[f"latest{k}"])
        )
    result = {}
    n = len(days)
    for part_id, *values in db.session.execute(stmt):
        result[part_id] = [(int(values[k] or 0), bool(values[n + k])) for k in range(n)]
    return result


def part_rows(day: date, target: Decimal, part_condition: ColumnElement[bool]) -> list[ProgressRow]:
    """One row per part in scope, with its line (AC number, BLO) and its (digitized, reported) of
    yesterday and the day before, for the Calls list."""
    lines = [PartLine(*row) for row in db.session.execute(part_lines(part_condition))]
    today = _part_figures(day, part_condition)
    before_days = [
        day - timedelta(days=1),
        day - timedelta(days=2),
        day - timedelta(days=PROJECTION_DAYS + 1),
    ]
    before = _part_digitized_on(before_days, part_condition)
    nothing = [(0, False)] * len(before_days)
    rows = []
    for line in lines:
        part = line.part
        report = today.get(part.id)
        earlier = before.get(part.id, nothing)
        rows.append(
            ProgressRow(
                id=part.id,
                place=part,
                electors=part.electors,
                parts=1,
                blos=1 if part.blo_id else 0,
                parts_reported=1 if report is not None and report.report_date == day else 0,
                figures=report.figures() if report else dict.fromkeys(FIGURES, 0),
                digitized_yesterday=earlier[0][0],
                digitized_earlier=earlier[2][0],
                day=day,
                target=target,
                last_report_at=report.updated_at
                if report is not None and report.report_date == day
                else None,
                last_report_date=report.report_date if report else None,
                line=line,
                correction=bool(report and report.correction_reason),
                before=tuple(earlier[:2]),
            )
        )
    rank_rows(rows)
    return rows


def parts_needing_a_call(
    day: date, target: Decimal, part_condition: ColumnElement[bool]
) -> list[ProgressRow]:
    """Parts below the day's target on each of the last 2 days, the furthest behind first.

    The day's target is what is still possible (see ProgressRow.target_forms): a finished part is
    never called, one that cleared its last forms met the target, and one with only its last few
    forms left is nearly done (app.figures.rows.nearly_done), not behind. A day without a report counts
    as no progress that day; each row's `paces` holds, newest first, each day's pace (None: no report).
    """
    needing = []
    for row in part_rows(day, target, part_condition):
        if not row.electors or row.finished:
            continue
        (yesterday, reported_yesterday), (day_before, _) = row.before
        days = [(row.digitized, row.reported, yesterday), (yesterday, reported_yesterday, day_before)]
        shortfall, paces = 0.0, []
        for digitized, reported, digitized_before in days:
            goal = day_target(row.electors, digitized_before, target)
            gained = digitized - digitized_before if reported else 0
            if goal <= 0 or gained >= goal or nearly_done(row.electors, digitized_before, target):
                break
            shortfall += (goal - gained) * 100 / row.electors
            paces.append(gained * 100 / row.electors if reported else None)
        else:
            row.paces = paces
            row.shortfall = shortfall
            needing.append(row)
    needing.sort(key=lambda r: (-r.shortfall, r.digitized_percent or 0))
    return needing


def digitized_series(start: date, end: date, condition: ColumnElement[bool]) -> list[tuple[date, int]]:
    """Cumulative digitized per day from start to end for the ACs matching `condition`: one
    grouped query through the roll-up frontier, then one per day beyond it (usually none)."""
    frontier = dense_through()
    through = start - timedelta(days=1) if frontier is None else min(end, frontier)
    totals = {
        as_date(day): int(total or 0)
        for day, total in db.session.execute(
            select(ConstituencyDay.day, func.sum(ConstituencyDay.digitized))
            .where(condition, ConstituencyDay.day.between(start, through))
            .group_by(ConstituencyDay.day)
        )
    }
    day = max(start, through + timedelta(days=1))
    while day <= end:
        by_district = _carried_forward(day, condition, ConstituencyDay.district_id).subquery()
        totals[day] = int(db.session.scalar(select(func.sum(by_district.c.digitized))) or 0)
        day += timedelta(days=1)
    series, day = [], start
    while day <= end:
        series.append((day, totals.get(day, 0)))  # no row yet: no AC had reported by then
        day += timedelta(days=1)
    return series


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
