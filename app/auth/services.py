"""Sign-in checks that do not depend on the request."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from app import audit
from app.extensions import db
from app.models import User

# Checked against when the login does not exist, so both answers take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def authenticate(login: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.login == login.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
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
