"""One row for every piece of background work: the page polls it, the queue carries only its id."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.columns import value_enum
from app.models.scoping import Scoped
from app.models.users import User
from app.timeutil import utcnow


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(db.Model):
    """A background job: who asked (and so whose scope), how far it got, and what came of it.

    `updated_at` is the heartbeat, written every 20 seconds while the job runs; `worker_*` say which
    process claimed it. A running job whose process is gone (seen at once on the same host) or
    whose heartbeat stopped for 2 minutes (another host) was cut off by a crash, and the closer
    marks it failed (app/tasks.py).
    """

    __tablename__ = "jobs"
    # A user's own jobs, and those of the district they hold (a collector's, or all for the state).
    __scope__ = Scoped(district="district_id", owner="user_id")
    __table_args__ = (Index("ix_jobs_status_updated_at", "status", "updated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[JobStatus] = mapped_column(
        value_enum(JobStatus, 16),
        default=JobStatus.QUEUED,
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    # What the task needs besides the job itself (a table name, a locale, an import's id).
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    total: Mapped[int] = mapped_column(default=0)
    processed: Mapped[int] = mapped_column(default=0)
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # The process that claimed it: where its pids mean something (the host name, and on Linux the
    # kernel's boot and the pid namespace), its pid, and when that process started (clock ticks
    # since boot, from /proc: a pid used again by another process has another start).
    worker_host: Mapped[str | None] = mapped_column(String(200))
    worker_pid: Mapped[int | None]
    worker_started: Mapped[int | None] = mapped_column(BigInteger)

    user: Mapped[User] = relationship()

    @property
    def running(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)
