"""Sorting and filtering progress tables, and the lists of parts to chase."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Select, and_, select
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.figures.models import DailyReport
from app.figures.rows import ProgressRow
from app.figures.selects import latest_report_days, part_lines
from app.models import Campaign, Part

SORTS = ("rank", "name", "pace", "missing", "finish", "electors")  # the first is the default
DESCENDING_SORTS = ("pace", "missing", "electors")  # the largest first unless asked otherwise
FILTERS = ("all", "behind", "missing")  # the first is the default


def target_of(campaign: Campaign | None) -> Decimal:
    return Decimal(campaign.daily_target_percent) if campaign else Decimal(10)


def sort_and_filter(
    rows: list[ProgressRow], sort: str, filter_by: str, descending: bool
) -> list[ProgressRow]:
    if filter_by == "behind":
        rows = [r for r in rows if r.behind_target]
    elif filter_by == "missing":
        rows = [r for r in rows if r.missing > 0]
    far_future = date.max
    keys = {
        "rank": lambda r: (r.rank or 10**9, _name_key(r)),
        "name": _name_key,
        "pace": lambda r: r.daily_pace if r.daily_pace is not None else -1e9,
        "missing": lambda r: r.missing,
        "finish": lambda r: r.projected_finish or far_future,
        "electors": lambda r: r.electors,
    }
    return sorted(rows, key=keys.get(sort, keys["rank"]), reverse=descending)


def _name_key(row: ProgressRow):
    """Districts by name, ACs by number, parts by AC and part number."""
    ac_number = row.line.ac_number if row.line else 0
    return (ac_number, getattr(row.place, "number", 0), getattr(row.place, "name_en", ""))


def missing_parts(day: date, condition: ColumnElement[bool]) -> Select:
    """Parts matching `condition` with no report on `day`, with their BLO, by AC and part number."""
    reported = select(DailyReport.part_id).where(DailyReport.report_date == day)
    return part_lines(and_(condition, Part.id.not_in(reported)))


def last_report_days(part_ids: list[int], before: date) -> dict[int, date]:
    """The last day each of these parts reported before `before` (one grouped query)."""
    if not part_ids:
        return {}
    latest = latest_report_days(before - timedelta(days=1), DailyReport.part_id.in_(part_ids))
    return dict(db.session.execute(select(latest.c.part_id, latest.c.day)).all())


def part_history(part_id: int, start: date, end: date) -> list[tuple[DailyReport, int | None]]:
    """A part's reports from start to end, newest first, each with the digitized of the report before."""
    reports = db.session.scalars(
        select(DailyReport)
        .where(DailyReport.part_id == part_id, DailyReport.report_date <= end)
        .order_by(DailyReport.report_date)
    ).all()
    history, previous = [], None
    for report in reports:
        if report.report_date >= start:
            history.append((report, previous))
        previous = report.digitized
    return list(reversed(history))
