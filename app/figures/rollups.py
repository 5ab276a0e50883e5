"""Keeping the per-AC daily roll-ups and the AC totals right, in the caller's transaction.

A report adds its change to its AC's rows (add_report_change); imports and the seed recount whole
ACs (recompute_constituency_days), which is also the reference the incremental path must equal.

Writers of one AC run side by side on PostgreSQL: each holds the AC row FOR KEY SHARE and adds its
delta with `col = col + :delta`, which commutes. Whatever copies figures into new roll-up rows (a
writer creating rows, carry_forward, a recount) holds the AC row FOR UPDATE instead, so it waits
for every delta in flight and none lands while it copies. On SQLite a writer takes the database
write lock (BEGIN IMMEDIATE) before it reads, which serialises all of this.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from sqlalchemy import and_, bindparam, case, delete, exists, func, insert, literal, null, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from app.extensions import db
from app.figures.models import FIGURES, ConstituencyDay, DailyReport, RollupFrontier
from app.figures.selects import as_date, latest_reports
from app.models import Constituency, Part


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
    _lock_constituencies(ids, exclusive=True)
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
    if _is_postgresql():
        _lock_constituencies(None, exclusive=True)
        frontier = db.session.scalar(select(RollupFrontier.dense_through))
        if frontier is not None and frontier >= through:
            db.session.rollback()
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


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _dialect_insert():
    """The dialect's INSERT, for ON CONFLICT DO NOTHING: two first readers of a day may race."""
    if _is_postgresql():
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert


def _rollup_columns() -> list[str]:
    return ["constituency_id", "day", "district_id", "parts_reported", "last_report_at", *FIGURES]


def _rollup_select(constituency_ids: list[int], day: date):
    report = DailyReport
    return (
        latest_reports(day, report.constituency_id.in_(constituency_ids))
        .with_only_columns(
            report.constituency_id,
            literal(day, db.Date).label("day"),
            func.min(report.district_id),
            func.sum(case((report.report_date == day, 1), else_=0)),
            func.max(case((report.report_date == day, report.updated_at))),
            *(func.sum(getattr(report, name)) for name in FIGURES),
        )
        .group_by(report.constituency_id)
    )


# -- the incremental path of one report ------------------------------------------------------


def lock_report_writes(part: Part, day: date) -> None:
    """Take the locks a report of `part` on `day` needs, before its current figures are read.

    Call it before reading the part's report of the day, so that two saves of one part (a double
    tap) apply their changes one after the other, each against what the other saved.
    """
    if not _is_postgresql():
        connection = db.session.connection()
        if not connection.connection.dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    missing = _missing_rows(part.constituency_id, day)[2]
    _lock_constituencies([part.constituency_id], exclusive=missing)
    db.session.execute(select(Part.id).where(Part.id == part.id).with_for_update())


def add_report_change(
    part: Part,
    day: date,
    shown: Mapping[str, int],
    after: Mapping[str, int],
    written_at: datetime,
    *,
    next_day: date | None,
    new: bool,
) -> None:
    """Add a part's change on `day` to its AC's roll-ups, after lock_report_writes.

    `shown` is what the part showed that day before this report: that day's report, else its
    latest earlier one, zeros before its first. The change (after less shown) holds from `day` up
    to `next_day`, the part's next later report (None when there is none). `new` tells that the
    part had no report of that day, so the day counts one more part reported.
    """
    _ensure_rows(part.constituency_id, part.district_id, day)
    db.session.connection().execute(
        _ADD_CHANGE,
        {
            "ac": part.constituency_id,
            "b_day": day,
            "until": next_day or date.max,
            "stamp": written_at,
            "new": 1 if new else 0,
            **{f"d_{name}": int(after[name]) - int(shown[name]) for name in FIGURES},
        },
    )


