"""The planner's pages: a day of visits chosen from the suggestions (each saying why), the map or a
search; the plan with its legs, time and route map, reordered by hand or put back in the shortest
order; the district's calendar; and the collector's settings."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta

from flask import abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from app.access import allow
from app.campaign.clock import campaign_today
from app.campaign.services import current_campaign
from app.extensions import db
from app.formatting import day as format_day
from app.formatting import lang
from app.geo import geodesic_km
from app.htmx import is_partial, redirect_to, render
from app.inputs import BadArgument, parse_iso_day, parse_whole_number
from app.inspections import bp, rules, services
from app.inspections.models import Inspection, InspectionStatus, StopStatus
from app.lists import ListForm
from app.models import Constituency, District, Part, Role, User
from app.refusals import NotAllowed, VersionConflict
from app.scope import Scope, current_scope

VIEWERS = (Role.STATE, Role.COLLECTOR, Role.ERO, Role.SUPERVISOR)
PLANNERS = (Role.COLLECTOR, Role.ERO, Role.SUPERVISOR)  # a collector, or the inspection's inspector
SEARCH_LIMIT = 10
CALENDAR_AHEAD, CALENDAR_BEHIND, CALENDAR_MAX_DAYS = 14, 7, 92
_FORM_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
_AC_PART = re.compile(r"\s*(\d{1,3})\s*[-/ ]\s*(\d{1,4})\s*")

REASON_LABELS = {
    rules.Reason.FLAGGED: _l("Flagged for a discrepancy"),
    rules.Reason.OVERDUE: _l("Overdue difficulties"),
    rules.Reason.BEHIND: _l("Behind the pace it needs"),
    rules.Reason.SILENT: _l("Not reporting"),
    rules.Reason.DIFFICULTIES: _l("Open difficulties"),
    rules.Reason.NOT_INSPECTED: _l("Not inspected lately"),
}
STATUS_LABELS = {
    InspectionStatus.PLANNED: _l("Planned"),
    InspectionStatus.UNDER_WAY: _l("Under way"),
    InspectionStatus.FINISHED: _l("Finished"),
    InspectionStatus.CANCELLED: _l("Cancelled"),
}
STOP_STATUS_LABELS = {
    StopStatus.PENDING: _l("To visit"),
    StopStatus.VISITED: _l("Visited"),
    StopStatus.SKIPPED: _l("Skipped"),
}
START_MODES = ("hq", "here", "map")


def _label_of(table: dict):
    by_value = {key.value: text for key, text in table.items()}

    def label(value) -> str:
        return str(by_value.get(getattr(value, "value", value), value))

    return label


for _name, _table in (
    ("inspection_reason", REASON_LABELS),
    ("inspection_status", STATUS_LABELS),
    ("stop_status", STOP_STATUS_LABELS),
):
    bp.add_app_template_filter(_label_of(_table), _name)


# -- reading what people send ----------------------------------------------------------------------


def _whole(text: str | None, minimum: int = 0) -> int | None:
    try:
        return parse_whole_number(text or "", minimum)
    except ValueError:
        return None


def _coordinate(text: str | None) -> float | None:
    text = (text or "").strip()
    if not text or len(text) > 20:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) <= 180 else None  # not NaN, not inf


def _part_ids(values) -> list[int]:
    """The ticked parts in the order sent, each once; anything not a whole number is dropped."""
    seen: list[int] = []
    for text in values.getlist("part_id"):
        part_id = _whole(text, 1)
        if part_id is not None and part_id not in seen:
            seen.append(part_id)
    return seen


def _planner_district(scope: Scope) -> District:
    user = scope.user
    if user.district_id is None:
        abort(403)
    return scope.require_district(user.district_id)


class Where:
    """The day, start point and radius of the plan being made, as sent (GET or POST), with the
    messages for whatever cannot be used; suggestions follow the usable values."""

    def __init__(self, values, district: District, settings: services.Settings, today: date):
        self.errors: dict[str, str] = {}
        self.district = district
        text = (values.get("day") or "").strip()
        self.day_text = text or today.isoformat()
        try:
            self.day = parse_iso_day(text) if text else today
        except ValueError:
            self.day = None
            self.errors["day"] = _(
                "“%(value)s” is not a date. Choose the day on the calendar.", value=text[:20]
            )
        self.inspector_id = _whole(values.get("inspector_id"), 1)
        self.mode = values.get("start") if values.get("start") in START_MODES else "hq"
        self.lat_text = (values.get("start_lat") or "").strip()[:20]
        self.lon_text = (values.get("start_lon") or "").strip()[:20]
        self.label = (values.get("start_label") or "").strip()
        self.point: tuple[float, float] | None = None
        if self.mode != "hq":
            lat, lon = _coordinate(self.lat_text), _coordinate(self.lon_text)
            if lat is None or lon is None or not services._valid_point(lat, lon):
                self.errors["start"] = _(
                    "Give the start point: your location, a tap on the map, or its latitude and longitude."
                )
            else:
                self.point = (lat, lon)
        radius_text = (values.get("radius_km") or "").strip()
        self.radius_text = radius_text or str(settings.suggest_radius_km)
        low, high = services.SETTING_LIMITS["suggest_radius_km"]
        radius = _whole(radius_text, 0) if radius_text else settings.suggest_radius_km
        if radius is None or not low <= radius <= high:
            self.radius = settings.suggest_radius_km
            self.errors["radius_km"] = _(
                "Enter a whole number of km from %(low)s to %(high)s.", low=low, high=high
            )
        else:
            self.radius = radius
        # a hidden 0 before the box: the last value sent is the box's when ticked
        self.return_to_start = (values.getlist("return_to_start") or ["1"])[-1] == "1"
        self.note = values.get("note") or ""

    @property
    def start(self) -> tuple[float, float]:
        return self.point or services.district_start(self.district)

    @property
    def start_name(self) -> str:
        if self.point is None:
            return _("District headquarters")
        return self.label or _("Start point")


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


def _found_context(scope: Scope, values) -> dict:
    """The search's answer alone: the parts found and their km from the start, no suggestions."""
    district = _planner_district(scope)
    where = Where(values, district, services.settings_for(district.id), campaign_today())
    condition = scope.part_filter() & (Part.district_id == district.id)
    q = (values.get("q") or "").strip()[:80]
    found = [
        {"part": part, "ac_number": number, "km": _km_from(where.start, part)}
        for part, number in _search(condition, q)
    ]
    return {"q": q, "found": found}


