"""Planning, routing and recording inspections. Services never touch the request: routes, jobs,
seeds and tests call them; every change writes an audit entry in the caller's transaction and the
caller commits once. A refusal raises InspectionError (FormErrors), VersionConflict or NotAllowed
before anything is written.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC as ZONE_UTC
from datetime import date, datetime, time, timedelta

import numpy as np
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, func, or_, select, update

from app import audit, locks
from app.campaign.clock import campaign_day_of, campaign_today, campaign_zone
from app.difficulties import services as difficulty_services
from app.difficulties.models import ACTIVE, Category, Difficulty, Severity, Source
from app.extensions import db
from app.figures.models import DailyReport
from app.figures.rows import PartLine
from app.figures.rules import elector_tolerance
from app.figures.selects import as_date, with_lines
from app.formatting import day as format_day
from app.geo import geodesic_km, haversine_km
from app.inspections import routing, rules
from app.inspections.labels import FIGURE_LABELS, SAMPLE_LABELS
from app.inspections.models import (
    ActionItem,
    Checklist,
    Inspection,
    InspectionSettings,
    InspectionStatus,
    Mapping,
    Network,
    PartFlag,
    Stop,
    StopPhoto,
    StopStatus,
)
from app.models import Campaign, Constituency, District, Part, Role, User
from app.photos import Photo
from app.refusals import FormErrors, NotAllowed, VersionConflict
from app.timeutil import utcnow
from app.volunteers import needs as need_figures
from app.volunteers import rules as need_rules

MAX_STOPS = 25
MAX_PHOTOS = 3
NOTE_MAX = 2000
SKIP_REASON_MAX = 300
ACTION_MAX = 500
MAX_ACTIONS = 5
MAX_ACTION_DAYS = 60
SUGGESTION_LIMIT = 40
PLAN_AHEAD_DAYS = 90
INSPECTOR_ROLES = (Role.COLLECTOR, Role.ERO, Role.SUPERVISOR)


class InspectionError(FormErrors):
    """User-caused: {field: message}. Nothing was saved."""


class RecordingClosed(NotAllowed):
    """No visit can be recorded, no stop skipped and the day not finished now: `reason` says why
    (before the inspection's day, or once it is finished or cancelled)."""

    def __init__(self, reason: rules.Closed):
        super().__init__(reason.value)
        self.reason = reason


# -- settings and checklist ------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    road_speed_kmh: int = 30
    road_factor_percent: int = 130
    figure_threshold_percent: int = 5
    sample_threshold_percent: int = 80
    suggest_radius_km: int = 40
    stale_after_days: int = 14
    blos_see_visits: bool = False

    @property
    def road_factor(self) -> float:
        return self.road_factor_percent / 100


SETTING_LIMITS = {
    "road_speed_kmh": (5, 120),
    "road_factor_percent": (100, 300),
    "figure_threshold_percent": (1, 50),
    "sample_threshold_percent": (10, 100),
    "suggest_radius_km": (1, 300),
    "stale_after_days": (1, 90),
}


def settings_for(district_id: int) -> Settings:
    row = db.session.scalar(select(InspectionSettings).where(InspectionSettings.district_id == district_id))
    if row is None:
        return Settings()
    return Settings(
        row.road_speed_kmh,
        row.road_factor_percent,
        row.figure_threshold_percent,
        row.sample_threshold_percent,
        row.suggest_radius_km,
        row.stale_after_days,
        row.blos_see_visits,
    )


def save_settings(actor: User, district_id: int, values: dict) -> InspectionSettings:
    """Set a district's settings (whole numbers within SETTING_LIMITS, and the BLO switch)."""
    errors = {}
    clean = {}
    for name, (low, high) in SETTING_LIMITS.items():
        value = values.get(name)
        if not isinstance(value, int) or not low <= value <= high:
            errors[name] = str(_l("Enter a whole number from %(low)s to %(high)s.", low=low, high=high))
        else:
            clean[name] = value
    if errors:
        raise InspectionError(errors)
    row = db.session.scalar(select(InspectionSettings).where(InspectionSettings.district_id == district_id))
    before = None
    if row is None:
        row = InspectionSettings(district_id=district_id)
        db.session.add(row)
    else:
        before = {name: getattr(row, name) for name in (*SETTING_LIMITS, "blos_see_visits")}
    for name, value in clean.items():
        setattr(row, name, value)
    row.blos_see_visits = bool(values.get("blos_see_visits"))
    row.updated_by_id = actor.id
    db.session.flush()
    audit.record(actor, "inspection.settings", row, before, {**clean, "blos_see_visits": row.blos_see_visits})
    return row


def checklist(campaign_id: int | None, create: bool = False) -> Checklist | None:
    """The campaign's newest checklist version; the first one (every check) is made on the first
    visit recorded (never on a read)."""
    if campaign_id is None:
        return None
    found = db.session.scalar(
        select(Checklist)
        .where(Checklist.campaign_id == campaign_id)
        .order_by(Checklist.version.desc())
        .limit(1)
    )
    if found is None and create:
        found = Checklist(campaign_id=campaign_id, version=1, items=list(rules.CHECKS))
        db.session.add(found)
        db.session.flush()
    return found


# -- who inspects, and the start point ----------------------------------------------------------


def inspectors(district_id: int) -> list[User]:
    """The officers of the district who may inspect: its collectors, EROs and supervisors."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                User.role.in_(INSPECTOR_ROLES),
                or_(
                    User.district_id == district_id,
                    User.constituency_id.in_(
                        select(Constituency.id).where(Constituency.district_id == district_id)
                    ),
                    User.id.in_(select(Part.supervisor_id).where(Part.district_id == district_id)),
                ),
            )
            .order_by(User.role, User.name)
        )
    )


def action_owners(part: Part) -> list[User]:
    """Who may own an action item of a visit to the part: its supervisor, its AC's EROs and the
    district's collectors (the levels a difficulty climbs)."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                or_(
                    and_(User.role == Role.SUPERVISOR, User.id == part.supervisor_id),
                    and_(User.role == Role.ERO, User.constituency_id == part.constituency_id),
                    and_(User.role == Role.COLLECTOR, User.district_id == part.district_id),
                ),
            )
            .order_by(User.role, User.name)
        )
    )


