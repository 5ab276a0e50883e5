"""The revision campaign: its dates and the daily digitization target."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class Campaign(db.Model):
    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("enumeration_end >= enumeration_start", name="dates_in_order"),
        CheckConstraint("daily_target_percent > 0 AND daily_target_percent <= 100", name="target_range"),
        CheckConstraint("report_cutoff_hour >= 0 AND report_cutoff_hour <= 23", name="cutoff"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    enumeration_start: Mapped[date]
    enumeration_end: Mapped[date]
    daily_target_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("10"))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Kolkata")
    # Until this hour (campaign time) a BLO may still fill in yesterday's figures.
    report_cutoff_hour: Mapped[int] = mapped_column(default=12)

    def snapshot(self) -> dict:
        return {
            "name": self.name,
            "enumeration_start": self.enumeration_start.isoformat(),
            "enumeration_end": self.enumeration_end.isoformat(),
            "daily_target_percent": str(Decimal(self.daily_target_percent).quantize(Decimal("0.01"))),
            "timezone": self.timezone,
            "report_cutoff_hour": self.report_cutoff_hour,
        }
