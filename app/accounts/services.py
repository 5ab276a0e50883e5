"""Creating accounts and resetting passwords, within what the actor may manage."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError

from app import audit
from app.extensions import db
from app.figures.rollups import refresh_constituency_totals
from app.models import Constituency, Part, Role, User
from app.scope import Scope


class AccountError(ValueError):
    """A user-caused problem with one field of the account form."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class NewAccount:
    role: Role
    name: str
    login: str
    mobile: str
    locale: str
    password: str
    district_id: int | None = None
    constituency_number: int | None = None
    parts: str = ""


def account_snapshot(user: User) -> dict:
    return {
        "login": user.login,
        "name": user.name,
        "role": user.role.value,
        "mobile": user.mobile,
        "active": user.active,
        "district_id": user.district_id,
        "constituency_id": user.constituency_id,
    }


def parse_part_codes(text: str) -> list[tuple[int, int]]:
    codes = []
    for chunk in re.split(r"[,;\s]+", text.strip()):
        if not chunk:
            continue
        match = re.fullmatch(r"(\d{1,3})[-/](\d{1,4})", chunk)
        if not match:
            raise AccountError("parts", _("“%(code)s” is not of the form AC-part, like 152-12.", code=chunk))
        codes.append((int(match[1]), int(match[2])))
    return codes


def login_taken(login: str) -> bool:
    return db.session.scalar(select(User.id).where(User.login == login)) is not None


def create_account(scope: Scope, data: NewAccount) -> User:
    """Validate everything first, then write: a refused account leaves nothing behind."""
    actor = scope.user
    if data.role not in scope.can_manage_roles():
        raise AccountError("role", _("You cannot create accounts with this role."))
    login = data.login.strip().lower()
    if login_taken(login):
        raise AccountError("login", _("This login is already taken."))

    district_id = data.district_id
    if actor.role == Role.COLLECTOR:
        district_id = actor.district_id
    constituency_id = None
    parts: list[Part] = []

    if data.role in (Role.COLLECTOR, Role.VOLUNTEER) and not district_id:
        raise AccountError("district_id", _("Choose the district."))
    if data.role == Role.ERO:
        if not data.constituency_number:
            raise AccountError("constituency_number", _("Enter the AC number."))
        constituency = db.session.scalar(
            scope.constituencies().where(Constituency.number == data.constituency_number)
            if actor.role != Role.ADMIN
            else select(Constituency).where(Constituency.number == data.constituency_number)
        )
        if constituency is None:
            raise AccountError("constituency_number", _("There is no such AC in your scope."))
        constituency_id = constituency.id
        district_id = None
    if data.role in (Role.BLO, Role.SUPERVISOR):
        codes = parse_part_codes(data.parts)
        if not codes:
            raise AccountError("parts", _("Enter at least one part, like 152-12."))
        stmt = (
            select(Part)
            .join(Constituency, Part.constituency_id == Constituency.id)
            .where(tuple_(Constituency.number, Part.number).in_(codes))
        )
        if actor.role != Role.ADMIN:
            stmt = stmt.where(scope.part_filter())
        parts = list(db.session.scalars(stmt))
        if len(parts) != len(set(codes)):
            found = {(p.constituency.number, p.number) for p in parts}
            missing = ", ".join(f"{a}-{n}" for a, n in codes if (a, n) not in found)
            raise AccountError("parts", _("These parts are not in your scope: %(parts)s", parts=missing))
        district_id = None
    if data.role in (Role.STATE, Role.ADMIN):
        district_id = None

    user = User(
        login=login,
        name=data.name.strip(),
        mobile=data.mobile.strip(),
        role=data.role,
        locale=data.locale if data.locale in ("hi", "en") else "hi",
        district_id=district_id if data.role in (Role.COLLECTOR, Role.VOLUNTEER) else None,
        constituency_id=constituency_id,
    )
    user.set_password(data.password)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:
        # The same form sent twice at once: the other request took the login after the check above.
        raise AccountError("login", _("This login is already taken.")) from None
    for part in parts:
        before = {"blo_id": part.blo_id, "supervisor_id": part.supervisor_id}
        if data.role == Role.BLO:
            part.blo_id = user.id
        else:
            part.supervisor_id = user.id
        audit.record(
            actor, "part.assign", part, before, {"blo_id": part.blo_id, "supervisor_id": part.supervisor_id}
        )
    if parts:
        refresh_constituency_totals({part.constituency_id for part in parts})
    audit.record(actor, "user.create", user, None, account_snapshot(user))
    return user


def reset_password(scope: Scope, user: User) -> str:
    """Give the account a fresh temporary password and return it to show once."""
    if user.role not in scope.can_manage_roles():
        raise AccountError("role", _("You cannot reset this account's password."))
    temporary = secrets.token_urlsafe(8)
    user.set_password(temporary)
    user.end_sessions()
    audit.record(scope.user, "user.password_reset", user, None, {"login": user.login})
    return temporary


def set_active(scope: Scope, user: User, active: bool) -> None:
    if user.role not in scope.can_manage_roles() or user.id == scope.user.id:
        raise AccountError("role", _("You cannot change this account."))
    before = account_snapshot(user)
    user.active = active
    if not active:
        user.end_sessions()
    audit.record(
        scope.user, "user.activate" if active else "user.deactivate", user, before, account_snapshot(user)
    )
