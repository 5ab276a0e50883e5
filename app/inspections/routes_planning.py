"""The planner's pages: a day of visits chosen from the suggestions (each saying why), the map or a
search; the plan with its legs, time and route map, reordered by hand or put back in the shortest
order; the district's calendar; and the collector's settings. The forms are read by forms.py, what
each page shows is built by pages_planning.py."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.access import allow
from app.campaign.clock import campaign_today
from app.extensions import db
from app.formatting import day as format_day
from app.formatting import lang
from app.htmx import is_partial, redirect_to, render
from app.inputs import BadArgument, parse_iso_day
from app.inspections import bp, services
from app.inspections.forms import MoveForm, PlanForm, SettingsForm, VersionForm
from app.inspections.models import Inspection
from app.inspections.pages_planning import (
    calendar_context,
    found_context,
    plan_context,
    settings_context,
    show_context,
)
from app.inspections.permissions import PLANNERS, VIEWERS, may_plan, planner_district
from app.lists import ListForm
from app.models import Role
from app.refusals import NotAllowed, VersionConflict
from app.scope import Scope, current_scope

CALENDAR_AHEAD, CALENDAR_BEHIND, CALENDAR_MAX_DAYS = 14, 7, 92


# -- plan a day ------------------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@allow(Role.COLLECTOR)
def new():
    """The collector plans a day of visits for themself or an officer of the district; the list
    and map of suggestions follow the day, the start and the radius."""
    scope = current_scope()
    if request.method == "GET":
        form = PlanForm(formdata=request.args)
        if "q" in request.args and "add" not in request.args and is_partial():
            return render("inspections/new.html", block="found", **found_context(scope, form))
        return render("inspections/new.html", block="stops", **plan_context(scope, form))
    form = PlanForm()
    context = plan_context(scope, form)
    where = context["where"]
    if where.errors:
        context["message"] = _("Nothing was saved: see the messages below.")
        return render("inspections/new.html", block="plan_form", status=422, **context)
    reasons = {s.part_id: [str(r) for r in s.reasons] for s in context["suggested"]}
    data = services.PlanInput(
        day=where.day,
        inspector_id=where.inspector_id,
        part_ids=tuple(form.part_id.data or ()),
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
        saved = services.planned_by_token(data.form_token)
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


@bp.route("/<int:inspection_id>")
@allow(VIEWERS)
def show(inspection_id: int):
    """The plan: its stops in order, each leg and the total in road km and time, and its map."""
    scope = current_scope()
    inspection = scope.require(Inspection, inspection_id)
    return render("inspections/show.html", block="plan", **show_context(scope, inspection))


def _change(inspection_id: int, act, done: str):
    """A version-checked change of the plan, answered with the plan as it now is."""
    scope = current_scope()
    inspection = scope.require(Inspection, inspection_id)
    version = VersionForm().sent_version
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
    context = show_context(scope, inspection, message, "success" if status == 200 else "error")
    return render("inspections/show.html", block="plan", status=status, **context)


def _planner_only(scope: Scope, inspection: Inspection) -> None:
    if not may_plan(scope, inspection):
        abort(403)


@bp.route("/<int:inspection_id>/stops/<int:stop_id>/move", methods=["POST"])
@allow(PLANNERS)
def move(inspection_id: int, stop_id: int):
    """One stop up or down; the legs, the total and the map follow."""
    step = MoveForm().step

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
    context = calendar_context(scope, form.district, first, last, form.sort_by)
    return render("inspections/index.html", block="calendar", **context)


# -- the district's settings ---------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
@allow(Role.COLLECTOR)
def settings():
    """The collector sets the district's road speed and factor, thresholds, radius, and whether
    BLOs see visits coming."""
    scope = current_scope()
    district = planner_district(scope)
    context = settings_context(district)
    if request.method == "POST":
        form = SettingsForm()
        values = form.values()
        try:
            services.save_settings(scope.user, district.id, values)
            db.session.commit()
        except services.InspectionError as refused:
            db.session.rollback()
            context.update(
                errors=refused.errors,
                sent=form.sent(),
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
