"""The officers' offers sent, with their time left, cancelling one, and the district's limits the
collector sets. Contexts in pages_need.py, forms in forms.py."""

from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_babel import gettext as _

from app.access import allow
from app.extensions import db
from app.formatting import lang
from app.htmx import is_partial, redirect_to, render
from app.lists import ListForm
from app.models import Role
from app.scope import Scope, current_scope
from app.volunteers import bp, services
from app.volunteers import pages_need as pages
from app.volunteers.forms import SettingsForm, VersionForm
from app.volunteers.labels import STATUS_FILTERS
from app.volunteers.models import Assignment
from app.volunteers.services import NotAllowed, VersionConflict

BOARD_OFFICERS = (Role.COLLECTOR, Role.ERO)


def _offers(scope: Scope, message=None, level="success") -> dict:
    return pages.offers_context(scope, ListForm.read(scope=scope, filters=STATUS_FILTERS), message, level)


@bp.route("/offers/list")
@allow(BOARD_OFFICERS)
def offers():
    return render("volunteers/offers.html", block="offer_rows", **_offers(current_scope()))


def _cancelled(scope: Scope, assignment: Assignment, version: int | None) -> tuple[int, str | None]:
    """Cancel the offer as the page showed it: (status, the message of a refusal)."""
    if version is None:
        return 422, _("This form has lost track of the offer's version: open the list again.")
    try:
        services.cancel(scope.user, assignment, version)
        db.session.commit()
    except VersionConflict:
        return 409, _("Someone changed this offer a moment ago; here is what it is now. Nothing was saved.")
    except NotAllowed:
        return 409, _(
            "This offer is no longer open: it was answered, expired or cancelled. Nothing was saved."
        )
    return 200, None


@bp.route("/offers/<int:assignment_id>/cancel", methods=["POST"])
@allow(BOARD_OFFICERS)
def cancel(assignment_id: int):
    """Withdraw an offer, or an accepted assignment: the volunteer's time and the part's place free up."""
    scope = current_scope()
    assignment = scope.require(Assignment, assignment_id)
    version = VersionForm().version.data or None  # no row has version 0
    status, message = _cancelled(scope, assignment, version)
    if status != 200:
        db.session.rollback()
        context = _offers(scope, message, "error")
        return render("volunteers/offers.html", block="offer_rows", status=status, **context)
    done = _("The offer to %(name)s is cancelled.", name=assignment.volunteer.name)
    if is_partial():
        return render("volunteers/offers.html", block="offer_rows", **_offers(scope, done))
    flash(done, "success")
    return redirect_to(url_for("volunteers.offers", **request.args))


@bp.route("/settings", methods=["GET", "POST"])
@allow(Role.COLLECTOR)
def settings():
    """The collector sets the district's limits: volunteers per part, hours to answer, hours a day."""
    scope = current_scope()
    user = scope.user
    if user.district_id is None:
        abort(403)
    district = scope.require_district(user.district_id)
    if request.args.get("district_id") not in (None, "", str(district.id)):
        abort(403)
    if request.method == "GET":
        return render("volunteers/settings.html", block="limits", **pages.settings_context(district))
    form = SettingsForm()
    chosen, errors = form.chosen()
    if errors:
        message = _("Nothing was saved: see the messages below.")
        context = pages.settings_context(district, form.sent, errors, message)
        return render("volunteers/settings.html", block="limits", status=422, **context)
    services.save_limits(user, district, chosen)
    db.session.commit()
    message = _("The volunteer limits of %(district)s are saved.", district=district.name(lang()))
    if not is_partial():
        flash(message, "success")
        return redirect_to(url_for("volunteers.settings"))
    context = pages.settings_context(district, chosen, None, message)
    return render("volunteers/settings.html", block="limits", **context)