# -- suggestions ------------------------------------------------------------------------------------


@dataclass
class Suggestion:
    part_id: int
    lat: float
    lon: float
    km: float  # geodesic km from the start point
    reasons: list[rules.Reason]
    score: int
    electors: int
    digitized: int | None
    days_without_report: int
    open_difficulties: int
    overdue_difficulties: int
    last_visit: date | None
    line: PartLine | None = None

    @property
    def part(self) -> Part:
        return self.line.part


def overdue_difficulties(condition) -> dict[int, int]:
    stmt = (
        select(Difficulty.part_id, func.count(Difficulty.id))
        .join(Part, Part.id == Difficulty.part_id)
        .where(condition, Difficulty.status.in_(ACTIVE), Difficulty.overdue_since.is_not(None))
        .group_by(Difficulty.part_id)
    )
    return dict(db.session.execute(stmt).all())


def last_visits(condition) -> dict[int, date]:
    """Each part's last visit (its IST day): one grouped query."""
    stmt = (
        select(Stop.part_id, func.max(Stop.visited_at))
        .join(Part, Part.id == Stop.part_id)
        .where(condition, Stop.status == StopStatus.VISITED)
        .group_by(Stop.part_id)
    )
    return {part_id: _local_day(at) for part_id, at in db.session.execute(stmt) if at is not None}


def open_flags(condition) -> dict[int, PartFlag]:
    stmt = (
        select(PartFlag)
        .join(Part, Part.id == PartFlag.part_id)
        .where(condition, PartFlag.cleared_at.is_(None))
    )
    return {flag.part_id: flag for flag in db.session.scalars(stmt)}


def _local_day(at) -> date:
    if isinstance(at, str):  # SQLite's max() of a datetime column comes back as text
        at = datetime.fromisoformat(at)
    return campaign_day_of(at)


@dataclass(frozen=True)
class _Facts:
    """What the suggestions weigh for every part of the condition, as of the day planned."""

    figures: dict  # part id → (digitized, last report, digitized RECENT_DAYS earlier)
    troubles: dict[int, int]
    overdue: dict[int, int]
    visited: dict[int, date]
    flagged: dict[int, PartFlag]
    days_left: int | None


def _facts(condition, day: date, campaign: Campaign | None) -> _Facts:
    """A handful of grouped queries, whatever the district's size."""
    return _Facts(
        figures=need_figures.digitized_as_of(day, day - timedelta(days=need_figures.RECENT_DAYS), condition),
        troubles=need_figures.open_difficulties(condition),
        overdue=overdue_difficulties(condition),
        visited=last_visits(condition),
        flagged=open_flags(condition),
        days_left=need_figures.days_left(day, campaign),
    )


def _suggestion(
    row, facts: _Facts, day: date, campaign: Campaign | None, settings: Settings, today: date
) -> Suggestion | None:
    """The part of `row` (id, lat, lon, electors) with why it is worth a visit; None when it is not."""
    part_id, lat, lon, electors = row
    digitized, last_report, earlier = facts.figures.get(part_id, (None, None, None))
    pace = max((digitized or 0) - (earlier or 0), 0) / need_figures.RECENT_DAYS
    silent = need_figures.days_without_report(day, last_report, campaign)
    need = need_rules.need(
        need_rules.NeedInput(
            electors=electors,
            digitized=digitized,
            recent_pace=pace,
            days_left=facts.days_left,
            days_without_report=silent,
            open_difficulties=facts.troubles.get(part_id, 0),
            helpers=0,
        )
    )
    state = rules.PartState(
        behind="behind_pace" in need.reasons,
        days_without_report=silent,
        open_difficulties=facts.troubles.get(part_id, 0),
        overdue_difficulties=facts.overdue.get(part_id, 0),
        last_visit=facts.visited.get(part_id),
        flagged=part_id in facts.flagged,
    )
    reasons = rules.reasons(state, today, settings.stale_after_days)
    if not reasons or reasons == [rules.Reason.NOT_INSPECTED] and need.forms_left == 0:
        return None
    return Suggestion(
        part_id=part_id,
        lat=lat,
        lon=lon,
        km=0.0,
        reasons=reasons,
        score=rules.score(reasons),
        electors=electors,
        digitized=digitized,
        days_without_report=silent,
        open_difficulties=state.open_difficulties,
        overdue_difficulties=state.overdue_difficulties,
        last_visit=state.last_visit,
    )


def suggestions(
    condition,
    start: tuple[float, float],
    day: date,
    campaign: Campaign | None,
    settings: Settings,
    radius_km: float | None = None,
    limit: int = SUGGESTION_LIMIT,
    today: date | None = None,
) -> list[Suggestion]:
    """The parts within `radius_km` of the start worth a visit on `day`, weightiest first, each
    with why: a handful of grouped queries whatever the district's size, distances in numpy."""
    radius = settings.suggest_radius_km if radius_km is None else radius_km
    parts = db.session.execute(
        select(Part.id, Part.lat, Part.lon, Part.electors)
        .where(condition, Part.lat.is_not(None), Part.lon.is_not(None))
        .order_by(Part.id)
    ).all()
    if not parts:
        return []
    lats = np.array([p.lat for p in parts], dtype=float)
    lons = np.array([p.lon for p in parts], dtype=float)
    km = haversine_km(start[0], start[1], lats, lons)
    near = [i for i in np.nonzero(km <= radius * 1.006)[0]]
    if not near:
        return []
    facts = _facts(condition, day, campaign)
    weighed = (_suggestion(parts[i], facts, day, campaign, settings, today or day) for i in near)
    found = [s for s in weighed if s is not None]
    # the weightiest first; among equals the nearest
    for s in found:
        s.km = geodesic_km(start, (s.lat, s.lon))
    found = [s for s in found if s.km <= radius]
    found.sort(key=lambda s: (-s.score, s.km, s.part_id))
    shown = found[:limit]
    with_lines(shown)
    return shown


