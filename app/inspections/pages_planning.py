"""What the planner's pages show (the read side; no request): the day being planned with its
suggestions, ticked parts, search and map; one plan with its legs, time and route map; the
district's calendar; the collector's settings. Each page's context is built by one function from
the scope and what was sent."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.campaign.clock import campaign_today
from app.campaign.services import current_campaign
from app.extensions import db
from app.formatting import lang
from app.geo import geodesic_km
from app.inputs import parse_iso_day
from app.inspections import labels, rules, services
from app.inspections.forms import PlanForm, typed
from app.inspections.models import Inspection, InspectionStatus
from app.inspections.outlines import map_base
from app.inspections.permissions import PLANNERS, may_plan, planner_district
from app.models import Constituency, District, Part, Role
from app.scope import Scope

SEARCH_LIMIT = 10
START_MODES = ("hq", "here", "map")
_FORM_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
_AC_PART = re.compile(r"\s*(\d{1,3})\s*[-/ ]\s*(\d{1,4})\s*")


class Where:
    """The day, start point and radius of the plan being made, as sent (GET or POST), with the
    messages for whatever cannot be used; suggestions follow the usable values."""

    def __init__(self, form: PlanForm, district: District, settings: services.Settings, today: date):
        self.errors: dict[str, str] = {}
        self.district = district
        text = (form.day.data or "").strip()
        self.day_text = text or today.isoformat()
        try:
            self.day = parse_iso_day(text) if text else today
        except ValueError:
            self.day = None
            self.errors["day"] = _(
                "“%(value)s” is not a date. Choose the day on the calendar.", value=text[:20]
            )
        self.inspector_id = form.inspector_id.data
        self.mode = form.start.data if form.start.data in START_MODES else "hq"
        self.lat_text = typed(form.start_lat).strip()[:20]
        self.lon_text = typed(form.start_lon).strip()[:20]
        self.label = (form.start_label.data or "").strip()
        self.point: tuple[float, float] | None = None
        if self.mode != "hq":
            lat, lon = form.start_lat.data, form.start_lon.data
            if lat is None or lon is None or not services.valid_point(lat, lon):
                self.errors["start"] = _(
                    "Give the start point: your location, a tap on the map, or its latitude and longitude."
                )
            else:
                self.point = (lat, lon)
        self._radius(form, settings)
        self.return_to_start = form.return_to_start.data
        self.note = form.note.data or ""

    def _radius(self, form: PlanForm, settings: services.Settings) -> None:
        radius_text = typed(form.radius_km).strip()
        self.radius_text = radius_text or str(settings.suggest_radius_km)
        low, high = services.SETTING_LIMITS["suggest_radius_km"]
        radius = form.radius_km.data if radius_text else settings.suggest_radius_km
        if radius is None or not low <= radius <= high:
            self.radius = settings.suggest_radius_km
            self.errors["radius_km"] = _(
                "Enter a whole number of km from %(low)s to %(high)s.", low=low, high=high
            )
        else:
            self.radius = radius

    @property
    def start(self) -> tuple[float, float]:
        return self.point or services.district_start(self.district)

    @property
    def start_name(self) -> str:
        if self.point is None:
            return _("District headquarters")
        return self.label or _("Start point")


# -- plan a day ------------------------------------------------------------------------------------


def _suggestions(where: Where, condition, today: date) -> list[services.Suggestion]:
    if where.day is None:
        return []
    settings = services.settings_for(where.district.id)
    return services.suggestions(
        condition, where.start, where.day, current_campaign(), settings, where.radius, today=today
    )


def _parts_in(condition, part_ids: list[int]) -> dict[int, tuple]:
    """The district's parts among those sent, each with its AC number (one query)."""
    if not part_ids:
        return {}
    rows = db.session.execute(
        select(Part, Constituency.number)
        .join(Constituency, Constituency.id == Part.constituency_id)
        .where(condition, Part.id.in_(part_ids))
    ).all()
    return {part.id: (part, number) for part, number in rows}


def _search(condition, q: str) -> list[tuple]:
    """Parts of the district by AC-part number ("12-34"), part number or name."""
    q = q.strip()[:80]
    if not q:
        return []
    stmt = select(Part, Constituency.number).join(Constituency, Constituency.id == Part.constituency_id)
    matched = _AC_PART.fullmatch(q)
    if matched:
        stmt = stmt.where(Constituency.number == int(matched[1]), Part.number == int(matched[2]))
    elif q.isascii() and q.isdigit() and len(q) <= 4:
        stmt = stmt.where(Part.number == int(q))
    else:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(
                Part.name_en.ilike(like, escape="\\"),
                Part.name_hi.like(like, escape="\\"),
                Part.building.ilike(like, escape="\\"),
            )
        )
    return db.session.execute(
        stmt.where(condition).order_by(Constituency.number, Part.number).limit(SEARCH_LIMIT)
    ).all()


