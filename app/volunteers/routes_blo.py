"""The BLO's side: the volunteers coming today to their parts, and whether each came.

The BLO sees the assignments of their own parts (the scope's part rule) and, of a volunteer who
accepted one of them, the name, organisation and phone: the privacy rule of issue 9.
"""

from __future__ import annotations

from flask import flash, url_for
from flask_babel import gettext as _

from app import idempotency
from app.access import allow
from app.campaign.clock import campaign_today
from app.extensions import db
from app.htmx import is_partial, redirect_to, render
from app.models import Role
from app.scope import current_scope
from app.timeutil import utcnow
from app.volunteers import bp, services
from app.volunteers import pages_blo as pages
from app.volunteers.forms import AttendanceForm
from app.volunteers.models import Assignment, VolunteerStatus
from app.volunteers.services import NotAllowed, VolunteerError


@bp.route("/today")
@allow(Role.BLO)
def today():
    return render("volunteers/blo_today.html", block="volunteers", **pages.today_context(current_scope()))


@bp.route("/assignments/<int:assignment_id>/attendance", methods=["POST"])
@allow(Role.BLO)
def attendance(assignment_id: int):
    """The BLO says a volunteer came today, or did not: two no-shows and they need approval again."""
    scope = current_scope()
    found = scope.require(Assignment, assignment_id)
    form = AttendanceForm()
    status, problem = 200, None
    if not form.answered:
        status, problem = 422, _("Say whether the volunteer came. Nothing was saved.")
    else:
        volunteer = found.volunteer
        was_approved = volunteer.status == VolunteerStatus.APPROVED
        try:
            services.record_attendance(scope.user, found, campaign_today(), form.came_today, utcnow())
        except NotAllowed:
            status, problem = 409, _("This volunteer's attendance is not yours to record. Nothing was saved.")
        except VolunteerError as error:
            status, problem = error.status, " ".join(error.errors.values())
    if problem:
        idempotency.refusal(problem)
        db.session.rollback()
        if is_partial():
            return render(
                "volunteers/blo_today.html",
                block="volunteers",
                status=status,
                **pages.today_context(scope, problem, "error"),
            )
        flash(problem, "error")
        return redirect_to(url_for("volunteers.today"))
    db.session.commit()
    if form.came_today:
        message = _("%(name)s came today: thank you.", name=volunteer.name)
    else:
        message = _("%(name)s is recorded as not coming today.", name=volunteer.name)
        if was_approved and volunteer.status == VolunteerStatus.PENDING:
            message += " " + _(
                "That is their second no-show: they need the officers' approval again before any new offer."
            )
    if is_partial():
        return render("volunteers/blo_today.html", block="volunteers", **pages.today_context(scope, message))
    flash(message, "success")
    return redirect_to(url_for("volunteers.today"))
