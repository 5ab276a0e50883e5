"""The daily reviews of BLOs by their officers."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.difficulties.models import Category as Difficulty
from app.extensions import db
from app.models.columns import value_enum
from app.models.places import Part
from app.models.users import User
from app.timeutil import utcnow


class ReviewKind(enum.StrEnum):
    CALL = "call"
    VISIT = "visit"
    MEETING = "meeting"


class BloReview(db.Model):
    """The daily review (संवाद) of a BLO by a supervisor, ERO or collector."""

    __tablename__ = "blo_reviews"
    __table_args__ = (Index("ix_blo_reviews_part_date", "part_id", "review_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    constituency_id: Mapped[int] = mapped_column(ForeignKey("constituencies.id"))
    blo_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    review_date: Mapped[date]
    kind: Mapped[ReviewKind] = mapped_column(value_enum(ReviewKind, 16))
    outcome: Mapped[str] = mapped_column(Text)
    difficulty: Mapped[Difficulty | None] = mapped_column(value_enum(Difficulty, 24))
    # The difficulty this review opened, or the part's open one of that category it was linked to.
    difficulty_id: Mapped[int | None] = mapped_column(ForeignKey("difficulties.id"), index=True)
    follow_up_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The one-time token of the form it was sent from: a second tap on Save finds it and adds nothing.
    form_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    part: Mapped[Part] = relationship()
    blo: Mapped[User | None] = relationship(foreign_keys=[blo_id])
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])
