"""Field inspections: a day's plan of stops, what was verified at each booth, the photos and
action items, the flags a mismatch raises, and each district's settings and checklist."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.inspections import rules
from app.models.columns import value_enum
from app.models.places import Part
from app.models.scoping import Scoped
from app.models.users import User
from app.timeutil import utcnow


class InspectionStatus(enum.StrEnum):
    PLANNED = "planned"
    UNDER_WAY = "under_way"  # the inspector has reached the first stop
    FINISHED = "finished"
    CANCELLED = "cancelled"


class StopStatus(enum.StrEnum):
    PENDING = "pending"
    VISITED = "visited"
    SKIPPED = "skipped"


class Network(enum.StrEnum):
    GOOD = "good"
    WEAK = "weak"
    NONE = "none"


class Mapping(enum.StrEnum):
    """How far the part's mapping to the old roll has gone, as the inspector saw it."""

    NOT_STARTED = "not_started"
    UNDER_WAY = "under_way"
    MOSTLY_DONE = "mostly_done"
    DONE = "done"


class InspectionSettings(db.Model):
    """A district's inspection settings; a district without a row uses the defaults."""

    __tablename__ = "inspection_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), unique=True)
    road_speed_kmh: Mapped[int] = mapped_column(default=30)
    road_factor_percent: Mapped[int] = mapped_column(default=130)  # road km = geodesic km × 1.30
    figure_threshold_percent: Mapped[int] = mapped_column(default=5)
    sample_threshold_percent: Mapped[int] = mapped_column(default=80)
    suggest_radius_km: Mapped[int] = mapped_column(default=40)
    stale_after_days: Mapped[int] = mapped_column(default=14)
    blos_see_visits: Mapped[bool] = mapped_column(default=False)  # off: visits come as a surprise
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Checklist(db.Model):
    """The checks of a campaign's visits, versioned: a visit keeps the version it was made with, so
    findings of one version compare with each other."""

    __tablename__ = "inspection_checklists"
    __table_args__ = (UniqueConstraint("campaign_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    version: Mapped[int]
    items: Mapped[list] = mapped_column(JSON)  # the keys of app.inspections.rules.CHECKS asked
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Inspection(db.Model):
    """One inspector's day of visits in one district: a start point and the stops, in route order."""

    __tablename__ = "inspections"
    __table_args__ = (
        Index("ix_inspections_district_day", "district_id", "day"),
        Index("ix_inspections_inspector_day", "inspector_id", "day"),
    )
    __scope__ = Scoped(district="district_id", owner="inspector_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    day: Mapped[date]
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    planned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    start_label: Mapped[str] = mapped_column(String(120), default="")  # empty: the district headquarters
    start_lat: Mapped[float]
    start_lon: Mapped[float]
    return_to_start: Mapped[bool] = mapped_column(default=True)
    status: Mapped[InspectionStatus] = mapped_column(
        value_enum(InspectionStatus, 16), default=InspectionStatus.PLANNED
    )
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None]
    form_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    inspector: Mapped[User] = relationship(foreign_keys=[inspector_id])
    stops: Mapped[list[Stop]] = relationship(
        back_populates="inspection", order_by="Stop.position", cascade="all, delete-orphan"
    )


class Stop(db.Model):
    """One booth of an inspection, and what was found there: the checks, the figures verified beside
    those reported for the day, the samples, the conditions and whether they disagree."""

    __tablename__ = "inspection_stops"
    __table_args__ = (
        UniqueConstraint("inspection_id", "part_id"),
        Index("ix_inspection_stops_part_visited", "part_id", "visited_at"),
        Index("ix_inspection_stops_district_visited", "district_id", "visited_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"))
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    constituency_id: Mapped[int] = mapped_column(ForeignKey("constituencies.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    position: Mapped[int]
    reasons: Mapped[list] = mapped_column(JSON, default=list)  # why it was suggested (rules.Reason)
    status: Mapped[StopStatus] = mapped_column(value_enum(StopStatus, 16), default=StopStatus.PENDING)
    skip_reason: Mapped[str] = mapped_column(String(300), default="")
    checklist_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_checklists.id"))
    # arrival
    arrived_at: Mapped[datetime | None]
    arrival_lat: Mapped[float | None]
    arrival_lon: Mapped[float | None]
    arrival_accuracy_m: Mapped[int | None]
    arrival_distance_m: Mapped[int | None]  # from the part's recorded location
    # checks (None: not asked or not answered)
    blo_present: Mapped[bool | None]
    id_card_shown: Mapped[bool | None]
    forms_in_stock: Mapped[bool | None]
    help_desk: Mapped[bool | None]
    blas_present: Mapped[bool | None]
    network: Mapped[Network | None] = mapped_column(value_enum(Network, 16))
    mapping: Mapped[Mapping | None] = mapped_column(value_enum(Mapping, 16))
    # the figures: verified on the spot, and those reported as of the visit's day
    report_date: Mapped[date | None]
    reported_distributed: Mapped[int | None]
    reported_collected: Mapped[int | None]
    reported_digitized: Mapped[int | None]
    verified_distributed: Mapped[int | None]
    verified_collected: Mapped[int | None]
    verified_digitized: Mapped[int | None]
    households_sampled: Mapped[int | None]
    households_confirmed: Mapped[int | None]
    asd_sampled: Mapped[int | None]
    asd_confirmed: Mapped[int | None]
    notes: Mapped[str] = mapped_column(Text, default="")
    findings: Mapped[list] = mapped_column(JSON, default=list)  # the discrepancies found (rules.Finding)
    difficulty_id: Mapped[int | None] = mapped_column(ForeignKey("difficulties.id"))
    visited_at: Mapped[datetime | None]
    visited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    inspection: Mapped[Inspection] = relationship(back_populates="stops")
    part: Mapped[Part] = relationship()

    @property
    def outcome(self) -> str:
        """The status the pages show: a stop still pending once its inspection has ended reads "not
        reached" (app.inspections.rules.stop_outcome), never "to visit"."""
        return rules.stop_outcome(self.status.value, self.inspection.status.value)


class StopPhoto(db.Model):
    """Up to three photos of a visit: re-encoded JPEG, EXIF and GPS stripped."""

    __tablename__ = "inspection_photos"
    __table_args__ = (Index("ix_inspection_photos_stop", "stop_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stop_id: Mapped[int] = mapped_column(ForeignKey("inspection_stops.id"))
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    constituency_id: Mapped[int] = mapped_column(ForeignKey("constituencies.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    content_type: Mapped[str] = mapped_column(String(32), default="image/jpeg")
    width: Mapped[int]
    height: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class ActionItem(db.Model):
    """What must be done after a visit, by whom, by when; it is followed as a difficulty."""

    __tablename__ = "inspection_actions"
    __table_args__ = (Index("ix_inspection_actions_stop", "stop_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stop_id: Mapped[int] = mapped_column(ForeignKey("inspection_stops.id"))
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    constituency_id: Mapped[int] = mapped_column(ForeignKey("constituencies.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    what: Mapped[str] = mapped_column(String(500))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[date]
    difficulty_id: Mapped[int] = mapped_column(ForeignKey("difficulties.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])


class PartFlag(db.Model):
    """A part whose reported figures an inspection found wrong. Open until the next report or visit
    agrees with what was counted; every progress page and the part show the open ones."""

    __tablename__ = "inspection_flags"
    __table_args__ = (
        Index("ix_inspection_flags_part_open", "part_id", "cleared_at"),
        Index("ix_inspection_flags_district_open", "district_id", "cleared_at"),
        # The progress pages' open flags per district or AC, read from the index alone.
        Index("ix_inspection_flags_open_places", "cleared_at", "district_id", "constituency_id", "part_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    constituency_id: Mapped[int] = mapped_column(ForeignKey("constituencies.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    stop_id: Mapped[int] = mapped_column(ForeignKey("inspection_stops.id"))
    difficulty_id: Mapped[int | None] = mapped_column(ForeignKey("difficulties.id"))
    findings: Mapped[list] = mapped_column(JSON, default=list)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    cleared_at: Mapped[datetime | None]
    cleared_by: Mapped[str | None] = mapped_column(String(16))  # "report" | "visit"
    cleared_ref: Mapped[int | None]  # the report or stop that agreed
