"""The one place that decides which places, people and records a signed-in user may see.

Every query made for a scoped user goes through `current_scope()`. `scope.of(Model)` is the
condition for any model: the places and users have their own rules below, and every other model
is scoped by the place it carries (its `part_id`, `constituency_id` or `district_id` column, or
what its `__scope__ = Scoped(...)` declares). `require(Model, id)` fetches one object or answers
404 (no such object) / 403 (not yours).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from flask import abort, g
from flask_login import current_user
from sqlalchemy import Integer, Select, bindparam, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.models import Constituency, District, Part, Role, User
from app.models.scoping import Scoped


@cache
def scoped_by(model) -> Scoped:
    """The model's declared `__scope__`, or the place columns it has; a model with none is refused."""
    declared = getattr(model, "__scope__", None)
    if declared is not None:
        return declared
    columns = model.__table__.columns
    found = Scoped(
        part="part_id" if "part_id" in columns else None,
        constituency="constituency_id" if "constituency_id" in columns else None,
        district="district_id" if "district_id" in columns else None,
    )
    if found == Scoped():
        raise TypeError(f"{model.__name__} carries no part, AC or district: declare its __scope__")
    return found


@dataclass(frozen=True)
class Scope:
    user: User

    @property
    def role(self) -> Role:
        return self.user.role

    # -- filters -------------------------------------------------------------------
    def part_filter(self) -> ColumnElement[bool]:
        role, user = self.role, self.user
        if role == Role.STATE:
            return true()
        if role == Role.COLLECTOR:
            return Part.district_id == user.district_id
        if role == Role.ERO:
            return Part.constituency_id == user.constituency_id
        if role == Role.SUPERVISOR:
            return Part.supervisor_id == user.id
        if role == Role.BLO:
            return Part.blo_id == user.id
        return false()

    def constituency_filter(self) -> ColumnElement[bool]:
        role, user = self.role, self.user
        if role == Role.STATE:
            return true()
        if role == Role.COLLECTOR:
            return Constituency.district_id == user.district_id
        if role == Role.ERO:
            return Constituency.id == user.constituency_id
        if role in (Role.SUPERVISOR, Role.BLO):
            return Constituency.id.in_(select(Part.constituency_id).where(self.part_filter()))
        return false()

    def district_filter(self) -> ColumnElement[bool]:
        role, user = self.role, self.user
        if role == Role.STATE:
            return true()
        if role == Role.COLLECTOR:
            return District.id == user.district_id
        if role == Role.ERO:
            return (
                District.id
                == select(Constituency.district_id)
                .where(Constituency.id == user.constituency_id)
                .scalar_subquery()
            )
        if role in (Role.SUPERVISOR, Role.BLO):
            return District.id.in_(select(Part.district_id).where(self.part_filter()))
        return false()

    def user_filter(self) -> ColumnElement[bool]:
        """Accounts this user may see and manage: all for an admin, the district for a collector."""
        if self.role == Role.ADMIN:
            return true()
        if self.role == Role.COLLECTOR:
            district = self.user.district_id
            return or_(
                User.district_id == district,
                User.constituency_id.in_(select(Constituency.id).where(Constituency.district_id == district)),
                User.id.in_(select(Part.blo_id).where(Part.district_id == district)),
                User.id.in_(select(Part.supervisor_id).where(Part.district_id == district)),
            ) & (User.role.in_(COLLECTOR_MANAGES))
        return false()

    def of(self, model) -> ColumnElement[bool]:
        """The rows of `model` in this user's scope: one rule for every model, whatever its role."""
        own_rules = {
            Part: self.part_filter,
            Constituency: self.constituency_filter,
            District: self.district_filter,
            User: self.user_filter,
        }
        if model in own_rules:
            return own_rules[model]()
        scoped = scoped_by(model)
        condition = self._place_condition(model, scoped)
        if scoped.owner is not None:
            condition = or_(getattr(model, scoped.owner) == self.user.id, condition)
        return condition

    def _place_condition(self, model, scoped: Scoped) -> ColumnElement[bool]:
        """A row is in scope when the place it carries lies inside the user's district, AC or parts.

        Each role compares the coarsest column that answers for it: a collector the district, an
        ERO the AC, a supervisor or BLO the part. A row that carries only a coarser place than the
        role's (a district's row, for an ERO) is not theirs, unless the model opens its district's
        rows to the district's EROs (`district_wide_for_eros`).
        """
        role, user = self.role, self.user
        part = getattr(model, scoped.part) if scoped.part else None
        constituency = getattr(model, scoped.constituency) if scoped.constituency else None
        district = getattr(model, scoped.district) if scoped.district else None
        if role == Role.STATE:
            return true()
        if role == Role.COLLECTOR or (role == Role.VOLUNTEER and scoped.volunteers):
            if user.district_id is None:
                return false()
            if district is not None:
                return district == user.district_id
            if constituency is not None:
                in_district = select(Constituency.id).where(Constituency.district_id == user.district_id)
                return constituency.in_(in_district)
            return part.in_(select(Part.id).where(Part.district_id == user.district_id))
        if role == Role.ERO:
            if user.constituency_id is None:
                return false()
            if constituency is not None:
                return constituency == user.constituency_id
            if part is not None:
                return part.in_(select(Part.id).where(Part.constituency_id == user.constituency_id))
            if district is not None and scoped.district_wide_for_eros:
                return district == (
                    select(Constituency.district_id)
                    .where(Constituency.id == user.constituency_id)
                    .scalar_subquery()
                )
            return false()
        if role in (Role.SUPERVISOR, Role.BLO) and part is not None:
            return part.in_(select(Part.id).where(self.part_filter()))
        return false()

    # -- selects -------------------------------------------------------------------
    def districts(self) -> Select:
        return select(District).where(self.district_filter())

    def constituencies(self) -> Select:
        return select(Constituency).where(self.constituency_filter())

    def parts(self) -> Select:
        return select(Part).where(self.part_filter())

    def users(self) -> Select:
        return select(User).where(self.user_filter())

    # -- one object ----------------------------------------------------------------
    def require(self, model, object_id: int):
        """One query when allowed (the everyday case); 404 or 403 is told apart only on refusal.

        The query is this scope's own condition, built once per model and kind of user with the
        user's ids as bound parameters (_require_statement): every report post asks for its part,
        and building the statement anew cost more than running it."""
        user = self.user
        obj = db.session.scalar(
            _require_statement(model, user.role, user.district_id is None, user.constituency_id is None),
            {
                "object_id": object_id,
                "scope_user": user.id,
                "scope_district": user.district_id,
                "scope_constituency": user.constituency_id,
            },
        )
        if obj is not None:
            return obj
        abort(404 if db.session.get(model, object_id) is None else 403)

    def require_district(self, district_id: int) -> District:
        return self.require(District, district_id)

    def require_constituency(self, constituency_id: int) -> Constituency:
        return self.require(Constituency, constituency_id)

    def require_part(self, part_id: int) -> Part:
        return self.require(Part, part_id)

    def require_user(self, user_id: int) -> User:
        return self.require(User, user_id)

    # -- what the user may do --------------------------------------------------------
    def can_manage_roles(self) -> frozenset[Role]:
        if self.role == Role.ADMIN:
            return frozenset(Role)
        if self.role == Role.COLLECTOR:
            return COLLECTOR_MANAGES
        return frozenset()

    @property
    def sees_whole_state(self) -> bool:
        return self.role == Role.STATE


COLLECTOR_MANAGES = frozenset({Role.ERO, Role.SUPERVISOR, Role.BLO, Role.VOLUNTEER})


@dataclass(frozen=True)
class _BoundUser:
    """Stands for any user of one role in a statement built once: the ids are bound parameters
    (None where the user has none, as the rules above test)."""

    role: Role
    id: object
    district_id: object
    constituency_id: object


@cache
def _require_statement(model, role: Role, no_district: bool, no_constituency: bool) -> Select:
    """`require`'s query for one model and kind of user: Scope.of with the ids bound, built once."""
    stand_in = _BoundUser(
        role,
        bindparam("scope_user", type_=Integer),
        None if no_district else bindparam("scope_district", type_=Integer),
        None if no_constituency else bindparam("scope_constituency", type_=Integer),
    )
    condition = Scope(stand_in).of(model)  # type: ignore[arg-type]
    return select(model).where(model.id == bindparam("object_id", type_=Integer), condition)


def current_scope() -> Scope:
    """The signed-in user's scope, built once per request."""
    if "scope" not in g:
        if not current_user.is_authenticated:
            abort(401)
        g.scope = Scope(current_user._get_current_object())
    return g.scope