def _add_change_statement():
    """One prepared UPDATE for every report: built once, its compiled form is reused."""
    cd = ConstituencyDay.__table__
    day = bindparam("b_day", type_=db.Date)
    stamp = bindparam("stamp", type_=db.DateTime)
    on_day = cd.c.day == day
    return (
        update(cd)
        .where(cd.c.constituency_id == bindparam("ac"), cd.c.day >= day)
        .where(cd.c.day < bindparam("until", type_=db.Date))
        .values(
            {
                **{name: cd.c[name] + bindparam(f"d_{name}", type_=db.Integer) for name in FIGURES},
                "parts_reported": cd.c.parts_reported
                + case((on_day, bindparam("new", type_=db.Integer)), else_=0),
                "last_report_at": case(
                    (on_day & (cd.c.last_report_at.is_(None) | (cd.c.last_report_at < stamp)), stamp),
                    else_=cd.c.last_report_at,
                ),
            }
        )
    )


def _missing_rows_statement():
    cd = ConstituencyDay.__table__
    day = bindparam("day", type_=db.Date)
    frontier = select(RollupFrontier.dense_through).where(RollupFrontier.id == 1).scalar_subquery()
    through = case((frontier > day, frontier), else_=day)
    return select(
        func.min(cd.c.day),
        func.max(cd.c.day),
        func.count(case((and_(cd.c.day >= day, cd.c.day <= through), 1))),
        frontier,
    ).where(cd.c.constituency_id == bindparam("ac"))


_ADD_CHANGE = _add_change_statement()
_MISSING_ROWS = _missing_rows_statement()


def _missing_rows(constituency_id: int, day: date) -> tuple[date, date, bool]:
    """The days a report of `day` needs rows for (lo, hi), and whether any of them is missing.

    The AC's rows run without a gap from its first report: a report before them, or after its
    last row, needs the days in between; and through the frontier, which readers look up directly.
    """
    first, last, present, frontier = (
        db.session.connection().execute(_MISSING_ROWS, {"ac": constituency_id, "day": day}).one()
    )
    last, frontier = as_date(last), as_date(frontier)
    low = last + timedelta(days=1) if last is not None and last < day else day
    high = max(day, frontier) if frontier else day
    if first is None or last < day:
        return low, high, True
    return low, high, present < (high - low).days + 1


def _ensure_rows(constituency_id: int, district_id: int, day: date) -> None:
    """Create the missing rows among those a report of `day` needs, each with the figures of the
    AC's nearest earlier row (zero before its first), no part reported yet: what a recount gives
    before this report is added."""
    low, high, missing = _missing_rows(constituency_id, day)
    if not missing:
        return
    _lock_constituencies([constituency_id], exclusive=True)
    cd = ConstituencyDay
    columns = [cd.day, *(getattr(cd, name) for name in FIGURES)]
    earlier = db.session.execute(
        select(*columns)
        .where(cd.constituency_id == constituency_id, cd.day < low)
        .order_by(cd.day.desc())
        .limit(1)
    ).first()
    present = {
        as_date(row[0]): row[1:]
        for row in db.session.execute(
            select(*columns).where(cd.constituency_id == constituency_id, cd.day.between(low, high))
        )
    }
    carried = tuple(earlier[1:]) if earlier else (0,) * len(FIGURES)
    rows, current = [], low
    while current <= high:
        if current in present:
            carried = tuple(present[current])
        else:
            rows.append(
                {
                    "constituency_id": constituency_id,
                    "day": current,
                    "district_id": district_id,
                    "parts_reported": 0,
                    "last_report_at": None,
                    **dict(zip(FIGURES, carried, strict=True)),
                }
            )
        current += timedelta(days=1)
    if rows:
        db.session.execute(_dialect_insert()(ConstituencyDay).on_conflict_do_nothing(), rows)


def _lock_constituencies(constituency_ids: list[int] | None, *, exclusive: bool) -> None:
    """On PostgreSQL, hold these ACs' rows (all when None): FOR UPDATE to copy roll-up figures,
    FOR KEY SHARE to add a delta. SQLite writers hold the database lock already."""
    if not _is_postgresql():
        return
    query = select(Constituency.id).order_by(Constituency.id)
    if constituency_ids is not None:
        query = query.where(Constituency.id.in_(constituency_ids))
    db.session.execute(query.with_for_update(read=not exclusive, key_share=not exclusive))