def _km_from(start: tuple[float, float], part: Part) -> float | None:
    if part.lat is None or part.lon is None:
        return None
    return geodesic_km(start, (part.lat, part.lon))


def _found(condition, q: str, start: tuple[float, float]) -> list[dict]:
    return [
        {"part": part, "ac_number": number, "km": _km_from(start, part)}
        for part, number in _search(condition, q)
    ]


def found_context(scope: Scope, form: PlanForm) -> dict:
    """The search's answer alone: the parts found and their km from the start, no suggestions."""
    district = planner_district(scope)
    where = Where(form, district, services.settings_for(district.id), campaign_today())
    condition = scope.part_filter() & (Part.district_id == district.id)
    return {"q": form.searched, "found": _found(condition, form.searched, where.start)}


def _map_points(suggested: list[services.Suggestion], extra: list[dict]) -> list[dict]:
    """The suggestions and the located parts chosen besides them, as the planner's map draws them."""
    return [
        {
            "id": s.part_id,
            "lat": s.lat,
            "lon": s.lon,
            "label": f"{s.line.ac_number}-{s.part.number}",
            "name": s.part.name(lang()),
        }
        for s in suggested
    ] + [
        {
            "id": e["part"].id,
            "lat": e["part"].lat,
            "lon": e["part"].lon,
            "label": f"{e['ac_number']}-{e['part'].number}",
            "name": e["part"].name(lang()),
        }
        for e in extra
        if e["part"].lat is not None
    ]


def plan_context(
    scope: Scope, form: PlanForm, errors: dict | None = None, message: str | None = None
) -> dict:
    """What templates/inspections/new.html shows for the values sent: the suggestions, the parts
    ticked, the search's finds, the inspector's other inspections that day."""
    district = planner_district(scope)
    today = campaign_today()
    settings = services.settings_for(district.id)
    where = Where(form, district, settings, today)
    condition = scope.part_filter() & (Part.district_id == district.id)
    suggested = _suggestions(where, condition, today)
    ticked = form.ticked
    by_id = {s.part_id: s for s in suggested}
    chosen_parts = _parts_in(condition, [p for p in ticked if p not in by_id])
    extra = [
        {"part": part, "ac_number": number, "km": _km_from(where.start, part)}
        for part_id in ticked
        if part_id in chosen_parts
        for part, number in [chosen_parts[part_id]]
    ]
    inspectors = services.inspectors(district.id)
    inspector_id = where.inspector_id if where.inspector_id in {u.id for u in inspectors} else scope.user.id
    token = form.form_token.data or ""
    if not _FORM_TOKEN.fullmatch(token):
        token = secrets.token_urlsafe(24)
    return {
        "district": district,
        "today": today,
        "last_day": today + timedelta(days=services.PLAN_AHEAD_DAYS),
        "settings": settings,
        "where": where,
        "inspectors": inspectors,
        "inspector_id": inspector_id,
        "suggested": suggested,
        "extra": extra,
        "chosen": [p for p in ticked if p in by_id or p in chosen_parts],
        "max_stops": services.MAX_STOPS,
        "q": form.searched,
        "found": _found(condition, form.searched, where.start),
        "clashes": services.conflicts(inspector_id, where.day) if where.day else [],
        "form_token": token,
        "errors": {**where.errors, **(errors or {})},
        "message": message,
        "map_data": {
            "start": [where.start[0], where.start[1]],
            "start_name": where.start_name,
            "radius_km": where.radius,
            "points": _map_points(suggested, extra),
            "base": map_base(district, scope.constituency_filter(), lang()),
        },
        "tile_url": current_app.config.get("MAP_TILE_URL", ""),
        "tile_attribution": current_app.config.get("MAP_TILE_ATTRIBUTION", ""),
    }


# -- one plan --------------------------------------------------------------------------------------


