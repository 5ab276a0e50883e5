"""A district's routing of difficulties and its working hours: the collector sets each category's
first owner and clocks, and the hours and holidays the clocks count in; the state office reads any
district's."""

from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_babel import gettext as _

from app import idempotency
from app.access import allow
from app.difficulties import bp, pages, services
from app.difficulties.forms import DistrictForm, RoutingForm, WorkingHoursForm
from app.extensions import db
from app.formatting import lang
from app.htmx import is_partial, redirect_to, render
from app.models import District, Role
from app.scope import Scope, current_scope


def _district(scope: Scope, editable: bool) -> District | None:
    """The collector's own district (403 for another asked for); the one the state office picked."""
    user = scope.user
    if editable:
        if user.district_id is None:
            abort(403)
        district = scope.require_district(user.district_id)
        if request.args.get("district_id") not in (None, "", str(district.id)):
            abort(403)
        return district
    if request.method == "POST":
        abort(403)
    district_id = DistrictForm(formdata=request.args).district_id.data
    return scope.require_district(district_id) if district_id else None


@bp.route("/routing", methods=["GET", "POST"])
@allow(Role.COLLECTOR, Role.STATE)
def routing():
    """The collector sets each category's first owner and clocks for the district; the state office
    reads any district's."""
    scope = current_scope()
    editable = scope.user.role == Role.COLLECTOR
    district = _district(scope, editable)
    context = pages.routing_context(scope, district, editable)
    if request.method == "POST":
        form = RoutingForm()
        chosen, errors = form.routes()
        if errors:
            return render(
                "difficulties/routing.html",
                block="routes",
                status=422,
                **{
                    **context,
                    "rows": pages.routing_rows(district, form),
                    "errors": errors,
                    "message": _("Nothing was saved: see the messages below."),
                },
            )
        services.save_routes(scope.user, district, chosen)
        db.session.commit()
        message = _("The routing of %(district)s is saved.", district=district.name(lang()))
        if not is_partial():
            flash(message, "success")
            return redirect_to(url_for("difficulties.routing"))
        context["message"] = message
    context["rows"] = pages.routing_rows(district) if district is not None else []
    return render("difficulties/routing.html", block="routes", **context)


@bp.route("/hours", methods=["GET", "POST"])
@allow(Role.COLLECTOR, Role.STATE)
def working_hours():
    """The collector sets the district's working hours and holidays, the only time the
    difficulties' clocks count; the state office reads any district's."""
    scope = current_scope()
    editable = scope.user.role == Role.COLLECTOR
    district = _district(scope, editable)
    if request.method == "POST":
        form = WorkingHoursForm()
        chosen, errors = form.working_time()
        if errors:
            idempotency.refusal(" ".join(errors.values()))
            context = pages.working_hours_context(scope, district, editable, form.typed())
            context.update(errors=errors, message=_("Nothing was saved: see the messages below."))
            return render("difficulties/hours.html", block="hours", status=422, **context)
        services.save_working_time(scope.user, district, chosen)
        db.session.commit()
        message = _("The working hours of %(district)s are saved.", district=district.name(lang()))
        if not is_partial():
            flash(message, "success")
            return redirect_to(url_for("difficulties.working_hours"))
        context = pages.working_hours_context(scope, district, editable)
        context["message"] = message
        return render("difficulties/hours.html", block="hours", **context)
    return render(
        "difficulties/hours.html", block="hours", **pages.working_hours_context(scope, district, editable)
    )
