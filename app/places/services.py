"""Place listings with their figures, each one grouped query over the scope."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select

from app.extensions import db
from app.figures.selects import part_lines
from app.models import Constituency, District, Part, User
from app.scope import Scope


@dataclass(frozen=True)
class Row:
    place: object
    constituencies: int
    parts: int
    electors: int


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def districts_with_figures(scope: Scope, q: str = "") -> list[Row]:
    stmt = (
        select(
            District,
            func.count(func.distinct(Part.constituency_id)),
            func.count(Part.id),
            func.coalesce(func.sum(Part.electors), 0),
        )
        .join(Part, Part.district_id == District.id)
        .where(scope.district_filter(), scope.part_filter())
        .group_by(District.id)
        .order_by(District.name_en)
    )
    if q:
        pattern = _like(q.strip())
        stmt = stmt.where(
            or_(
                District.name_en.ilike(pattern, escape="\\"),
                District.name_hi.ilike(pattern, escape="\\"),
                District.aliases.ilike(pattern, escape="\\"),
                District.division_en.ilike(pattern, escape="\\"),
            )
        )
    return [Row(d, int(a), int(p), int(e)) for d, a, p, e in db.session.execute(stmt)]


def constituencies_with_figures(scope: Scope, district: District, q: str = "") -> list[Row]:
    stmt = (
        select(Constituency, func.count(Part.id), func.coalesce(func.sum(Part.electors), 0))
        .join(Part, Part.constituency_id == Constituency.id)
        .where(Constituency.district_id == district.id, scope.part_filter())
        .group_by(Constituency.id)
        .order_by(Constituency.number)
    )
    q = q.strip()
    if q:
        pattern = _like(q)
        conditions = [
            Constituency.name_en.ilike(pattern, escape="\\"),
            Constituency.name_hi.ilike(pattern, escape="\\"),
        ]
        if q.isdigit():
            conditions.append(Constituency.number == int(q))
        stmt = stmt.where(or_(*conditions))
    return [Row(c, 1, int(p), int(e)) for c, p, e in db.session.execute(stmt)]


_AC_PART = re.compile(r"^\s*(\d{1,3})\s*[-/ ]\s*(\d{1,4})\s*$")


def parts_query(scope: Scope, q: str = "", constituency: Constituency | None = None) -> Select:
    """Parts in scope matching a search: a name, a building, a number, or "AC-part" (152-12)."""
    stmt = part_lines(scope.part_filter())
    if constituency is not None:
        stmt = stmt.where(Part.constituency_id == constituency.id)
    q = q.strip()
    if q:
        match = _AC_PART.match(q)
        if match:
            stmt = stmt.where(Constituency.number == int(match[1]), Part.number == int(match[2]))
        else:
            pattern = _like(q)
            conditions = [
                Part.name_en.ilike(pattern, escape="\\"),
                Part.name_hi.ilike(pattern, escape="\\"),
                Part.building.ilike(pattern, escape="\\"),
                User.name.ilike(pattern, escape="\\"),
            ]
            if q.isdigit():
                conditions.append(Part.number == int(q))
            stmt = stmt.where(or_(*conditions))
    return stmt
