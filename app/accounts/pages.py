"""The accounts screens' read side: the list of accounts and the districts an account may be given."""

from __future__ import annotations

from sqlalchemy import Select, or_, select

from app.extensions import db
from app.models import District, Role, User
from app.places.services import _like
from app.scope import Scope


def accounts_listed(scope: Scope, q: str | None, role: str | None) -> Select:
    """The accounts the reader manages, by role and login, narrowed to a search and a role."""
    stmt = scope.users().order_by(User.role, User.login)
    if q:
        pattern = _like(q)
        stmt = stmt.where(
            or_(
                User.login.ilike(pattern, escape="\\"),
                User.name.ilike(pattern, escape="\\"),
                User.mobile.ilike(pattern, escape="\\"),
            )
        )
    if role:
        stmt = stmt.where(User.role == Role(role))
    return stmt


def districts_offered(scope: Scope, language: str) -> list[District]:
    """The districts a new account may belong to, by name in the reader's language: every one for
    the admin, the reader's own otherwise."""
    name = District.name_hi if language == "hi" else District.name_en
    if scope.role == Role.ADMIN:
        return list(db.session.scalars(select(District).order_by(name)))
    return list(db.session.scalars(scope.districts().order_by(name)))
