"""The BLO's side: the volunteers coming today to their parts, and whether each came.

The BLO sees the assignments of their own parts (the scope's part rule) and, of a volunteer who
accepted one of them, the name, organisation and phone: the privacy rule of issue 9.
"""

from __future__ import annotations

from datetime import date

from flask import flash, request, url_for
from flask_babel import gettext as _
from sqlalchemy import and_, func, select

from app import idempotency
from app.access import allow
from app.campaign.clock import campaign_today
from app.extensions import db
from app.htmx import is_partial, redirect_to, render
from app.models import Constituency, Part, Role
from app.scope import Scope, current_scope
from app.timeutil import utcnow
from app.volunteers import bp, services
from app.volunteers.models import Assignment, OfferStatus, VisitDay, Volunteer, VolunteerStatus
from app.volunteers.services import NotAllowed, VolunteerError


def _coming(scope: Scope, day: date):
    return (
        scope.of(Assignment),
        Assignment.status == OfferStatus.ACCEPTED,
        Assignment.starts_on <= day,
        Assignment.ends_on >= day,
    )


def coming_today_count(scope: Scope, day: date) -> int:
    """For the BLO's home page: how many volunteers come to their parts on the day."""
    return db.session.scalar(select(func.count(Assignment.id)).where(*_coming(scope, day))) or 0


def coming_today(scope: Scope, day: date) -> list:
    """Each accepted assignment covering the day at the user's parts, with its volunteer, part and
    the day's check-in and attendance: one query."""
    return db.session.execute(
        select(
            Assignment,
            Volunteer.name,
            Volunteer.organisation,
            Volunteer.institution,
            Volunteer.mobile,
            Volunteer.status.label("volunteer_status"),
            Part,
            Constituency.number.label("ac_number"),
            VisitDay,
        )
        .join(Volunteer, Volunteer.id == Assignment.volunteer_id)
        .join(Part, Part.id == Assignment.part_id)
        .join(Constituency, Constituency.id == Assignment.constituency_id)
        .outerjoin(VisitDay, and_(VisitDay.assignment_id == Assignment.id, VisitDay.day == day))
        .where(*_coming(scope, day))
        .order_by(Constituency.number, Part.number, Assignment.start_time, Volunteer.name)
        .limit(200)
    ).all()


def _today_context(scope: Scope, message: str | None = None, level: str = "success") -> dict:
    today = campaign_today()
    return {"rows": coming_today(scope, today), "today": today, "message": message, "message_level": level}


@bp.route("/today")
@allow(Role.BLO)
def today():
    return render("volunteers/blo_today.html", block="volunteers", **_today_context(current_scope()))


@bp.route("/assignments/<int:assignment_id>/attendance", methods=["POST"])
@allow(Role.BLO)
def attendance(assignment_id: int):
    """The BLO says a volunteer came today, or did not: two no-shows and they need approval again."""
    scope = current_scope()
    found = scope.require(Assignment, assignment_id)
    choice = request.form.get("came", "")
    status, problem = 200, None
    if choice not in ("0", "1"):
        status, problem = 422, _("Say whether the volunteer came. Nothing was saved.")
    else:
        volunteer = found.volunteer
        was_approved = volunteer.status == VolunteerStatus.APPROVED
        try:
            services.record_attendance(scope.user, found, campaign_today(), choice == "1", utcnow())
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
                **_today_context(scope, problem, "error"),
            )
        flash(problem, "error")
        return redirect_to(url_for("volunteers.today"))
    db.session.commit()
    if choice == "1":
        message = _("%(name)s came today: thank you.", name=volunteer.name)
    else:
        message = _("%(name)s is recorded as not coming today.", name=volunteer.name)
        if was_approved and volunteer.status == VolunteerStatus.PENDING:
            message += " " + _(
                "That is their second no-show: they need the officers' approval again before any new offer."
            )
    if is_partial():
        return render("volunteers/blo_today.html", block="volunteers", **_today_context(scope, message))
    flash(message, "success")
    return redirect_to(url_for("volunteers.today"))
