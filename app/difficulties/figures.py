"""The difficulties' figures: open, overdue, median times to acknowledge and to resolve, and the
count of each resolution code, for a scope, as a whole or by category or level; and open and overdue
counts per place beside the progress tables. Each is one grouped query, whatever the number of rows.

The median uses window functions only (ROW_NUMBER and COUNT over a partition), so the same SQL runs
on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, literal_column, select, true
from sqlalchemy.orm import aliased

from app.difficulties.models import ACTIVE, Category, Difficulty, Level, Resolution, Status
from app.extensions import db
from app.models import Constituency, Part, User

GROUPINGS = {"category": Difficulty.category, "level": Difficulty.level}
PLACE_COLUMNS = {
    "district": Difficulty.district_id,
    "constituency": Difficulty.constituency_id,
    "part": Difficulty.part_id,
}
ACTIVE_VALUES = sorted(s.value for s in ACTIVE)
OVERDUE_LIST_LENGTH = 10


@dataclass(frozen=True)
class Figures:
    """One group's figures (`key` is a Category or a Level, or None for the whole scope)."""

    key: Category | Level | None
    total: int = 0
    open: int = 0
    overdue: int = 0
    acknowledge_median_seconds: float | None = None
    resolve_median_seconds: float | None = None
    resolutions: dict[Resolution, int] = field(default_factory=dict)

    @property
    def not_fixed(self) -> int:
        """Resolved some other way than fixed: "closed" never hides "not fixed"."""
        return sum(n for code, n in self.resolutions.items() if code != Resolution.FIXED)


def is_open():
    return Difficulty.status.in_(ACTIVE_VALUES)


def is_overdue():
    return and_(is_open(), Difficulty.overdue_since.is_not(None))


def _ranked(column, partition):
    """Rank of `column` within its group, nulls last on every database, and how many are not null."""
    order = (case((column.is_(None), 1), else_=0), column)
    return (
        func.row_number().over(partition_by=partition, order_by=order),
        func.count(column).over(partition_by=partition),
    )


def _median(ranked, name: str):
    """The mean of the middle one or two values: ranks (n + 1) // 2 and (n + 2) // 2."""
    value, rank, count = ranked.c[name], ranked.c[f"{name}_rank"], ranked.c[f"{name}_count"]
    middle = rank.in_([(count + 1) // 2, (count + 2) // 2])
    return func.avg(case((and_(value.is_not(None), middle), value)))


def figures(condition=None, group: str | None = None) -> list[Figures]:
    """The figures of the difficulties matching `condition` (a scope's `of(Difficulty)`), one per
    category or level when `group` names one, else one for them all; in one query."""
    condition = true() if condition is None else condition
    key = GROUPINGS[group] if group else literal_column("'all'")
    partition = [key] if group else None
    acknowledge_rank, acknowledge_count = _ranked(Difficulty.acknowledge_seconds, partition)
    resolve_rank, resolve_count = _ranked(Difficulty.resolve_seconds, partition)
    ranked = (
        select(
            key.label("key"),
            Difficulty.status.label("status"),
            Difficulty.overdue_since.label("overdue_since"),
            Difficulty.resolution.label("resolution"),
            Difficulty.acknowledge_seconds.label("acknowledge"),
            acknowledge_rank.label("acknowledge_rank"),
            acknowledge_count.label("acknowledge_count"),
            Difficulty.resolve_seconds.label("resolve"),
            resolve_rank.label("resolve_rank"),
            resolve_count.label("resolve_count"),
        )
        .where(condition)
        .subquery("ranked")
    )
    active = ranked.c.status.in_(ACTIVE_VALUES)
    done = ranked.c.status.in_([Status.RESOLVED.value, Status.CLOSED.value])
    counts = [
        func.count(),
        func.sum(case((active, 1), else_=0)),
        func.sum(case((and_(active, ranked.c.overdue_since.is_not(None)), 1), else_=0)),
        _median(ranked, "acknowledge"),
        _median(ranked, "resolve"),
        *(func.sum(case((and_(done, ranked.c.resolution == code.value), 1), else_=0)) for code in Resolution),
    ]
    query = select(ranked.c.key, *counts).group_by(ranked.c.key)
    kind = {"category": Category, "level": Level}.get(group or "")
    found = {}
    for row in db.session.execute(query):
        total, open_, overdue, acknowledge, resolve, *codes = row[1:]
        found[row.key] = Figures(
            key=kind(row.key) if kind else None,
            total=int(total or 0),
            open=int(open_ or 0),
            overdue=int(overdue or 0),
            acknowledge_median_seconds=float(acknowledge) if acknowledge is not None else None,
            resolve_median_seconds=float(resolve) if resolve is not None else None,
            resolutions={code: int(n or 0) for code, n in zip(Resolution, codes, strict=True)},
        )
    if kind is None:
        return [found.get("all") or Figures(key=None, resolutions={code: 0 for code in Resolution})]
    # Every category or level gets its row, in their order, empty ones included.
    return [
        found.get(member.value) or Figures(key=member, resolutions={code: 0 for code in Resolution})
        for member in kind
    ]


def overall(condition=None) -> Figures:
    return figures(condition)[0]


@dataclass(frozen=True)
class PlaceCount:
    open: int = 0
    overdue: int = 0


def place_counts(condition, by: str) -> dict[int, PlaceCount]:
    """Open and overdue difficulties per district, AC or part, in one query on the
    (district_id, status) index; places without any are left out (a reader treats them as 0)."""
    column = PLACE_COLUMNS[by]
    query = (
        select(column, func.count(), func.count(Difficulty.overdue_since))
        .where(is_open(), condition)
        .group_by(column)
    )
    return {place_id: PlaceCount(int(n), int(late)) for place_id, n, late in db.session.execute(query)}


@dataclass(frozen=True)
class OverdueLine:
    id: int
    ac_number: int
    part_number: int
    category: Category
    level: Level
    owner_name: str | None
    overdue_since: datetime


def most_overdue(condition, limit: int = OVERDUE_LIST_LENGTH) -> list[OverdueLine]:
    """The overdue difficulties, longest overdue first, with who sits on them: one query."""
    owner = aliased(User)
    query = (
        select(
            Difficulty.id,
            Constituency.number,
            Part.number,
            Difficulty.category,
            Difficulty.level,
            owner.name,
            Difficulty.overdue_since,
        )
        .join(Part, Part.id == Difficulty.part_id)
        .join(Constituency, Constituency.id == Difficulty.constituency_id)
        .outerjoin(owner, owner.id == Difficulty.owner_id)
        .where(is_overdue(), condition)
        .order_by(Difficulty.overdue_since, Difficulty.id)
        .limit(limit)
    )
    return [OverdueLine(*row) for row in db.session.execute(query)]
