"""Daily figures: one cumulative report per part per day, and per-AC daily roll-ups.

A part's figures on a day are its latest report on or before that day (cumulative figures carry
forward); a part without a report on a day is *missing* that day, never zero progress.
ConstituencyDay keeps, per AC and day, the sum of its parts' carried-forward figures and how many
parts reported that very day. It is rewritten in the same transaction as every report, so the
district and state views read a few hundred rows whatever the number of parts.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.places import Constituency, Part
from app.models.users import User
from app.timeutil import utcnow

FIGURES = (
    "distributed",
    "collected",
    "digitized",
    "mapped_self",
    "mapped_progeny",
    "unmapped",
    "asd_absent",
    "asd_shifted",
    "asd_dead",
    "asd_duplicate",
)
ASD_FIGURES = ("asd_absent", "asd_shifted", "asd_dead", "asd_duplicate")
MAPPING_FIGURES = ("mapped_self", "mapped_progeny", "unmapped")


class Figures:
    """The cumulative figures of DOMAIN.md, shared by a part's report and an AC's roll-up."""

    distributed: Mapped[int] = mapped_column(default=0)
    collected: Mapped[int] = mapped_column(default=0)
    digitized: Mapped[int] = mapped_column(default=0)
    mapped_self: Mapped[int] = mapped_column(default=0)
    mapped_progeny: Mapped[int] = mapped_column(default=0)
    unmapped: Mapped[int] = mapped_column(default=0)
    asd_absent: Mapped[int] = mapped_column(default=0)
    asd_shifted: Mapped[int] = mapped_column(default=0)
    asd_dead: Mapped[int] = mapped_column(default=0)
    asd_duplicate: Mapped[int] = mapped_column(default=0)

    def figures(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in FIGURES}


class DailyReport(Figures, db.Model):
    __tablename__ = "daily_reports"
    __table_args__ = (
        UniqueConstraint("part_id", "report_date", name="uq_daily_reports_part_date"),
        Index("ix_daily_reports_constituency_date", "constituency_id", "report_date"),
        Index("ix_daily_reports_district_date", "district_id", "report_date"),
        Index("ix_daily_reports_date", "report_date"),
        *(CheckConstraint(f"{name} >= 0", name=f"{name}_not_negative") for name in FIGURES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    # Copied from the part so that an AC's or district's reports are read without a join.
    constituency_id: Mapped[int] = mapped_column(ForeignKey("constituencies.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    report_date: Mapped[date]
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # True when a supervisor, ERO or collector entered it for the BLO.
    on_behalf: Mapped[bool] = mapped_column(default=False)
    # Set when a cumulative figure went down from the previous report: the stated reason.
    correction_reason: Mapped[str | None] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(16), default="form")  # form | import | seed
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    part: Mapped[Part] = relationship()
    entered_by: Mapped[User | None] = relationship()


class ConstituencyDay(Figures, db.Model):
    __tablename__ = "constituency_days"
    __table_args__ = (
        Index("ix_constituency_days_district_day", "district_id", "day"),
        # The newest stamp is the figures' version (app/figures/queries.figures_version).
        Index("ix_constituency_days_last_report_at", "last_report_at"),
    )

    constituency_id: Mapped[int] = mapped_column(ForeignKey("constituencies.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True, index=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    parts_reported: Mapped[int] = mapped_column(default=0)
    # The latest time a report of that very day was written: the "as of" of the figures.
    last_report_at: Mapped[datetime | None]

    constituency: Mapped[Constituency] = relationship()


class RollupFrontier(db.Model):
    """The day through which every AC with a roll-up has a row for each day (one row, id 1).

    Readers then find a day's figures with an equality lookup instead of searching each AC's
    latest row; the periodic task progress.tasks.carry_days_forward moves it on, and readers of a
    day beyond it fall back to each AC's latest row since the frontier.
    """

    __tablename__ = "rollup_frontier"

    id: Mapped[int] = mapped_column(primary_key=True)
    dense_through: Mapped[date]