def _plan_map(inspection: Inspection, located: list, lines: dict, start_name: str, base: dict) -> dict:
    """The plan's map: the start, each located stop in order with its status, on the district's base."""
    return {
        "base": base,
        "start": [inspection.start_lat, inspection.start_lon],
        "start_name": start_name,
        "closed": inspection.return_to_start,
        "stops": [
            {
                "n": s.position,
                "lat": s.part.lat,
                "lon": s.part.lon,
                "label": f"{lines[s.part_id][0]}-{s.part.number}",
                "name": s.part.name(lang()),
                "status": s.outcome,
                "status_label": labels.stop_status_label(s.outcome),
            }
            for s in located
        ],
    }


def show_context(
    scope: Scope, inspection: Inspection, message: str | None = None, level: str = "success"
) -> dict:
    """What templates/inspections/show.html shows: the stops in order, each leg and the total in road
    km and time, the shortest order's km beside it, the map, and what the reader may do."""
    settings = services.settings_for(inspection.district_id)
    stops = list(inspection.stops)
    route, best = services.plan_and_shortest(inspection, settings)
    lines = services.part_lines([s.part_id for s in stops])
    located = [s for s in stops if s.part.lat is not None and s.part.lon is not None]
    start_name = inspection.start_label or _("District headquarters")
    district = db.session.get(District, inspection.district_id)
    user = scope.user
    # the inspector alone records the visits (app/inspections/routes_visits.py), from the inspection's day
    closed = services.recording_closed(inspection, campaign_today())
    return {
        "inspection": inspection,
        "district": district,
        "settings": settings,
        "stops": stops,
        "lines": lines,
        "legs": dict(zip([s.id for s in located], route.legs, strict=False)),
        "return_leg": route.legs[len(located)]
        if inspection.return_to_start and len(route.legs) > len(located)
        else None,
        "route": route,
        "shortest_km": best,
        "longer_by": route.total_km - best if route.total_km - best > 0.05 else 0,
        "start_name": start_name,
        "clashes": services.conflicts(inspection.inspector_id, inspection.day, own_id=inspection.id)
        if inspection.status != InspectionStatus.CANCELLED
        else [],
        "editable": inspection.status == InspectionStatus.PLANNED and may_plan(scope, inspection),
        "cancellable": inspection.status in (InspectionStatus.PLANNED, InspectionStatus.UNDER_WAY)
        and user.role == Role.COLLECTOR
        and user.district_id == inspection.district_id,
        "visit_pages": closed is None and user.role in PLANNERS and inspection.inspector_id == user.id,
        "visits_from": inspection.day if closed == rules.Closed.NOT_YET else None,
        "message": message,
        "message_level": level,
        "map_data": _plan_map(
            inspection, located, lines, start_name, map_base(district, scope.constituency_filter(), lang())
        ),
        "tile_url": current_app.config.get("MAP_TILE_URL", ""),
        "tile_attribution": current_app.config.get("MAP_TILE_ATTRIBUTION", ""),
    }


# -- the calendar ----------------------------------------------------------------------------------


def calendar_context(
    scope: Scope, district: District | None, first: date, last: date, view: str | None
) -> dict:
    """The inspections of the scope (of one district when asked) from `first` to `last`, by day and
    by inspector, with the double bookings; the state office chooses among the districts."""
    condition = scope.of(Inspection)
    if district is not None:
        condition = condition & (Inspection.district_id == district.id)
    days = services.calendar(condition, first, last)
    rows = [row for day_rows in days.values() for row in day_rows]
    by_inspector: dict[int, list] = {}
    for row in sorted(rows, key=lambda r: (r[1].name, r[0].day, r[0].id)):
        by_inspector.setdefault(row[1].id, []).append(row)
    whole_state = scope.sees_whole_state
    return {
        "days": days,
        "by_inspector": by_inspector,
        "view": view,
        "doubled": services.double_booked(rows),
        "first": first,
        "last": last,
        "today": campaign_today(),
        "count": len(rows),
        "districts": db.session.scalars(scope.districts().order_by(District.name_en)).all()
        if whole_state
        else [],
        "district": district,
        "district_names": dict(db.session.execute(select(District.id, District.name_en)).all())
        if whole_state
        else {},
    }


# -- the district's settings ---------------------------------------------------------------------


def settings_context(district: District) -> dict:
    """The settings form as saved: the district's values, their limits and labels."""
    saved = services.settings_for(district.id)
    current = {name: getattr(saved, name) for name in (*services.SETTING_LIMITS, "blos_see_visits")}
    return {
        "district": district,
        "limits": services.SETTING_LIMITS,
        "labels": labels.SETTING_LABELS,
        "sent": {name: str(value) for name, value in current.items()},
        "blos_see_visits": saved.blos_see_visits,
        "errors": {},
        "message": None,
    }