def _plan_context(scope: Scope, values, errors: dict | None = None, message: str | None = None) -> dict:
    """What templates/inspections/new.html shows for the values sent: the suggestions, the parts
    ticked, the search's finds, the inspector's other inspections that day."""
    district = _planner_district(scope)
    today = campaign_today()
    settings = services.settings_for(district.id)
    where = Where(values, district, settings, today)
    condition = scope.part_filter() & (Part.district_id == district.id)
    suggested = _suggestions(where, condition, today)
    ticked = _part_ids(values)
    added = _whole(values.get("add"), 1)
    if added is not None and added not in ticked:
        ticked.append(added)
    removed = _whole(values.get("remove"), 1)
    if removed in ticked:
        ticked.remove(removed)
    by_id = {s.part_id: s for s in suggested}
    chosen_parts = _parts_in(condition, [p for p in ticked if p not in by_id])
    extra = [
        {"part": part, "ac_number": number, "km": _km_from(where.start, part)}
        for part_id in ticked
        if part_id in chosen_parts
        for part, number in [chosen_parts[part_id]]
    ]
    chosen = [p for p in ticked if p in by_id or p in chosen_parts]
    q = (values.get("q") or "").strip()[:80]
    found = [
        {"part": part, "ac_number": number, "km": _km_from(where.start, part)}
        for part, number in _search(condition, q)
    ]
    inspectors = services.inspectors(district.id)
    inspector_id = where.inspector_id if where.inspector_id in {u.id for u in inspectors} else scope.user.id
    clashes = services.conflicts(inspector_id, where.day) if where.day else []
    token = values.get("form_token") or ""
    if not _FORM_TOKEN.fullmatch(token):
        token = secrets.token_urlsafe(24)
    points = [
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
        "chosen": chosen,
        "max_stops": services.MAX_STOPS,
        "q": q,
        "found": found,
        "clashes": clashes,
        "form_token": token,
        "errors": {**where.errors, **(errors or {})},
        "message": message,
        "map_data": {
            "start": [where.start[0], where.start[1]],
            "start_name": where.start_name,
            "radius_km": where.radius,
            "points": points,
        },
        "tile_url": current_app.config.get("MAP_TILE_URL", ""),
        "tile_attribution": current_app.config.get("MAP_TILE_ATTRIBUTION", ""),
    }


