"""Difficulties BLOs hit: each one, its timeline, its photo, the in-app notices it sends, and the
per-district routing of each category (first owner level and its clocks)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.columns import value_enum
from app.models.places import Part
from app.models.scoping import Scoped
from app.models.users import User
from app.timeutil import utcnow


class Category(enum.StrEnum):
    """The difficulties BLOs actually hit (DOMAIN.md)."""

    APP = "app"
    NETWORK = "network"
    FORMS_SHORT = "forms_short"
    ELECTORS_ABSENT = "electors_absent"
    MAPPING = "mapping"
    WORKLOAD = "workload"
    HEALTH = "health"
    SAFETY = "safety"
    OTHER = "other"
    # Raised by an inspection, never by a BLO: the reported figures differ from what was counted.
    DISCREPANCY = "discrepancy"


class Severity(enum.StrEnum):
    LOW = "low"  # slows the work
    HIGH = "high"  # stops the work
    URGENT = "urgent"  # a person's health or safety


class Source(enum.StrEnum):
    BLO = "blo"
    OFFICER = "officer"
    REVIEW = "review"
    INSPECTION = "inspection"


class Level(enum.StrEnum):
    """Who owns a difficulty, bottom to top; a difficulty past its time climbs one step."""

    SUPERVISOR = "supervisor"
    ERO = "ero"
    COLLECTOR = "collector"
    STATE = "state"

    @property
    def rank(self) -> int:
        return LEVELS.index(self)

    @property
    def above(self) -> Level | None:
        return LEVELS[self.rank + 1] if self.rank + 1 < len(LEVELS) else None


LEVELS = list(Level)


class Status(enum.StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    WAITING_BLO = "waiting_blo"
    WAITING_HELPDESK = "waiting_helpdesk"
    RESOLVED = "resolved"
    CLOSED = "closed"


# The clock runs in these; it pauses while waiting; it stops once resolved.
RUNNING = frozenset({Status.OPEN, Status.ACKNOWLEDGED, Status.IN_PROGRESS})
WAITING = frozenset({Status.WAITING_BLO, Status.WAITING_HELPDESK})
ACTIVE = RUNNING | WAITING


class Resolution(enum.StrEnum):
    FIXED = "fixed"
    HELPDESK = "helpdesk"  # referred to the Commission's helpdesk
    NOT_OURS = "not_ours"
    DUPLICATE = "duplicate"
    CANNOT_FIX = "cannot_fix"


class EventKind(enum.StrEnum):
    CREATED = "created"
    ACKNOWLEDGED = "acknowledged"
    STARTED = "started"
    WAITING_BLO = "waiting_blo"
    WAITING_HELPDESK = "waiting_helpdesk"
    RESUMED = "resumed"
    RESOLVED = "resolved"
    CONFIRMED = "confirmed"
    AUTO_CLOSED = "auto_closed"
    REOPENED = "reopened"
    COMMENT = "comment"
    ASSIGNED = "assigned"
    NOTICE = "notice"  # 50 % or 75 % of the level's time used (percent in `percent`)
    OVERDUE = "overdue"  # the level's time ran out
    ESCALATED = "escalated"  # moved up one level
    LINKED = "linked"  # a review or an inspection noted it again


class NoticeKind(enum.StrEnum):
    NEW = "new"  # a difficulty arrived in your queue
    HALF = "half"  # 50 % of the time used
    THREE_QUARTERS = "three_quarters"
    BREACH = "breach"  # your time ran out
    ESCALATED_TO_YOU = "escalated_to_you"  # it came up to you from below, past its time
    UPDATE = "update"  # something happened to a difficulty you reported


class Difficulty(db.Model):
    """One difficulty of one part: who raised it, who owns it now, and where its clock stands.

    `level_started_at`, `acknowledge_due_at`, `resolve_due_at` and `next_check_at` are derived from
    the timeline (app/difficulties/sla.py) at every event, never counted up by a job: they let the
    escalation job and the boards find what is due with an index instead of reading every timeline.
    """

    __tablename__ = "difficulties"
    __table_args__ = (
        Index("ix_difficulties_check", "status", "next_check_at"),
        Index("ix_difficulties_district_status", "district_id", "status"),
        Index("ix_difficulties_ac_category_opened", "constituency_id", "category", "opened_at"),
        Index("ix_difficulties_level_status", "level", "status"),
        # Every progress page counts the open and overdue ones per place from this index alone
        # (app/difficulties/figures.py place_counts): 2.0 ms at state scale before it, 0.5 after.
        Index(
            "ix_difficulties_open_places",
            "status",
            "district_id",
            "constituency_id",
            "part_id",
            "overdue_since",
        ),
    )
    __scope__ = Scoped(
        part="part_id", constituency="constituency_id", district="district_id", owner="reporter_id"
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"), index=True)
    constituency_id: Mapped[int] = mapped_column(ForeignKey("constituencies.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    blo_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    source: Mapped[Source] = mapped_column(value_enum(Source, 16))
    category: Mapped[Category] = mapped_column(value_enum(Category, 24))
    severity: Mapped[Severity] = mapped_column(value_enum(Severity, 16))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[Status] = mapped_column(value_enum(Status, 24))
    level: Mapped[Level] = mapped_column(value_enum(Level, 16))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("difficulties.id"), index=True)
    resolution: Mapped[Resolution | None] = mapped_column(value_enum(Resolution, 16))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    level_started_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    overdue_since: Mapped[datetime | None]
    acknowledge_due_at: Mapped[datetime | None]
    resolve_due_at: Mapped[datetime | None]
    next_check_at: Mapped[datetime | None]
    # Clock time (pauses left out) from opening to the first acknowledgement and to resolution.
    acknowledge_seconds: Mapped[int | None]
    resolve_seconds: Mapped[int | None]
    # The one-time token of the form it was sent from: a second tap on Send finds it and adds nothing.
    form_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Its own time to resolve, in place of the route's (an inspection's action item and its deadline).
    resolve_minutes: Mapped[int | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    part: Mapped[Part] = relationship()
    blo: Mapped[User | None] = relationship(foreign_keys=[blo_id])
    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    duplicate_of: Mapped[Difficulty | None] = relationship(remote_side=[id])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def is_overdue(self) -> bool:
        return self.overdue_since is not None and self.status in ACTIVE

    def __repr__(self) -> str:
        return f"<Difficulty {self.id} {self.category} {self.status} at {self.level}>"


class DifficultyEvent(db.Model):
    """The timeline: every transition, comment, notice and escalation, in order. Append-only."""

    __tablename__ = "difficulty_events"
    __table_args__ = (Index("ix_difficulty_events_difficulty", "difficulty_id", "id"),)
    __scope__ = Scoped(part="part_id", constituency="constituency_id", district="district_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    difficulty_id: Mapped[int] = mapped_column(ForeignKey("difficulties.id"))
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    constituency_id: Mapped[int] = mapped_column(ForeignKey("constituencies.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system
    kind: Mapped[EventKind] = mapped_column(value_enum(EventKind, 24))
    status: Mapped[Status] = mapped_column(value_enum(Status, 24))  # the status after the event
    level: Mapped[Level] = mapped_column(value_enum(Level, 16))  # the level after the event
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    percent: Mapped[int | None]  # of a notice
    resolution: Mapped[Resolution | None] = mapped_column(value_enum(Resolution, 16))
    note: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])


class DifficultyPhoto(db.Model):
    """The one photo a difficulty may carry: re-encoded JPEG, EXIF and GPS stripped."""

    __tablename__ = "difficulty_photos"
    __scope__ = Scoped(part="part_id", constituency="constituency_id", district="district_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    difficulty_id: Mapped[int] = mapped_column(ForeignKey("difficulties.id"), unique=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    constituency_id: Mapped[int] = mapped_column(ForeignKey("constituencies.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    content_type: Mapped[str] = mapped_column(String(32), default="image/jpeg")
    width: Mapped[int]
    height: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(db.Model):
    """An in-app notice to one user; the badge counts the unread ones with the user's queue."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)
    __scope__ = Scoped(owner="user_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    difficulty_id: Mapped[int] = mapped_column(ForeignKey("difficulties.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("difficulty_events.id"))
    kind: Mapped[NoticeKind] = mapped_column(value_enum(NoticeKind, 24))
    level: Mapped[Level] = mapped_column(value_enum(Level, 16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    difficulty: Mapped[Difficulty] = relationship()


class DifficultyRoute(db.Model):
    """A district's choice for one category: its first owner level and the time each level gets.

    A category without a row uses the defaults of app/difficulties/sla.py.
    """

    __tablename__ = "difficulty_routes"
    __table_args__ = (
        UniqueConstraint("district_id", "category", name="uq_difficulty_routes_district_category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    category: Mapped[Category] = mapped_column(value_enum(Category, 24))
    first_level: Mapped[Level] = mapped_column(value_enum(Level, 16))
    acknowledge_minutes: Mapped[int]
    resolve_minutes: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class WorkingHours(db.Model):
    """A district's working hours, set by its collector: the difficulties' clocks run only in them
    (app/difficulties/sla.py Calendar). A district without a row works 10:00–18:00, Monday to
    Saturday, in the campaign's time zone."""

    __tablename__ = "district_working_hours"
    __table_args__ = (
        CheckConstraint("opens_minute >= 0 AND opens_minute < closes_minute", name="opens_before_closes"),
        CheckConstraint("closes_minute <= 1440", name="closes_by_midnight"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), unique=True)
    opens_minute: Mapped[int]  # minutes after local midnight
    closes_minute: Mapped[int]  # 1440: until midnight
    weekdays: Mapped[str] = mapped_column(String(7))  # ISO weekdays worked, "123456" = Monday to Saturday
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class DistrictHoliday(db.Model):
    """A day the district's office is closed: no clock runs on it."""

    __tablename__ = "district_holidays"
    __table_args__ = (UniqueConstraint("district_id", "day", name="uq_district_holidays_district_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    day: Mapped[date]
    name: Mapped[str] = mapped_column(String(120), default="")
