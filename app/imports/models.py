"""Uploaded files of part figures and how far their check and apply went."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.users import User
from app.timeutil import utcnow


class ImportJob(db.Model):
    """An uploaded file of part figures: checked in a dry run, then applied all at once."""

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    filename: Mapped[str] = mapped_column(String(200))
    stored_path: Mapped[str] = mapped_column(String(400))
    # uploaded → checking → checked | rejected → applying → applied | failed
    status: Mapped[str] = mapped_column(String(16), default="uploaded")
    total_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    errors: Mapped[list | None] = mapped_column(JSON)
    summary: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # The queue's job of the current run (the check, then the apply).
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"))

    user: Mapped[User] = relationship()