# -- plan a day ------------------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@allow(Role.COLLECTOR)
def new():
    """The collector plans a day of visits for themself or an officer of the district; the list
    and map of suggestions follow the day, the start and the radius."""
    scope = current_scope()
    if request.method == "GET":
        if "q" in request.args and "add" not in request.args and is_partial():
            return render("inspections/new.html", block="found", **_found_context(scope, request.args))
        return render("inspections/new.html", block="stops", **_plan_context(scope, request.args))
    context = _plan_context(scope, request.form)
    where = context["where"]
    if where.errors:
        context["message"] = _("Nothing was saved: see the messages below.")
        return render("inspections/new.html", block="plan_form", status=422, **context)
    reasons = {s.part_id: [str(r) for r in s.reasons] for s in context["suggested"]}
    data = services.PlanInput(
        day=where.day,
        inspector_id=where.inspector_id,
        part_ids=tuple(_part_ids(request.form)),
        start_label=where.label if where.point else "",
        start_lat=where.point[0] if where.point else None,
        start_lon=where.point[1] if where.point else None,
        return_to_start=where.return_to_start,
        note=where.note,
        form_token=context["form_token"],
        reasons=reasons,
    )
    condition = scope.part_filter()
    try:
        saved = services.plan_inspection(scope.user, context["district"], data, condition, context["today"])
        db.session.commit()
    except services.InspectionError as refused:
        db.session.rollback()
        context["errors"] = {**context["errors"], **refused.errors}
        context["message"] = _("Nothing was saved: see the messages below.")
        return render("inspections/new.html", block="plan_form", status=422, **context)
    except IntegrityError:
        db.session.rollback()  # the same form sent twice at once: the other request saved it
        saved = db.session.scalar(select(Inspection).where(Inspection.form_token == data.form_token))
        if saved is None:
            raise
    flash(
        _(
            "Inspection planned for %(day)s: %(count)s stops, in the shortest order.",
            day=format_day(saved.day),
            count=len(saved.stops),
        ),
        "success",
    )
    return redirect_to(url_for("inspections.show", inspection_id=saved.id))


# -- one plan --------------------------------------------------------------------------------------


def _may_plan(scope: Scope, inspection: Inspection) -> bool:
    """The district's collector, or the inspector themself."""
    user = scope.user
    if user.role == Role.COLLECTOR and user.district_id == inspection.district_id:
        return True
    return user.role in PLANNERS and inspection.inspector_id == user.id


def _show_context(
    scope: Scope, inspection: Inspection, message: str | None = None, level: str = "success"
) -> dict:
    settings = services.settings_for(inspection.district_id)
    stops = list(inspection.stops)
    route, best = services.plan_and_shortest(inspection, settings)
    district = db.session.get(District, inspection.district_id)
    lines = {
        part.id: (number, blo)
        for part, number, blo in db.session.execute(
            select(Part, Constituency.number, User.name)
            .join(Constituency, Constituency.id == Part.constituency_id)
            .outerjoin(User, User.id == Part.blo_id)
            .where(Part.id.in_([s.part_id for s in stops] or [0]))
        )
    }
    located = [s for s in stops if s.part.lat is not None and s.part.lon is not None]
    legs = dict(zip([s.id for s in located], route.legs, strict=False))
    start_name = inspection.start_label or _("District headquarters")
    editable = inspection.status == InspectionStatus.PLANNED and _may_plan(scope, inspection)
    user = scope.user
    # the inspector alone records the visits (app/inspections/visits.py), from the inspection's day
    closed = services.recording_closed(inspection, campaign_today())
    visit_pages = closed is None and user.role in PLANNERS and inspection.inspector_id == user.id
    return {
        "inspection": inspection,
        "district": district,
        "settings": settings,
        "stops": stops,
        "lines": lines,
        "legs": legs,
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
        "editable": editable,
        "cancellable": inspection.status in (InspectionStatus.PLANNED, InspectionStatus.UNDER_WAY)
        and user.role == Role.COLLECTOR
        and user.district_id == inspection.district_id,
        "visit_pages": visit_pages,
        "visits_from": inspection.day if closed == rules.Closed.NOT_YET else None,
        "message": message,
        "message_level": level,
        "map_data": {
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
                    "status": s.status.value,
                }
                for s in located
            ],
        },
        "tile_url": current_app.config.get("MAP_TILE_URL", ""),
        "tile_attribution": current_app.config.get("MAP_TILE_ATTRIBUTION", ""),
    }


