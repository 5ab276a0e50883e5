"""Keeping the per-AC daily roll-ups and the AC totals right, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import and_, case, delete, exists, func, insert, literal, null, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import FIGURES, Constituency, ConstituencyDay, DailyReport, Part, RollupFrontier


def refresh_constituency_totals(constituency_ids: Iterable[int] | None = None) -> None:
    """Recount electors, parts and BLOs of the given ACs (all when None) from their parts."""
    totals = select(
        Part.constituency_id,
        func.coalesce(func.sum(Part.electors), 0).label("electors"),
        func.count(Part.id).label("parts"),
        func.count(func.distinct(Part.blo_id)).label("blos"),
    ).group_by(Part.constituency_id)
    ids = None if constituency_ids is None else sorted(set(constituency_ids))
    if ids is not None:
        totals = totals.where(Part.constituency_id.in_(ids))
    rows = db.session.execute(totals).all()
    if rows:
        db.session.execute(
            Constituency.__table__.update()
            .where(Constituency.id == db.bindparam("cid"))
            .values(electors=db.bindparam("e"), parts_count=db.bindparam("p"), blos_count=db.bindparam("b")),
            [{"cid": r[0], "e": int(r[1]), "p": int(r[2]), "b": int(r[3])} for r in rows],
        )


def recompute_constituency_days(constituency_ids: Iterable[int], from_day: date) -> None:
    """Rewrite the roll-ups of these ACs for `from_day` and every later day up to the frontier.

    A day's row sums each part's latest report on or before that day, and counts the parts that
    reported on the day itself. Every AC with a report gets a row for every day from its first
    report through the frontier (see carry_forward), so readers look a day up directly.
    """
    ids = sorted(set(constituency_ids))
    if not ids:
        return
    last_report_day = db.session.scalar(
        select(func.max(DailyReport.report_date)).where(DailyReport.constituency_id.in_(ids))
    )
    frontier = dense_through()
    end = max(day for day in (from_day, last_report_day, frontier) if day is not None)
    db.session.execute(
        delete(ConstituencyDay).where(
            ConstituencyDay.constituency_id.in_(ids), ConstituencyDay.day >= from_day
        )
    )
    day = from_day
    while day <= end:
        db.session.execute(insert(ConstituencyDay).from_select(_rollup_columns(), _rollup_select(ids, day)))
        day += timedelta(days=1)


def dense_through() -> date | None:
    frontier = db.session.get(RollupFrontier, 1)
    return frontier.dense_through if frontier else None


def carry_forward(through: date) -> None:
    """Give every AC that has a roll-up a row for each day up to `through`.

    A new day's row repeats the AC's figures of the day before, with no part reported yet; the
    first report of the day rewrites it. The periodic task progress.tasks.carry_days_forward runs
    it (afterwards one primary-key read); it commits at once.
    """
    frontier = dense_through()
    if frontier is not None and frontier >= through:
        return
    start = frontier or db.session.scalar(select(func.min(ConstituencyDay.day)))
    if start is None:
        return
    previous, current = aliased(ConstituencyDay), aliased(ConstituencyDay)
    day = start + timedelta(days=1)
    while day <= through:
        carried = select(
            previous.constituency_id,
            literal(day, db.Date),
            previous.district_id,
            literal(0),
            null(),
            *(getattr(previous, name) for name in FIGURES),
        ).where(
            previous.day == day - timedelta(days=1),
            ~exists().where(current.constituency_id == previous.constituency_id, current.day == day),
        )
        db.session.execute(
            _dialect_insert()(ConstituencyDay)
            .from_select(_rollup_columns(), carried)
            .on_conflict_do_nothing()
        )
        day += timedelta(days=1)
    set_dense_through(through)
    try:
        db.session.commit()
    except IntegrityError:  # another first reader created the frontier row at the same moment
        db.session.rollback()


def set_dense_through(day: date) -> None:
    frontier = db.session.get(RollupFrontier, 1)
    if frontier is None:
        db.session.add(RollupFrontier(id=1, dense_through=day))
    elif frontier.dense_through < day:
        frontier.dense_through = day


def _dialect_insert():
    """The dialect's INSERT, for ON CONFLICT DO NOTHING: two first readers of a day may race."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert


def _rollup_columns() -> list[str]:
    return ["constituency_id", "day", "district_id", "parts_reported", "last_report_at", *FIGURES]


def _rollup_select(constituency_ids: list[int], day: date):
    latest = (
        select(DailyReport.part_id, func.max(DailyReport.report_date).label("latest"))
        .where(DailyReport.constituency_id.in_(constituency_ids), DailyReport.report_date <= day)
        .group_by(DailyReport.part_id)
        .subquery()
    )
    report = DailyReport
    return (
        select(
            report.constituency_id,
            literal(day, db.Date).label("day"),
            func.min(report.district_id),
            func.sum(case((report.report_date == day, 1), else_=0)),
            func.max(case((report.report_date == day, report.updated_at))),
            *(func.sum(getattr(report, name)) for name in FIGURES),
        )
        .join(latest, and_(report.part_id == latest.c.part_id, report.report_date == latest.c.latest))
        .group_by(report.constituency_id)
    )
