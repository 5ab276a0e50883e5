"""Keeping the per-AC daily roll-ups and the AC totals right, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import and_, case, delete, func, insert, literal, select

from app.extensions import db
from app.models import FIGURES, Constituency, ConstituencyDay, DailyReport, Part


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
    """Rewrite the roll-ups of these ACs for `from_day` and every later day that has one.

    A day's row sums each part's latest report on or before that day, and counts the parts that
    reported on the day itself. Rows are only kept for days on which some part of the AC reported;
    readers carry the latest row forward.
    """
    ids = sorted(set(constituency_ids))
    if not ids:
        return
    reported_days = (
        select(DailyReport.constituency_id.label("cid"), DailyReport.report_date.label("day"))
        .where(DailyReport.constituency_id.in_(ids), DailyReport.report_date >= from_day)
        .distinct()
    )
    days = db.session.execute(reported_days).all()
    db.session.execute(
        delete(ConstituencyDay).where(
            ConstituencyDay.constituency_id.in_(ids), ConstituencyDay.day >= from_day
        )
    )
    if not days:
        return
    by_day: dict[date, list[int]] = {}
    for cid, day in days:
        by_day.setdefault(day, []).append(cid)
    for day, cids in sorted(by_day.items()):
        db.session.execute(insert(ConstituencyDay).from_select(_rollup_columns(), _rollup_select(cids, day)))


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


def rebuild_all_constituency_days() -> None:
    """Rebuild every roll-up from the reports (after a bulk load)."""
    db.session.execute(delete(ConstituencyDay))
    days = db.session.scalars(select(DailyReport.report_date).distinct()).all()
    cids = list(db.session.scalars(select(Constituency.id)))
    for day in sorted(days):
        db.session.execute(insert(ConstituencyDay).from_select(_rollup_columns(), _rollup_select(cids, day)))
