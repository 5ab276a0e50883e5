"""The selects every reader of the figures starts from: each part's latest report, a part's line.

A part's figures on a day are those of its latest report on or before that day; a reader wanting
the report strictly before a day asks for the day before (report days are whole days).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, Subquery, and_, func, select
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.figures.models import DailyReport
from app.figures.rows import PartLine
from app.models import Constituency, Part, User


def as_date(value) -> date | None:
    """A date read back from the database: SQLite answers min()/max() of dates as text."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def latest_report_days(day: date | None, condition: ColumnElement[bool]) -> Subquery:
    """Each part's latest report day on or before `day` (any day when None), among the reports
    matching `condition`: a subquery (part_id, day), grouped once.

    The condition may name the report's columns (its copied AC and district are indexed) or the
    part's; the part is joined only in the second case.
    """
    latest = (
        select(DailyReport.part_id, func.max(DailyReport.report_date).label("day"))
        .where(condition)
        .group_by(DailyReport.part_id)
    )
    if day is not None:
        latest = latest.where(DailyReport.report_date <= day)
    if any(table is Part.__table__ for table in latest.get_final_froms()):
        latest = latest.join(Part, Part.id == DailyReport.part_id)
    return latest.subquery()


def latest_reports(day: date | None, condition: ColumnElement[bool]) -> Select:
    """Each part's latest report on or before `day`, among the reports matching `condition`: a
    select of DailyReport, one row per part. Narrow it with `.with_only_columns(...)` to read
    some columns, or group it to sum them."""
    latest = latest_report_days(day, condition)
    return select(DailyReport).join(
        latest, and_(DailyReport.part_id == latest.c.part_id, DailyReport.report_date == latest.c.day)
    )


def part_lines(condition: ColumnElement[bool]) -> Select:
    """Parts matching `condition`, each with its AC's number and its BLO's name and mobile, by AC
    and part number: the rows of every list of parts (see app.figures.rows.PartLine)."""
    return (
        select(
            Part,
            Constituency.number.label("ac_number"),
            User.name.label("blo_name"),
            User.mobile.label("blo_mobile"),
        )
        .join(Constituency, Part.constituency_id == Constituency.id)
        .outerjoin(User, Part.blo_id == User.id)
        .where(condition)
        .order_by(Constituency.number, Part.number)
    )


def with_lines(rows: list) -> list:
    """Give each row (anything with a `part_id`) its `line`: the part, its AC number and its BLO
    (app.figures.rows.PartLine), in one query for all the rows shown."""
    if rows:
        found = db.session.execute(part_lines(Part.id.in_([row.part_id for row in rows])))
        lines = {line.part.id: line for line in map(PartLine._make, found)}
        for row in rows:
            row.line = lines.get(row.part_id)
    return rows
