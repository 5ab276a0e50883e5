"""Synthetic daily history for the demo: districts at different paces, some silent parts,
a few corrections. Vectorised with NumPy and loaded in bulk: 2.9 million part-days in seconds.

Every generated series obeys the consistency rules of DOMAIN.md and never falls from one day to
the next, except on the few days marked as corrections (with their reason).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import func, insert, select

from app.extensions import db
from app.figures.models import FIGURES, ConstituencyDay, DailyReport
from app.figures.rollups import recompute_constituency_days, set_dense_through
from app.models import Part

HISTORY_DAYS = 45
CORRECTION_REASON = "Recount of forms at the booth: double entry removed"


def history_days(today: date) -> list[date]:
    start = today - timedelta(days=HISTORY_DAYS - 1)
    return [start + timedelta(days=k) for k in range(HISTORY_DAYS)]


def _stamp(day: date, zone: ZoneInfo, hour: int = 18) -> datetime:
    return datetime.combine(day, time(hour), zone).astimezone(UTC).replace(tzinfo=None)


@contextmanager
def indexes_built_after(table, empty: bool) -> Iterator[None]:
    """Millions of rows loaded into an empty table: its secondary indexes are dropped first and
    built once at the end (one sorted pass each), not updated row by row. The unique constraint
    stays. A table that already holds rows keeps its indexes."""
    indexes = [index for index in table.indexes if not index.unique] if empty else []
    connection = db.session.connection()
    for index in indexes:
        index.drop(connection)
    yield
    for index in indexes:
        index.create(connection)


def seed_history(today: date, zone: ZoneInfo, now: datetime, log=print) -> int:
    """Give every part without reports a history up to `today`; returns the rows written."""
    empty = db.session.scalar(select(DailyReport.id).limit(1)) is None
    with indexes_built_after(DailyReport.__table__, empty):
        return _seed_history(today, zone, now, log)


def _seed_history(today: date, zone: ZoneInfo, now: datetime, log=print) -> int:
    has_reports = select(DailyReport.part_id).distinct()
    parts = db.session.execute(
        select(Part.id, Part.constituency_id, Part.district_id, Part.electors)
        .where(Part.id.not_in(has_reports))
        .order_by(Part.id)
    ).all()
    if not parts:
        return 0
    ids = np.array([p[0] for p in parts])
    acs = np.array([p[1] for p in parts])
    districts = np.array([p[2] for p in parts])
    electors = np.array([p[3] for p in parts], dtype=np.int64)
    n = len(parts)
    rng = np.random.default_rng(20251104)

    # the district sets the pace; each part varies around it
    district_ids = np.unique(districts)
    district_speed = dict(zip(district_ids, rng.uniform(0.55, 1.7, len(district_ids)), strict=True))
    speed = np.array([district_speed[d] for d in districts]) * rng.uniform(0.7, 1.3, n)
    dig_rate = speed * rng.uniform(0.016, 0.032, n)  # share of electors digitized per day
    dig_lag = rng.uniform(2.0, 6.0, n)  # days before the first form is digitized
    dist_rate = rng.uniform(0.09, 0.2, n)
    buffer = rng.uniform(0.03, 0.08, n)  # collected ahead of digitized
    asd_share = rng.uniform(0.03, 0.09, n)
    asd_split = np.array([0.35, 0.40, 0.20, 0.05])
    map_self = rng.uniform(0.5, 0.7, n)
    map_progeny = rng.uniform(0.12, 0.25, n)
    map_unmapped = np.clip(1 - map_self - map_progeny, 0, None) * rng.uniform(0.6, 1.0, n)
    reliability = np.where(rng.random(n) < 0.02, 0.5, rng.uniform(0.95, 1.0, n))  # 2 % chronically silent
    today_share = dict(zip(district_ids, rng.uniform(0.5, 0.85, len(district_ids)), strict=True))
    reports_today = rng.random(n) < np.array([today_share[d] for d in districts])
    correction_day = np.where(rng.random(n) < 0.004, rng.integers(8, HISTORY_DAYS - 1, n), -1)

    days = history_days(today)
    shown = {name: np.zeros(n, dtype=np.int64) for name in FIGURES}
    ac_ids, ac_index = np.unique(acs, return_inverse=True)
    ac_district = {int(a): int(d) for a, d in zip(acs, districts, strict=True)}
    rows_written = 0
    rollups = []
    dialect = db.session.get_bind().dialect.name

    for k, day in enumerate(days):
        t = float(k + 1)
        f_dist = np.minimum(1.0, t * dist_rate)
        f_dig = np.clip((t - dig_lag) * dig_rate, 0.0, 1.0)
        f_col = np.minimum(f_dist, np.minimum(1.0, f_dig + buffer))
        f_map = np.clip(f_dig - 0.03, 0.0, 1.0)
        figures = {"distributed": np.floor(f_dist * electors).astype(np.int64)}
        asd_parts = [np.floor(f_col * asd_share * s * electors).astype(np.int64) for s in asd_split]
        figures["collected"] = np.floor(f_col * (1 - asd_share) * electors).astype(np.int64)
        for name, values in zip(
            ("asd_absent", "asd_shifted", "asd_dead", "asd_duplicate"), asd_parts, strict=True
        ):
            figures[name] = values
        asd_total = sum(asd_parts)
        figures["digitized"] = np.minimum(
            np.floor(f_dig * electors).astype(np.int64), figures["collected"] + asd_total
        )
        figures["mapped_self"] = np.floor(f_map * map_self * electors).astype(np.int64)
        figures["mapped_progeny"] = np.floor(f_map * map_progeny * electors).astype(np.int64)
        figures["unmapped"] = np.floor(f_map * map_unmapped * electors).astype(np.int64)

        if day == today:
            reported = reports_today.copy()
        else:
            reported = rng.random(n) < reliability
        if k == 0:
            reported |= True  # everyone reports the first day's distribution
        corrected = (correction_day == k) & reported
        slack = figures["distributed"] - figures["collected"] - asd_total
        lowered = corrected & (slack > 0)
        figures["distributed"] = figures["distributed"] - np.where(lowered, np.minimum(slack, 5), 0)
        # a correction is only a correction when it falls below what was last shown
        lowered &= figures["distributed"] < shown["distributed"]

        for name in FIGURES:
            shown[name] = np.where(reported, figures[name], shown[name])

        stamp = now if day == today else _stamp(day, zone)
        index = np.nonzero(reported)[0]
        written = _insert_reports(
            np.column_stack(
                [ids[index], acs[index], districts[index], *(figures[n][index] for n in FIGURES)]
            ),
            lowered[index],
            day,
            stamp,
            dialect,
        )
        rows_written += written

        reported_per_ac = np.bincount(ac_index, weights=reported, minlength=len(ac_ids))
        sums = {name: np.bincount(ac_index, weights=shown[name], minlength=len(ac_ids)) for name in FIGURES}
        for j, ac in enumerate(ac_ids):
            rollups.append(
                {
                    "constituency_id": int(ac),
                    "day": day,
                    "district_id": ac_district[int(ac)],
                    "parts_reported": int(reported_per_ac[j]),
                    "last_report_at": stamp if reported_per_ac[j] else None,
                    **{name: int(sums[name][j]) for name in FIGURES},
                }
            )

    touched = [int(a) for a in ac_ids]
    already = db.session.scalar(
        select(func.count()).select_from(ConstituencyDay).where(ConstituencyDay.constituency_id.in_(touched))
    )
    mixed = db.session.scalar(
        select(func.count(Part.id)).where(Part.constituency_id.in_(touched), Part.id.not_in(ids.tolist()))
    )
    if already or mixed:
        recompute_constituency_days(touched, days[0])  # ACs that also hold older parts
    else:
        for start in range(0, len(rollups), 5000):
            db.session.execute(insert(ConstituencyDay), rollups[start : start + 5000])
    set_dense_through(today)
    log(f"history: {rows_written} part-days over {len(days)} days")
    return rows_written


REPORT_COLUMNS = (
    "part_id",
    "constituency_id",
    "district_id",
    "report_date",
    *FIGURES,
    "correction_reason",
    "source",
    "on_behalf",
    "created_at",
    "updated_at",
)


def _insert_reports(
    values: np.ndarray, corrected: np.ndarray, day: date, stamp: datetime, dialect: str
) -> int:
    """Write one day's reports: `values` has a row per part (part, AC, district, *FIGURES)."""
    if not len(values):
        return 0
    connection = db.session.connection()
    if dialect == "postgresql":
        fixed_day, fixed_stamp = day, stamp
    else:  # SQLite stores dates and times as text, in the form SQLAlchemy writes and reads
        fixed_day, fixed_stamp = day.isoformat(), _sqlite_time(stamp)
    rows = [
        (
            *row[:3],
            fixed_day,
            *row[3:],
            CORRECTION_REASON if was_corrected else None,
            "seed",
            False,
            fixed_stamp,
            fixed_stamp,
        )
        for row, was_corrected in zip(values.tolist(), corrected.tolist(), strict=True)
    ]
    if dialect == "postgresql":
        raw = connection.connection.driver_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY daily_reports ({', '.join(REPORT_COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return len(rows)
    placeholders = ", ".join("?" for _ in REPORT_COLUMNS)
    # column names are constants of this module; every value is a bound parameter
    sql = f"INSERT INTO daily_reports ({', '.join(REPORT_COLUMNS)}) VALUES ({placeholders})"  # noqa: S608
    connection.exec_driver_sql(sql, rows)
    return len(rows)


def _sqlite_time(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")  # the form SQLAlchemy writes and reads


def demo_campaign_dates(today: date) -> tuple[date, date]:
    """The demo's enumeration runs 45 days up to today, with a deadline a few days ahead."""
    start = history_days(today)[0]
    return start, today + timedelta(days=5)
