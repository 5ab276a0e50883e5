"""Places of the roll: district → assembly constituency (AC) → part (polling station)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

if TYPE_CHECKING:
    from app.models.users import User


class District(db.Model):
    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_en: Mapped[str] = mapped_column(String(80), unique=True)
    name_hi: Mapped[str] = mapped_column(String(80))
    division_en: Mapped[str] = mapped_column(String(80))
    division_hi: Mapped[str] = mapped_column(String(80))
    hq_lat: Mapped[float]
    hq_lon: Mapped[float]
    aliases: Mapped[str] = mapped_column(String(200), default="")

    constituencies: Mapped[list[Constituency]] = relationship(
        back_populates="district", order_by="Constituency.number"
    )

    def name(self, lang: str) -> str:
        return self.name_hi if lang == "hi" else self.name_en


class Constituency(db.Model):
    """An assembly constituency (AC), numbered 1–230 across the state."""

    __tablename__ = "constituencies"
    __table_args__ = (CheckConstraint("number >= 1", name="number_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    name_en: Mapped[str] = mapped_column(String(120))
    name_hi: Mapped[str] = mapped_column(String(120))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    # Totals of the AC's parts, kept by refresh_constituency_totals() whenever parts or their
    # BLOs change, so that state and district views never scan the parts.
    electors: Mapped[int] = mapped_column(default=0, server_default="0")
    parts_count: Mapped[int] = mapped_column(default=0, server_default="0")
    blos_count: Mapped[int] = mapped_column(default=0, server_default="0")

    district: Mapped[District] = relationship(back_populates="constituencies")

    def name(self, lang: str) -> str:
        return self.name_hi if lang == "hi" else self.name_en


class Part(db.Model):
    """A polling station ("part"); its number is unique within its AC.

    district_id repeats the AC's district so that district-wide figures need no join;
    it is set from the AC when the part is created and never edited on its own.
    """

    __tablename__ = "parts"
    __table_args__ = (
        UniqueConstraint("constituency_id", "number", name="uq_parts_constituency_number"),
        CheckConstraint("electors >= 0", name="electors_not_negative"),
        Index("ix_parts_district_constituency", "district_id", "constituency_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    constituency_id: Mapped[int] = mapped_column(ForeignKey("constituencies.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    number: Mapped[int]
    name_en: Mapped[str] = mapped_column(String(160))
    name_hi: Mapped[str] = mapped_column(String(160))
    building: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    electors: Mapped[int] = mapped_column(default=0)
    blo_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    constituency: Mapped[Constituency] = relationship()
    district: Mapped[District] = relationship()
    blo: Mapped[User | None] = relationship(foreign_keys=[blo_id])
    supervisor: Mapped[User | None] = relationship(foreign_keys=[supervisor_id])

    def name(self, lang: str) -> str:
        return self.name_hi if lang == "hi" else self.name_en