# -- the route -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Leg:
    km: float  # road km: geodesic × the district's road factor
    minutes: int


@dataclass(frozen=True)
class RoutePlan:
    legs: tuple[Leg, ...]  # start → first stop, …, and last → start when it returns
    total_km: float
    total_minutes: int
    exact: bool


def _points(start: tuple[float, float], stops: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    return [start, *stops]


def road(route: routing.Route, settings: Settings) -> RoutePlan:
    """The geodesic legs as road km and minutes at the district's factor and speed."""
    legs = tuple(
        Leg(km * settings.road_factor, round(km * settings.road_factor / settings.road_speed_kmh * 60))
        for km in route.legs_km
    )
    return RoutePlan(legs, sum(leg.km for leg in legs), sum(leg.minutes for leg in legs), route.exact)


def best_order(start: tuple[float, float], points: Sequence[tuple[float, float]], closed: bool) -> list[int]:
    """Indices into `points` in the shortest order found (exact up to routing.EXACT_LIMIT)."""
    d = routing.distance_matrix(_points(start, points))
    return [i - 1 for i in routing.solve(d, closed).order]


def _matrix_of(inspection: Inspection) -> np.ndarray:
    located = [s for s in inspection.stops if s.part.lat is not None and s.part.lon is not None]
    return routing.distance_matrix(
        _points((inspection.start_lat, inspection.start_lon), [(s.part.lat, s.part.lon) for s in located])
    )


def plan_of(inspection: Inspection, settings: Settings, d: np.ndarray | None = None) -> RoutePlan:
    """The route of the stops in their present order (the inspector may have moved them)."""
    d = _matrix_of(inspection) if d is None else d
    return road(routing.in_order(list(range(1, d.shape[0])), d, inspection.return_to_start), settings)


def plan_and_shortest(inspection: Inspection, settings: Settings) -> tuple[RoutePlan, float]:
    """The route in its present order, and the road km of the best order to show beside it: one
    distance matrix for both, and no search when the stops are too few to reorder."""
    d = _matrix_of(inspection)
    route = plan_of(inspection, settings, d)
    if d.shape[0] <= 2:
        return route, route.total_km
    return route, routing.solve(d, inspection.return_to_start).total_km * settings.road_factor


# -- planning --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanInput:
    day: date | None
    inspector_id: int | None
    part_ids: tuple[int, ...]
    start_label: str = ""
    start_lat: float | None = None
    start_lon: float | None = None
    return_to_start: bool = True
    note: str = ""
    form_token: str | None = None
    reasons: dict[int, list[str]] = field(default_factory=dict)  # part id → why it was suggested


def district_start(district: District) -> tuple[float, float]:
    return (district.hq_lat, district.hq_lon)


def valid_point(lat, lon) -> bool:
    return lat is not None and lon is not None and 6 <= lat <= 38 and 68 <= lon <= 98  # India's extent


def validate_plan(data: PlanInput, district: District, today: date, parts: dict[int, Part]) -> dict[str, str]:
    errors = {}
    if data.day is None:
        errors["day"] = str(_l("Choose the day of the inspection."))
    elif data.day < today or data.day > today + timedelta(days=PLAN_AHEAD_DAYS):
        errors["day"] = str(_l("Choose a day from today to %(days)s days ahead.", days=PLAN_AHEAD_DAYS))
    if data.inspector_id is None or data.inspector_id not in {u.id for u in inspectors(district.id)}:
        errors["inspector_id"] = str(_l("Choose an officer of this district from the list."))
    if not data.part_ids:
        errors["part_ids"] = str(_l("Choose at least one part to visit."))
    elif len(data.part_ids) > MAX_STOPS:
        errors["part_ids"] = str(_l("At most %(count)s stops in one inspection.", count=MAX_STOPS))
    elif len(set(data.part_ids)) != len(data.part_ids) or any(p not in parts for p in data.part_ids):
        errors["part_ids"] = str(_l("Choose parts of this district from the list."))
    elif any(parts[p].lat is None or parts[p].lon is None for p in data.part_ids):
        errors["part_ids"] = str(_l("A part without a location on the map cannot be routed."))
    if (data.start_lat is None) != (data.start_lon is None) or (
        data.start_lat is not None and not valid_point(data.start_lat, data.start_lon)
    ):
        errors["start"] = str(_l("The start point must be a place in India (latitude and longitude)."))
    if len(data.start_label) > 120:
        errors["start_label"] = str(_l("At most %(count)s characters.", count=120))
    if len(data.note) > NOTE_MAX:
        errors["note"] = str(_l("At most %(count)s characters.", count=NOTE_MAX))
    return errors


def conflicts(inspector_id: int, day: date, own_id: int | None = None) -> list[Inspection]:
    """The inspector's other inspections that day (not cancelled): booking twice warns."""
    rows = db.session.scalars(
        select(Inspection).where(
            Inspection.inspector_id == inspector_id,
            Inspection.day == day,
            Inspection.status != InspectionStatus.CANCELLED,
        )
    ).all()
    clashing = set(rules.conflicts([(r.id, r.inspector_id, r.day) for r in rows], inspector_id, day, own_id))
    return [r for r in rows if r.id in clashing]


def planned_by_token(form_token: str) -> Inspection | None:
    """The inspection a plan form saved already (sent twice: a double tap, a second tab)."""
    return db.session.scalar(select(Inspection).where(Inspection.form_token == form_token))


def plan_inspection(actor: User, district: District, data: PlanInput, condition, today: date) -> Inspection:
    """Save an inspection with its stops in the shortest order from the start. A form sent twice
    gives back what it saved."""
    if data.form_token:
        saved = planned_by_token(data.form_token)
        if saved is not None:
            return saved
    parts = {
        p.id: p
        for p in db.session.scalars(
            select(Part).where(condition, Part.district_id == district.id, Part.id.in_(data.part_ids or [0]))
        )
    }
    errors = validate_plan(data, district, today, parts)
    if errors:
        raise InspectionError(errors)
    start = (data.start_lat, data.start_lon) if data.start_lat is not None else district_start(district)
    chosen = [parts[p] for p in data.part_ids]
    order = best_order(start, [(p.lat, p.lon) for p in chosen], data.return_to_start)
    inspection = Inspection(
        district_id=district.id,
        day=data.day,
        inspector_id=data.inspector_id,
        planned_by_id=actor.id,
        start_label=data.start_label.strip(),  # empty: the district headquarters (named on the page)
        start_lat=start[0],
        start_lon=start[1],
        return_to_start=data.return_to_start,
        note=data.note.strip(),
        form_token=data.form_token or None,
    )
    db.session.add(inspection)
    db.session.flush()
    for position, index in enumerate(order, start=1):
        part = chosen[index]
        db.session.add(
            Stop(
                inspection_id=inspection.id,
                part_id=part.id,
                constituency_id=part.constituency_id,
                district_id=part.district_id,
                position=position,
                reasons=[str(r) for r in data.reasons.get(part.id, [])],
            )
        )
    db.session.flush()
    audit.record(
        actor,
        "inspection.plan",
        inspection,
        None,
        {
            "day": data.day.isoformat(),
            "inspector_id": data.inspector_id,
            "stops": [chosen[i].id for i in order],
            "start": [start[0], start[1]],
            "return_to_start": data.return_to_start,
        },
    )
    db.session.expire(inspection, ["stops"])
    return inspection


def _check_version(record, version: int | None) -> None:
    if version is not None and version != record.version:
        raise VersionConflict()


def _editable(inspection: Inspection) -> None:
    if inspection.status != InspectionStatus.PLANNED:
        raise NotAllowed()


def reorder(actor: User, inspection: Inspection, stop_ids: Sequence[int], version: int | None) -> Inspection:
    """The inspector's own order of the stops (a manual move, or the shortest order again)."""
    _check_version(inspection, version)
    _editable(inspection)
    stops = {s.id: s for s in inspection.stops}
    if sorted(stop_ids) != sorted(stops):
        raise InspectionError({"order": str(_l("The list of stops has changed; reload the page."))})
    before = [s.part_id for s in inspection.stops]
    for position, stop_id in enumerate(stop_ids, start=1):
        stops[stop_id].position = position + 1000  # clear of the old positions while they move
    db.session.flush()
    for stop in stops.values():
        stop.position -= 1000
    inspection.updated_at = utcnow()
    db.session.flush()
    db.session.expire(inspection, ["stops"])
    audit.record(
        actor,
        "inspection.reorder",
        inspection,
        {"stops": before},
        {"stops": [s.part_id for s in inspection.stops]},
    )
    return inspection


def move(actor: User, inspection: Inspection, stop_id: int, step: int, version: int | None) -> Inspection:
    """Move one stop up (-1) or down (+1)."""
    ids = [s.id for s in inspection.stops]
    if stop_id not in ids or step not in (-1, 1):
        raise InspectionError({"order": str(_l("The list of stops has changed; reload the page."))})
    i = ids.index(stop_id)
    j = min(max(i + step, 0), len(ids) - 1)
    ids[i], ids[j] = ids[j], ids[i]
    return reorder(actor, inspection, ids, version)


def shortest(actor: User, inspection: Inspection, version: int | None) -> Inspection:
    """Put the stops back in the shortest order from the start."""
    stops = list(inspection.stops)
    order = best_order(
        (inspection.start_lat, inspection.start_lon),
        [(s.part.lat, s.part.lon) for s in stops],
        inspection.return_to_start,
    )
    return reorder(actor, inspection, [stops[i].id for i in order], version)


def cancel(actor: User, inspection: Inspection, version: int | None) -> Inspection:
    _check_version(inspection, version)
    if inspection.status in (InspectionStatus.FINISHED, InspectionStatus.CANCELLED):
        raise NotAllowed()
    before = inspection.status.value
    inspection.status = InspectionStatus.CANCELLED
    db.session.flush()
    audit.record(
        actor, "inspection.cancel", inspection, {"status": before}, {"status": inspection.status.value}
    )
    return inspection


# -- the visit -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionInput:
    what: str
    owner_id: int | None
    due_on: date | None


@dataclass(frozen=True)
class VisitInput:
    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: float | None = None
    blo_present: bool | None = None
    id_card_shown: bool | None = None
    forms_in_stock: bool | None = None
    help_desk: bool | None = None
    blas_present: bool | None = None
    network: str | None = None
    mapping: str | None = None
    verified: dict[str, int | None] = field(default_factory=dict)  # distributed, collected, digitized
    households_sampled: int | None = None
    households_confirmed: int | None = None
    asd_sampled: int | None = None
    asd_confirmed: int | None = None
    notes: str = ""
    photos: tuple[Photo, ...] = ()
    actions: tuple[ActionInput, ...] = ()


def reported_as_of(part_id: int, day: date) -> DailyReport | None:
    """The part's latest report on or before the visit's day: the figures the visit checks."""
    return db.session.scalar(
        select(DailyReport)
        .where(DailyReport.part_id == part_id, DailyReport.report_date <= day)
        .order_by(DailyReport.report_date.desc())
        .limit(1)
    )


def _count_problem(value: int | None, high: int) -> str | None:
    if value is None:
        return None
    if value < 0 or value > high:
        return str(_l("Enter a whole number from 0 to %(high)s.", high=high))
    return None


def validate_visit(data: VisitInput, part: Part, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    high = part.electors + elector_tolerance(part.electors) if part.electors else rules.MAX_FIGURE
    for name in rules.FIGURES:
        problem = _count_problem(data.verified.get(name), high)
        if problem:
            errors[name] = problem
    v = data.verified
    if not errors:
        if (
            v.get("collected") is not None
            and v.get("distributed") is not None
            and v["collected"] > v["distributed"]
        ):
            errors["collected"] = str(_l("Collected cannot be more than distributed."))
    for name in rules.SAMPLES:
        sampled, confirmed = getattr(data, f"{name}_sampled"), getattr(data, f"{name}_confirmed")
        for field_name, value in ((f"{name}_sampled", sampled), (f"{name}_confirmed", confirmed)):
            problem = _count_problem(value, rules.MAX_SAMPLE)
            if problem:
                errors[field_name] = problem
        if f"{name}_sampled" in errors or f"{name}_confirmed" in errors:
            continue
        problem = rules.sample_problem(sampled, confirmed)
        if problem == "both":
            errors[f"{name}_confirmed"] = str(_l("Give both how many were asked and how many confirmed."))
        elif problem == "more_than_sampled":
            errors[f"{name}_confirmed"] = str(_l("More confirmed than were asked."))
    if data.network is not None and data.network not in {n.value for n in Network}:
        errors["network"] = str(_l("Choose one of the options."))
    if data.mapping is not None and data.mapping not in {m.value for m in Mapping}:
        errors["mapping"] = str(_l("Choose one of the options."))
    if len(data.notes) > NOTE_MAX:
        errors["notes"] = str(_l("At most %(count)s characters.", count=NOTE_MAX))
    if len(data.photos) > MAX_PHOTOS:
        errors["photos"] = str(_l("At most %(count)s photos.", count=MAX_PHOTOS))
    if (data.latitude is None) != (data.longitude is None) or (
        data.latitude is not None and not (-90 <= data.latitude <= 90 and -180 <= data.longitude <= 180)
    ):
        errors["location"] = str(_l("The phone's location could not be read; record the visit without it."))
    if len(data.actions) > MAX_ACTIONS:
        errors["actions"] = str(_l("At most %(count)s action items.", count=MAX_ACTIONS))
    owners = {u.id for u in action_owners(part)} if data.actions else set()
    for n, action in enumerate(data.actions, start=1):
        if not action.what.strip():
            errors[f"action_{n}_what"] = str(_l("Say what must be done."))
        elif len(action.what) > ACTION_MAX:
            errors[f"action_{n}_what"] = str(_l("At most %(count)s characters.", count=ACTION_MAX))
        if action.owner_id not in owners:
            errors[f"action_{n}_owner"] = str(_l("Choose who will do it from the list."))
        if action.due_on is None or not today <= action.due_on <= today + timedelta(days=MAX_ACTION_DAYS):
            errors[f"action_{n}_due"] = str(
                _l("Choose a day from today to %(days)s days ahead.", days=MAX_ACTION_DAYS)
            )
    return errors


def _end_of_day(day: date) -> datetime:
    """23:59 of the day in the campaign's zone, as the UTC the database keeps."""
    local = datetime.combine(day, time(23, 59), tzinfo=campaign_zone())
    return local.astimezone(ZONE_UTC).replace(tzinfo=None)


def _snapshot(stop: Stop) -> dict:
    return {
        "status": stop.status.value,
        "verified": [stop.verified_distributed, stop.verified_collected, stop.verified_digitized],
        "findings": stop.findings,
    }


def recording_closed(inspection: Inspection, today: date) -> rules.Closed | None:
    """Why the inspection's visits cannot be recorded on `today` (the campaign's day); None: they can."""
    return rules.recording_closed(inspection.day, today, inspection.status.value)


def closed_message(inspection: Inspection, reason: rules.Closed) -> str:
    """The refusal of a visit or a skip, in the reader's language."""
    if reason == rules.Closed.NOT_YET:
        return str(
            _l(
                "This inspection is on %(day)s: its visits can be recorded from that day, not before. "
                "Nothing was saved.",
                day=format_day(inspection.day),
            )
        )
    if reason == rules.Closed.FINISHED and inspection.finished_at is not None:
        return str(
            _l(
                "This inspection was finished on %(when)s: no visit can be recorded after that. "
                "Nothing was saved.",
                when=format_day(inspection.finished_at),
            )
        )
    return str(_l("This inspection is finished or cancelled: no visit can be recorded. Nothing was saved."))


def _lock_open(inspection: Inspection, today: date) -> Inspection:
    """The inspection locked and read afresh, refused unless its visits can be recorded today: a
    finish (or a cancel) that commits meanwhile is seen, never recorded past."""
    inspection = locks.row(Inspection, inspection.id) or inspection
    reason = recording_closed(inspection, today)
    if reason is not None:
        raise RecordingClosed(reason)
    return inspection


def record_visit(
    actor: User,
    stop: Stop,
    data: VisitInput,
    settings: Settings,
    campaign_id: int | None,
    version: int | None,
    today: date,
    now: datetime | None = None,
) -> Stop:
    """Record what was found at the booth: the checks and counts beside the figures reported as of
    the visit's day, the photos, the action items (each a difficulty with its owner and deadline).
    A disagreement flags the part and opens (or links) an inspection difficulty owned by the ERO;
    a visit that agrees clears the part's flag. Refused (RecordingClosed) before the inspection's
    day and once it is finished or cancelled."""
    now = now or utcnow()
    _check_version(stop, version)
    inspection = _lock_open(stop.inspection, today)
    if stop.status != StopStatus.PENDING:
        raise NotAllowed()
    part = stop.part
    errors = validate_visit(data, part, today)
    if errors:
        raise InspectionError(errors)
    before = _snapshot(stop)
    report = reported_as_of(part.id, inspection.day)
    reported = report.figures() if report else {}
    found = rules.findings(
        data.verified,
        reported,
        {
            "households": (data.households_sampled, data.households_confirmed),
            "asd": (data.asd_sampled, data.asd_confirmed),
        },
        settings.figure_threshold_percent,
        settings.sample_threshold_percent,
    )
    listed = checklist(campaign_id, create=True)
    stop.checklist_id = listed.id if listed else None
    _fill_visit(actor, stop, data, now)
    stop.report_date = report.report_date if report else None
    for name in rules.FIGURES:
        setattr(stop, f"reported_{name}", reported.get(name))
    stop.findings = [f.as_json() for f in found]
    if inspection.status == InspectionStatus.PLANNED:
        inspection.status = InspectionStatus.UNDER_WAY
    db.session.flush()
    place = {"part_id": part.id, "constituency_id": part.constituency_id, "district_id": part.district_id}
    _keep_photos(actor, stop, data.photos, place)
    compared = any(data.verified.get(n) is not None for n in rules.FIGURES) or any(
        getattr(data, f"{n}_sampled") for n in rules.SAMPLES
    )
    _flag_or_clear(actor, stop, found, compared, now, place)
    for action in data.actions:
        _raise_action(actor, stop, action, now, place)
    audit.record(actor, "inspection.visit", stop, before, _snapshot(stop))
    return stop


def _fill_visit(actor: User, stop: Stop, data: VisitInput, now: datetime) -> None:
    """The stop as visited: who and when, where the phone was, the checks, counts and notes."""
    part = stop.part
    stop.status = StopStatus.VISITED
    stop.arrived_at = stop.arrived_at or now
    stop.visited_at, stop.visited_by_id = now, actor.id
    if data.latitude is not None:
        stop.arrival_lat, stop.arrival_lon = data.latitude, data.longitude
        stop.arrival_accuracy_m = round(data.accuracy_m) if data.accuracy_m is not None else None
        if part.lat is not None and part.lon is not None:
            stop.arrival_distance_m = round(
                geodesic_km((data.latitude, data.longitude), (part.lat, part.lon)) * 1000
            )
    for name in ("blo_present", "id_card_shown", "forms_in_stock", "help_desk", "blas_present"):
        setattr(stop, name, getattr(data, name))
    stop.network = Network(data.network) if data.network else None
    stop.mapping = Mapping(data.mapping) if data.mapping else None
    for name in rules.FIGURES:
        setattr(stop, f"verified_{name}", data.verified.get(name))
    stop.households_sampled, stop.households_confirmed = data.households_sampled, data.households_confirmed
    stop.asd_sampled, stop.asd_confirmed = data.asd_sampled, data.asd_confirmed
    stop.notes = data.notes.strip()


def _keep_photos(actor: User, stop: Stop, kept: Sequence[Photo], place: dict) -> None:
    for photo in kept:
        db.session.add(
            StopPhoto(
                stop_id=stop.id,
                **place,
                width=photo.width,
                height=photo.height,
                data=photo.data,
                created_by_id=actor.id,
            )
        )


def _flag_or_clear(
    actor: User, stop: Stop, found: list[rules.Finding], compared: bool, now: datetime, place: dict
) -> None:
    """A disagreement flags the part (its one open flag) and raises or links a discrepancy
    difficulty; a visit that compared and agrees clears the part's open flag."""
    part = stop.part
    # The part owns its one open flag: locked, two visits of it at once raise one flag, not two.
    locks.row(Part, part.id)
    flag = db.session.scalar(
        select(PartFlag).where(PartFlag.part_id == part.id, PartFlag.cleared_at.is_(None))
    )
    if found:
        difficulty = difficulty_services.link_or_raise(
            actor,
            part,
            Category.DISCREPANCY,
            _discrepancy_note(found, stop.inspection.day),
            Source.INSPECTION,
            now,
        )
        stop.difficulty_id = difficulty.id
        if flag is None:
            flag = PartFlag(**place, stop_id=stop.id, raised_at=now)
            db.session.add(flag)
        flag.stop_id, flag.difficulty_id, flag.findings = stop.id, difficulty.id, stop.findings
        db.session.flush()
        audit.record(
            actor, "inspection.flag", flag, None, {"findings": stop.findings, "difficulty_id": difficulty.id}
        )
    elif flag is not None and compared:
        flag.cleared_at, flag.cleared_by, flag.cleared_ref = now, "visit", stop.id
        audit.record(actor, "inspection.flag_clear", flag, None, {"by": "visit", "stop_id": stop.id})


def _raise_action(actor: User, stop: Stop, action: ActionInput, now: datetime, place: dict) -> ActionItem:
    """One action item of the visit: a difficulty owned by the person named, due by the day's end."""
    owner = db.session.get(User, action.owner_id)
    minutes = max(math.ceil((_end_of_day(action.due_on) - now).total_seconds() / 60), 60)
    difficulty = difficulty_services.raise_difficulty(
        actor,
        stop.part,
        difficulty_services.NewDifficulty(
            category=Category.OTHER.value,
            severity=Severity.HIGH.value,
            description=action.what.strip(),
            owner=owner,
            resolve_minutes=minutes,
        ),
        Source.INSPECTION,
        now,
    )
    item = ActionItem(
        stop_id=stop.id,
        **place,
        what=action.what.strip(),
        owner_id=owner.id,
        due_on=action.due_on,
        difficulty_id=difficulty.id,
        created_by_id=actor.id,
    )
    db.session.add(item)
    db.session.flush()
    audit.record(
        actor,
        "inspection.action",
        item,
        None,
        {
            "what": item.what,
            "owner_id": owner.id,
            "due_on": action.due_on.isoformat(),
            "difficulty_id": difficulty.id,
        },
    )
    return item


def _discrepancy_note(found: Iterable[rules.Finding], day: date) -> str:
    """The difficulty's text, in the officer's language at the time (the page shows the findings)."""
    parts = []
    for f in found:
        if f.kind in rules.FIGURES:
            text = _l(
                "%(figure)s: counted %(verified)s, reported %(reported)s",
                figure=FIGURE_LABELS[f.kind],
                verified=f.verified,
                reported=f.reported,
            )
        else:
            text = _l(
                "%(sample)s: %(confirmed)s of %(sampled)s confirmed",
                sample=SAMPLE_LABELS[f.kind],
                confirmed=f.verified,
                sampled=f.reported,
            )
        parts.append(str(text))
    return str(_l("Inspection of %(day)s: ", day=day.isoformat())) + "; ".join(parts)


def skip(actor: User, stop: Stop, reason: str, version: int | None, today: date | None = None) -> Stop:
    """Pass a stop by, with the reason (the road is shut, the BLO is at a training): on the day,
    like a visit (RecordingClosed before it, and once the inspection is finished or cancelled)."""
    _check_version(stop, version)
    _lock_open(stop.inspection, today or campaign_today())
    if stop.status != StopStatus.PENDING:
        raise NotAllowed()
    reason = (reason or "").strip()
    if not reason:
        raise InspectionError({"skip_reason": str(_l("Say why this stop is skipped."))})
    if len(reason) > SKIP_REASON_MAX:
        raise InspectionError(
            {"skip_reason": str(_l("At most %(count)s characters.", count=SKIP_REASON_MAX))}
        )
    before = _snapshot(stop)
    stop.status, stop.skip_reason = StopStatus.SKIPPED, reason
    if stop.inspection.status == InspectionStatus.PLANNED:
        stop.inspection.status = InspectionStatus.UNDER_WAY
    db.session.flush()
    audit.record(actor, "inspection.skip", stop, before, {**_snapshot(stop), "reason": reason})
    return stop


def finish(
    actor: User, inspection: Inspection, version: int | None, now: datetime | None = None
) -> Inspection:
    """End the inspection; stops not reached stay pending in the report. Not before its day
    (RecordingClosed), nor twice: locked first, so a visit being saved is saved before it."""
    inspection = locks.row(Inspection, inspection.id) or inspection
    _check_version(inspection, version)
    reason = recording_closed(inspection, campaign_day_of(now) if now else campaign_today())
    if reason is not None:
        raise RecordingClosed(reason)
    before = inspection.status.value
    inspection.status, inspection.finished_at = InspectionStatus.FINISHED, now or utcnow()
    db.session.flush()
    audit.record(
        actor, "inspection.finish", inspection, {"status": before}, {"status": inspection.status.value}
    )
    return inspection


def next_stop(inspection: Inspection) -> Stop | None:
    return next((s for s in inspection.stops if s.status == StopStatus.PENDING), None)


# -- flags cleared by a report ------------------------------------------------------------------------


def _open_flags_statement():
    """The open flags of the parts in `parts` with what their visit counted: built once (building
    it cost more than running it, on every report saved), its compiled form reused."""
    return (
        select(
            PartFlag.id,
            PartFlag.part_id,
            PartFlag.district_id,
            Stop.verified_distributed,
            Stop.verified_collected,
            Stop.verified_digitized,
            func.coalesce(Stop.report_date, Inspection.day).label("checked_day"),
        )
        .join(Stop, Stop.id == PartFlag.stop_id)
        .join(Inspection, Inspection.id == Stop.inspection_id)
        .where(PartFlag.part_id.in_(bindparam("parts", expanding=True)), PartFlag.cleared_at.is_(None))
    )


_OPEN_FLAGS = _open_flags_statement()


def reports_saved(sender, rows: Sequence[tuple], actor_id: int | None = None) -> None:
    """Reports entered after a visit that agree with what the visit counted clear the part's flag.

    Connected to app.figures.signals.reports_saved; on the report's write path it costs one indexed
    read of the open flags of the parts saved, and nothing more when none is flagged."""
    if not rows:
        return
    connection = db.session.connection()
    open_ = {}
    part_ids = sorted({row[0] for row in rows})
    for start in range(0, len(part_ids), 500):
        for flag in connection.execute(_OPEN_FLAGS, {"parts": part_ids[start : start + 500]}):
            open_[flag.part_id] = flag
    if not open_:
        return
    actor = db.session.get(User, actor_id) if actor_id else None
    thresholds: dict[int, int] = {}
    now = utcnow()
    for part_id, day, figures, report_id in rows:
        flag = open_.get(part_id)
        if flag is None or as_date(day) < as_date(flag.checked_day):
            continue  # a report older than the one the visit checked says nothing of it
        verified = {
            "distributed": flag.verified_distributed,
            "collected": flag.verified_collected,
            "digitized": flag.verified_digitized,
        }
        if flag.district_id not in thresholds:
            thresholds[flag.district_id] = settings_for(flag.district_id).figure_threshold_percent
        if not rules.report_agrees(verified, figures, thresholds[flag.district_id]):
            continue
        connection.execute(
            update(PartFlag)
            .where(PartFlag.id == flag.id, PartFlag.cleared_at.is_(None))
            .values(cleared_at=now, cleared_by="report", cleared_ref=report_id)
        )
        audit.insert_now(
            actor,
            "inspection.flag_clear",
            db.session.get(PartFlag, flag.id),  # a rare path: read only to be named in the audit
            None,
            {"by": "report", "report_id": report_id, "day": day.isoformat()},
        )
        del open_[part_id]


# -- what the pages read -----------------------------------------------------------------------------


def flagged_counts(condition, by) -> dict[int, int]:
    """Parts with an open flag, grouped by a column of Part (constituency_id, district_id) or Part.id.
    The few open flags drive the query (parts found by their key): joined the other way, SQLite read
    all 65,014 parts of the state to find 620 flags, 11 ms of the state page against 1.5."""
    flagged = select(PartFlag.part_id).where(PartFlag.cleared_at.is_(None))
    stmt = select(by, func.count(Part.id)).where(condition, Part.id.in_(flagged)).group_by(by)
    return dict(db.session.execute(stmt).all())


def open_flag_counts(condition, by) -> dict[int, int]:
    """Parts with an open flag, where the condition and the grouping column (district_id or
    constituency_id) are PartFlag's own: the progress pages' counts, read from one covering index
    without touching a part (0.78 ms of the state page against 0.09)."""
    stmt = (
        select(by, func.count(func.distinct(PartFlag.part_id)))
        .where(PartFlag.cleared_at.is_(None), condition)
        .group_by(by)
    )
    return dict(db.session.execute(stmt).all())


@dataclass
class CoverageRow:
    constituency: Constituency
    parts: int
    inspected: int  # parts visited in the window

    @property
    def share(self) -> float:
        return 100 * self.inspected / self.parts if self.parts else 0.0


def coverage(condition, since: datetime) -> list[CoverageRow]:
    """Per AC: its parts, and how many were visited since `since`: two grouped queries."""
    parts = dict(
        db.session.execute(
            select(Part.constituency_id, func.count(Part.id)).where(condition).group_by(Part.constituency_id)
        ).all()
    )
    visited = dict(
        db.session.execute(
            select(Part.constituency_id, func.count(func.distinct(Stop.part_id)))
            .join(Part, Part.id == Stop.part_id)
            .where(condition, Stop.status == StopStatus.VISITED, Stop.visited_at >= since)
            .group_by(Part.constituency_id)
        ).all()
    )
    constituencies = db.session.scalars(
        select(Constituency).where(Constituency.id.in_(list(parts) or [0])).order_by(Constituency.number)
    )
    return [CoverageRow(c, parts.get(c.id, 0), visited.get(c.id, 0)) for c in constituencies]


def calendar(condition, first: date, last: date) -> dict[date, list[tuple[Inspection, User, int, int]]]:
    """The inspections of each day in [first, last]: each with its inspector, its stops and those
    done (visited or skipped). One query; grouped by day, then by inspector."""
    done = func.sum(func.cast(Stop.status != StopStatus.PENDING, db.Integer))
    rows = db.session.execute(
        select(Inspection, User, func.count(Stop.id), done)
        .join(User, User.id == Inspection.inspector_id)
        .outerjoin(Stop, Stop.inspection_id == Inspection.id)
        .where(condition, Inspection.day >= first, Inspection.day <= last)
        .group_by(Inspection.id, User.id)
        .order_by(Inspection.day, User.name, Inspection.id)
    ).all()
    days: dict[date, list] = defaultdict(list)
    for inspection, inspector, stops, finished in rows:
        days[inspection.day].append((inspection, inspector, stops, int(finished or 0)))
    return days


def double_booked(rows: Iterable[tuple[Inspection, User, int, int]]) -> set[int]:
    """The inspections on the calendar whose inspector has another one that day (not cancelled)."""
    seen: dict[tuple[int, date], list[int]] = defaultdict(list)
    for inspection, _inspector, _stops, _done in rows:
        if inspection.status != InspectionStatus.CANCELLED:
            seen[(inspection.inspector_id, inspection.day)].append(inspection.id)
    return {i for ids in seen.values() if len(ids) > 1 for i in ids}


def upcoming_for_blo(blo: User, today: date) -> list[tuple[Stop, Inspection]]:
    """Visits planned to the BLO's parts from today, where the district lets BLOs see them."""
    rows = db.session.execute(
        select(Stop, Inspection)
        .join(Inspection, Inspection.id == Stop.inspection_id)
        .join(Part, Part.id == Stop.part_id)
        .outerjoin(InspectionSettings, InspectionSettings.district_id == Inspection.district_id)
        .where(
            Part.blo_id == blo.id,
            Inspection.day >= today,
            Inspection.status.in_([InspectionStatus.PLANNED, InspectionStatus.UNDER_WAY]),
            Stop.status == StopStatus.PENDING,
            InspectionSettings.blos_see_visits.is_(True),
        )
        .order_by(Inspection.day)
    ).all()
    return [(stop, inspection) for stop, inspection in rows]


def part_lines(part_ids: Iterable[int]) -> dict[int, tuple[int, str | None]]:
    """Each part's AC number and its BLO's name, for the stops of a plan or a report: one query."""
    rows = db.session.execute(
        select(Part.id, Constituency.number, User.name)
        .join(Constituency, Constituency.id == Part.constituency_id)
        .outerjoin(User, User.id == Part.blo_id)
        .where(Part.id.in_(list(part_ids) or [0]))
    )
    return {part_id: (ac_number, blo) for part_id, ac_number, blo in rows}