@bp.route("/<int:inspection_id>")
@allow(VIEWERS)
def show(inspection_id: int):
    """The plan: its stops in order, each leg and the total in road km and time, and its map."""
    scope = current_scope()
    inspection = scope.require(Inspection, inspection_id)
    return render("inspections/show.html", block="plan", **_show_context(scope, inspection))


def _change(inspection_id: int, act, done: str):
    """A version-checked change of the plan, answered with the plan as it now is."""
    scope = current_scope()
    inspection = scope.require(Inspection, inspection_id)
    version = _whole(request.form.get("version"), 1)
    status, message = 200, done
    if version is None:
        status = 422
        message = _("This page has lost track of the plan's version: reload it. Nothing was saved.")
    else:
        try:
            act(scope, inspection, version)
            db.session.commit()
        except VersionConflict:
            status = 409
            message = _(
                "Someone changed this inspection a moment ago; here it is as it is now. Nothing was saved."
            )
        except NotAllowed:
            status = 409
            message = _(
                "This inspection is under way, finished or cancelled: it cannot change. Nothing was saved."
            )
        except services.InspectionError as refused:
            status = 422
            message = " ".join(refused.errors.values())
    if status != 200:
        db.session.rollback()
        db.session.expire_all()
        inspection = scope.require(Inspection, inspection_id)
    if status == 200 and not is_partial():
        flash(message, "success")
        return redirect_to(url_for("inspections.show", inspection_id=inspection.id))
    context = _show_context(scope, inspection, message, "success" if status == 200 else "error")
    return render("inspections/show.html", block="plan", status=status, **context)


def _planner_only(scope: Scope, inspection: Inspection) -> None:
    if not _may_plan(scope, inspection):
        abort(403)


@bp.route("/<int:inspection_id>/stops/<int:stop_id>/move", methods=["POST"])
@allow(PLANNERS)
def move(inspection_id: int, stop_id: int):
    """One stop up or down; the legs, the total and the map follow."""
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""))

    def act(scope, inspection, version):
        _planner_only(scope, inspection)
        if stop_id not in {s.id for s in inspection.stops}:
            abort(404)
        if step is None:
            raise services.InspectionError({"direction": _("Choose up or down.")})
        services.move(scope.user, inspection, stop_id, step, version)

    return _change(inspection_id, act, _("The order is changed."))


@bp.route("/<int:inspection_id>/shortest", methods=["POST"])
@allow(PLANNERS)
def shortest(inspection_id: int):
    """Put the stops back in the shortest order from the start."""

    def act(scope, inspection, version):
        _planner_only(scope, inspection)
        services.shortest(scope.user, inspection, version)

    return _change(inspection_id, act, _("The stops are back in the shortest order."))


@bp.route("/<int:inspection_id>/cancel", methods=["POST"])
@allow(Role.COLLECTOR)
def cancel(inspection_id: int):
    """The collector calls a planned (or started) inspection off; it stays on the calendar as cancelled."""

    def act(scope, inspection, version):
        if scope.user.district_id != inspection.district_id:
            abort(403)
        services.cancel(scope.user, inspection, version)

    return _change(inspection_id, act, _("The inspection is cancelled."))


# -- the calendar ----------------------------------------------------------------------------------


def _day_argument(name: str, default: date) -> date:
    text = (request.args.get(name) or "").strip()
    if not text:
        return default
    try:
        return parse_iso_day(text)
    except ValueError:
        raise BadArgument(
            message=_(
                "“%(value)s” is not a date. The date must look like %(example)s.",
                value=text[:20],
                example=default.isoformat(),
            )
        ) from None


