"""People who sign in, and the links that give each one their scope."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Integer, String, bindparam, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import passwords
from app.extensions import db, login_manager
from app.models.columns import value_enum
from app.models.places import Constituency, District
from app.timeutil import utcnow


class Role(enum.StrEnum):
    STATE = "state"
    COLLECTOR = "collector"
    ERO = "ero"
    SUPERVISOR = "supervisor"
    BLO = "blo"
    VOLUNTEER = "volunteer"
    ADMIN = "admin"


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    mobile: Mapped[str] = mapped_column(String(15), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    # Indexed: the holders of a difficulty's level are found by role (officers among 100,000s of users).
    role: Mapped[Role] = mapped_column(value_enum(Role, 16), index=True)
    locale: Mapped[str] = mapped_column(String(5), default="hi")
    active: Mapped[bool] = mapped_column(default=True)
    # A collector's or volunteer's district; an ERO's AC. BLOs and supervisors are linked
    # from the parts they hold (Part.blo_id, Part.supervisor_id).
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    constituency_id: Mapped[int | None] = mapped_column(ForeignKey("constituencies.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Part of every session and remember cookie (get_id); a new one signs out every old cookie.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)

    district: Mapped[District | None] = relationship()
    constituency: Mapped[Constituency | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sign-in to inactive accounts
        return self.active

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session and the remember cookie, with the session token."""
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        """Sign out every session and remembered sign-in of this account."""
        self.session_token = new_session_token()

    def set_password(self, password: str) -> None:
        self.password_hash = passwords.hash_password(password)

    def check_password(self, password: str) -> bool:
        return passwords.check_password(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.login} {self.role}>"


# Built once: every signed-in request reads its user (Session.get builds its statement each time).
_USER_BY_ID = select(User).where(User.id == bindparam("user_id", type_=Integer))


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The signed-in user, only while the cookie's session token is the account's current one."""
    number, _, token = user_id.partition(":")
    if not (number.isascii() and number.isdigit()) or not token or int(number) > 2**31 - 1:
        return None
    user = db.session.scalar(_USER_BY_ID, {"user_id": int(number)})
    if user is None or not user.active or not secrets.compare_digest(user.session_token, token):
        return None
    return user
