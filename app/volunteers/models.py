"""Volunteers: who they are and when they are free, the offers made to them, the days they came,
and each district's limits."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, and_, false, or_
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.columns import value_enum
from app.models.places import Part
from app.models.scoping import Scoped
from app.models.users import User
from app.timeutil import utcnow


class Organisation(enum.StrEnum):
    NSS = "nss"
    NCC = "ncc"
    COLLEGE = "college"
    GOVERNMENT = "government"  # government staff
    PANCHAYAT = "panchayat"  # panchayat secretaries, gram rozgar sahayaks
    OTHER = "other"


class VolunteerStatus(enum.StrEnum):
    PENDING = "pending"  # registered (or back after two no-shows), waiting for approval
    APPROVED = "approved"
    REJECTED = "rejected"


class Task(enum.StrEnum):
    """What a volunteer may be asked to do (DOMAIN.md). Acting as the BLO, certifying an ASD status
    and taking electors' documents are not tasks: they cannot be offered."""

    AWARENESS = "awareness"
    FORM_FILLING = "form_filling"  # helping electors fill forms
    OLD_ROLL_SEARCH = "old_roll_search"
    HELP_DESK = "help_desk"
    DATA_ENTRY = "data_entry"  # under the BLO's supervision


class OfferStatus(enum.StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


# An offer still holding the volunteer's time (and a place at the part).
HOLDING = frozenset({OfferStatus.OFFERED, OfferStatus.ACCEPTED})


class Attendance(enum.StrEnum):
    CONFIRMED = "confirmed"  # the BLO says the volunteer came
    NO_SHOW = "no_show"


class Volunteer(db.Model):
    """A volunteer's profile; their account (role volunteer) signs in once they are approved."""

    __tablename__ = "volunteers"
    __table_args__ = (Index("ix_volunteers_district_status", "district_id", "status"),)
    __scope__ = Scoped(district="district_id", owner="user_id", district_wide_for_eros=True)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    name: Mapped[str] = mapped_column(String(120))
    mobile: Mapped[str] = mapped_column(String(15), unique=True)
    organisation: Mapped[Organisation] = mapped_column(value_enum(Organisation, 16))
    institution: Mapped[str] = mapped_column(String(160), default="")
    languages: Mapped[list] = mapped_column(JSON, default=list)  # e.g. ["hi", "en", "bundeli"]
    address: Mapped[str] = mapped_column(String(300), default="")
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    # Geocoding runs as a job when a geocoder is configured: pending, done, failed or off.
    geocode_status: Mapped[str] = mapped_column(String(16), default="off")
    status: Mapped[VolunteerStatus] = mapped_column(
        value_enum(VolunteerStatus, 16), default=VolunteerStatus.PENDING
    )
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The one-time token of the sign-up form it came from: a second tap adds nothing.
    form_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    windows: Mapped[list[AvailabilityWindow]] = relationship(
        back_populates="volunteer", cascade="all, delete-orphan", order_by="AvailabilityWindow.starts_on"
    )


class AvailabilityWindow(db.Model):
    """Dates and times of day a volunteer is free: every day from starts_on to ends_on, start to end."""

    __tablename__ = "volunteer_availability"
    __table_args__ = (Index("ix_volunteer_availability_days", "starts_on", "ends_on"),)
    __scope__ = Scoped(district="district_id", owner="user_id", district_wide_for_eros=True)

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"), index=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    start_time: Mapped[time]
    end_time: Mapped[time]

    volunteer: Mapped[Volunteer] = relationship(back_populates="windows")


class Assignment(db.Model):
    """An offer to one volunteer to help one part's BLO on some days; it counts once accepted."""

    __tablename__ = "volunteer_assignments"
    __table_args__ = (
        Index("ix_volunteer_assignments_volunteer_days", "volunteer_id", "starts_on", "ends_on"),
        Index("ix_volunteer_assignments_part_status", "part_id", "status"),
        Index("ix_volunteer_assignments_district_status", "district_id", "status"),
        Index("ix_volunteer_assignments_expiry", "status", "expires_at"),
    )
    __scope__ = Scoped(
        part="part_id", constituency="constituency_id", district="district_id", owner="volunteer_user_id"
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"))
    volunteer_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    constituency_id: Mapped[int] = mapped_column(ForeignKey("constituencies.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    blo_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    start_time: Mapped[time]
    end_time: Mapped[time]
    tasks: Mapped[list] = mapped_column(JSON)  # Task values
    status: Mapped[OfferStatus] = mapped_column(value_enum(OfferStatus, 16), default=OfferStatus.OFFERED)
    offered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    offered_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    volunteer: Mapped[Volunteer] = relationship()
    part: Mapped[Part] = relationship()
    offered_by: Mapped[User] = relationship(foreign_keys=[offered_by_id])

    # -- the offer's rules, in Python and in SQL ---------------------------------------------------

    @hybrid_method
    def open_at(self, now: datetime) -> bool:
        """Still waiting for an answer at `now`: offered, and its time to answer not over."""
        return self.status == OfferStatus.OFFERED and self.expires_at > now

    @open_at.inplace.expression
    @classmethod
    def _open_at(cls, now: datetime):
        return and_(cls.status == OfferStatus.OFFERED, cls.expires_at > now)

    @hybrid_property
    def is_open(self) -> bool:
        """The offer can still be accepted or declined, now (the app's clock)."""
        return self.open_at(utcnow())

    @is_open.inplace.expression
    @classmethod
    def _is_open(cls):
        return cls.open_at(utcnow())

    @hybrid_method
    def overdue_at(self, now: datetime) -> bool:
        """Still marked offered at `now` though its time to answer is over: the expiry task's work."""
        return self.status == OfferStatus.OFFERED and self.expires_at <= now

    @overdue_at.inplace.expression
    @classmethod
    def _overdue_at(cls, now: datetime):
        return and_(cls.status == OfferStatus.OFFERED, cls.expires_at <= now)

    @hybrid_method
    def lapsed_at(self, now: datetime) -> bool:
        """Its time to answer ran out by `now` without an answer: expired, or overdue."""
        return self.status == OfferStatus.EXPIRED or self.overdue_at(now)

    @lapsed_at.inplace.expression
    @classmethod
    def _lapsed_at(cls, now: datetime):
        return or_(cls.status == OfferStatus.EXPIRED, cls.overdue_at(now))


class VisitDay(db.Model):
    """One day of an accepted assignment: check-in and check-out, the work logged, the BLO's word."""

    __tablename__ = "volunteer_days"
    __table_args__ = (
        UniqueConstraint("assignment_id", "day", name="uq_volunteer_days_assignment_day"),
        Index("ix_volunteer_days_volunteer_day", "volunteer_id", "day"),
        Index("ix_volunteer_days_part_day", "part_id", "day"),
    )
    __scope__ = Scoped(
        part="part_id", constituency="constituency_id", district="district_id", owner="volunteer_user_id"
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("volunteer_assignments.id"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"))
    volunteer_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    constituency_id: Mapped[int] = mapped_column(ForeignKey("constituencies.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    day: Mapped[date]
    # The phone's time of the tap when plausible (else when it reached the server), and beside it
    # when the server received it: a check-in kept offline all morning keeps its morning.
    check_in_at: Mapped[datetime | None]
    check_out_at: Mapped[datetime | None]
    check_in_received_at: Mapped[datetime | None]
    check_out_received_at: Mapped[datetime | None]
    check_in_lat: Mapped[float | None]
    check_in_lon: Mapped[float | None]
    check_in_distance_m: Mapped[int | None]
    # Checked in well before the offered hours or after they ended: kept, and shown to the officers.
    check_in_outside_hours: Mapped[bool] = mapped_column(default=False, server_default=false())
    check_out_lat: Mapped[float | None]
    check_out_lon: Mapped[float | None]
    check_out_distance_m: Mapped[int | None]
    # Worked time, from check-in to check-out, capped at the daily cap: written at check-out.
    minutes: Mapped[int | None]
    forms_helped: Mapped[int] = mapped_column(default=0)
    electors_helped: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    # The last work log: the tap's time (as check-in's) and when the server received it.
    work_logged_at: Mapped[datetime | None]
    work_received_at: Mapped[datetime | None]
    attendance: Mapped[Attendance | None] = mapped_column(value_enum(Attendance, 16))
    attendance_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    attendance_at: Mapped[datetime | None]

    assignment: Mapped[Assignment] = relationship()


class VolunteerSettings(db.Model):
    """A district's limits; a district without a row uses the defaults."""

    __tablename__ = "volunteer_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), unique=True)
    max_per_part: Mapped[int] = mapped_column(default=3)
    offer_expiry_hours: Mapped[int] = mapped_column(default=24)
    daily_hour_cap: Mapped[int] = mapped_column(default=8)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class RepeatRegistration(db.Model):
    """A public sign-up with a mobile number already registered. The visitor hears what every
    visitor hears (the number is not confirmed to anyone); nothing is created and no account is
    touched. The approvers of `district_id` see it: the registered volunteer's district, or the
    district typed when the number signs in an official's account."""

    __tablename__ = "volunteer_repeat_registrations"
    __table_args__ = (Index("ix_volunteer_repeat_registrations_district_at", "district_id", "at"),)
    __scope__ = Scoped(district="district_id", district_wide_for_eros=True)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    # The volunteer who holds the number, or None when it is an official's sign-in (user_id).
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    mobile: Mapped[str] = mapped_column(String(15))
    name: Mapped[str] = mapped_column(String(120))  # as typed this time
    typed_district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # The sign-up form it came from: a second tap of the same form adds nothing.
    form_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    volunteer: Mapped[Volunteer | None] = relationship()