@bp.route("/")
@allow(VIEWERS)
def index():
    """The inspections of the scope by day or by inspector: stops, done, status, double bookings."""
    scope = current_scope()
    form = ListForm.read(scope=scope, sorts=("day", "inspector"))
    today = campaign_today()
    first = _day_argument("first", today - timedelta(days=CALENDAR_BEHIND))
    last = _day_argument("last", today + timedelta(days=CALENDAR_AHEAD))
    if last < first:
        raise BadArgument(message=_("The last day comes before the first one."))
    if (last - first).days >= CALENDAR_MAX_DAYS:
        raise BadArgument(message=_("Show at most %(days)s days at a time.", days=CALENDAR_MAX_DAYS))
    condition = scope.of(Inspection)
    if form.district is not None:
        condition = condition & (Inspection.district_id == form.district.id)
    days = services.calendar(condition, first, last)
    rows = [row for day_rows in days.values() for row in day_rows]
    doubled = services.double_booked(rows)
    by_inspector: dict[int, list] = {}
    for row in sorted(rows, key=lambda r: (r[1].name, r[0].day, r[0].id)):
        by_inspector.setdefault(row[1].id, []).append(row)
    districts = (
        db.session.scalars(scope.districts().order_by(District.name_en)).all()
        if scope.sees_whole_state
        else []
    )
    names = (
        dict(db.session.execute(select(District.id, District.name_en)).all())
        if scope.sees_whole_state
        else {}
    )
    return render(
        "inspections/index.html",
        block="calendar",
        days=days,
        by_inspector=by_inspector,
        view=form.sort_by,
        doubled=doubled,
        first=first,
        last=last,
        today=today,
        count=len(rows),
        districts=districts,
        district=form.district,
        district_names=names,
    )


# -- the district's settings ---------------------------------------------------------------------


SETTING_LABELS = {
    "road_speed_kmh": _l("Road speed, km an hour"),
    "road_factor_percent": _l("Road distance, percent of the straight line"),
    "figure_threshold_percent": _l("A counted figure disagrees past this percent of the reported one"),
    "sample_threshold_percent": _l("A sample disagrees below this percent confirmed"),
    "suggest_radius_km": _l("Suggest parts within this many km of the start"),
    "stale_after_days": _l("Suggest parts not inspected for this many days"),
}


@bp.route("/settings", methods=["GET", "POST"])
@allow(Role.COLLECTOR)
def settings():
    """The collector sets the district's road speed and factor, thresholds, radius, and whether
    BLOs see visits coming."""
    scope = current_scope()
    district = _planner_district(scope)
    saved = services.settings_for(district.id)
    current = {name: getattr(saved, name) for name in (*services.SETTING_LIMITS, "blos_see_visits")}
    context = {
        "district": district,
        "limits": services.SETTING_LIMITS,
        "labels": SETTING_LABELS,
        "sent": {name: str(value) for name, value in current.items()},
        "blos_see_visits": saved.blos_see_visits,
        "errors": {},
        "message": None,
    }
    if request.method == "POST":
        values = {name: _whole(request.form.get(name), 0) for name in services.SETTING_LIMITS}
        values["blos_see_visits"] = request.form.get("blos_see_visits") == "1"
        try:
            services.save_settings(scope.user, district.id, values)
            db.session.commit()
        except services.InspectionError as refused:
            db.session.rollback()
            context.update(
                errors=refused.errors,
                sent={name: (request.form.get(name) or "")[:10] for name in services.SETTING_LIMITS},
                blos_see_visits=values["blos_see_visits"],
                message=_("Nothing was saved: see the messages below."),
            )
            return render("inspections/settings.html", block="settings_form", status=422, **context)
        message = _("The inspection settings of %(district)s are saved.", district=district.name(lang()))
        if not is_partial():
            flash(message, "success")
            return redirect_to(url_for("inspections.settings"))
        context.update(
            sent={name: str(values[name]) for name in services.SETTING_LIMITS},
            blos_see_visits=values["blos_see_visits"],
            message=message,
        )
    return render("inspections/settings.html", block="settings_form", **context)
