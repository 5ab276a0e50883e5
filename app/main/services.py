"""The figures each home page opens with, in one grouped query over the user's scope."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.extensions import db
from app.figures.queries import constituency_rows, district_rows, part_rows, total_row
from app.figures.rows import ProgressRow
from app.models import Part, Role, User
from app.scope import Scope


@dataclass(frozen=True)
class ScopeSummary:
    districts: int
    constituencies: int
    parts: int
    electors: int
    parts_without_blo: int


def scope_summary(scope: Scope) -> ScopeSummary:
    row = db.session.execute(
        select(
            func.count(func.distinct(Part.district_id)),
            func.count(func.distinct(Part.constituency_id)),
            func.count(Part.id),
            func.coalesce(func.sum(Part.electors), 0),
            func.count(Part.id) - func.count(Part.blo_id),
        ).where(scope.part_filter())
    ).one()
    return ScopeSummary(*(int(v) for v in row))


def accounts_by_role(scope: Scope) -> dict[Role, int]:
    rows = db.session.execute(
        select(User.role, func.count(User.id)).where(scope.user_filter()).group_by(User.role)
    ).all()
    return {role: count for role, count in rows}


def progress_summary(scope: Scope, day, target) -> ProgressRow | None:
    """The user's whole scope as one progress row, read from the roll-ups where it can be."""
    if scope.role == Role.STATE:
        return total_row(district_rows(day, target, scope.district_filter()))
    if scope.role in (Role.COLLECTOR, Role.ERO):
        return total_row(constituency_rows(day, target, scope.constituency_filter()))
    if scope.role in (Role.SUPERVISOR, Role.BLO):
        return total_row(part_rows(day, target, scope.part_filter()))
    return None
