"""The one place that decides which places and people a signed-in user may see.

Every query made for a scoped user goes through `current_scope()`: it filters a select of
districts, constituencies, parts or users down to the user's scope, and `require_*`
fetches one object or answers 404 (no such object) / 403 (not yours).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, g
from flask_login import current_user
from sqlalchemy import Select, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.models import Constituency, District, Job, Part, Role, User


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

    def job_filter(self) -> ColumnElement[bool]:
        """Background jobs: a user's own; a collector's district's too; all for the state."""
        if self.role == Role.STATE:
            return true()
        if self.role == Role.COLLECTOR:
            return or_(Job.user_id == self.user.id, Job.district_id == self.user.district_id)
        return Job.user_id == self.user.id

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
    def _require(self, model, object_id: int, condition: ColumnElement[bool]):
        """One query when allowed (the everyday case); 404 or 403 is told apart only on refusal."""
        obj = db.session.scalar(select(model).where(model.id == object_id, condition))
        if obj is not None:
            return obj
        abort(404 if db.session.get(model, object_id) is None else 403)

    def require_district(self, district_id: int) -> District:
        return self._require(District, district_id, self.district_filter())

    def require_constituency(self, constituency_id: int) -> Constituency:
        return self._require(Constituency, constituency_id, self.constituency_filter())

    def require_part(self, part_id: int) -> Part:
        return self._require(Part, part_id, self.part_filter())

    def require_user(self, user_id: int) -> User:
        return self._require(User, user_id, self.user_filter())

    def require_job(self, job_id: int) -> Job:
        return self._require(Job, job_id, self.job_filter())

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


def current_scope() -> Scope:
    """The signed-in user's scope, built once per request."""
    if "scope" not in g:
        if not current_user.is_authenticated:
            abort(401)
        g.scope = Scope(current_user._get_current_object())
    return g.scope
