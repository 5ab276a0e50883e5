"""Sign-in checks that do not depend on the request."""

from __future__ import annotations

from sqlalchemy import select

from app import audit
from app.extensions import db
from app.models import User
from app.passwords import check_against_nothing


def authenticate(login: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.login == login.strip().lower()))
    if user is None:
        check_against_nothing(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def change_password(user: User, new_password: str, actor: User) -> None:
    """Set the password and end every session of the account; the route signs this one in again."""
    user.set_password(new_password)
    user.end_sessions()
    audit.record(actor, "user.password", user, None, {"login": user.login})


def set_locale(user: User, lang: str) -> None:
    before = {"locale": user.locale}
    user.locale = lang
    audit.record(user, "user.locale", user, before, {"locale": lang})
