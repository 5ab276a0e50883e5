"""The volunteer's own side, phone-first: the offers waiting for an answer, the assignments they
accepted, finding the booth, checking in and out, logging the work, and their history.

A volunteer reaches only their own assignments and days: the scope's owner rule
(Assignment.volunteer_user_id, VisitDay.volunteer_user_id) is the only way in. Contexts in
pages_mine.py, forms in forms.py.
"""

from __future__ import annotations

from datetime import datetime

from flask import flash, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import idempotency
from app.access import allow
from app.campaign.clock import campaign_today
from app.extensions import db
from app.formatting import day as format_day
from app.formatting import number
from app.htmx import is_partial, redirect_to, render
from app.lists import ListForm
from app.models import Role
from app.scope import current_scope
from app.timeutil import utcnow
from app.volunteers import bp, services
from app.volunteers import pages_mine as pages
from app.volunteers.forms import AnswerForm, CheckOutForm, TapForm, WorkLogForm
from app.volunteers.labels import clock, worked
from app.volunteers.models import Assignment, OfferStatus, VisitDay
from app.volunteers.services import NotAllowed, VersionConflict, VolunteerError


@bp.route("/mine")
@allow(Role.VOLUNTEER)
def mine():
    """The volunteer's offers and assignments, phone-first."""
    scope = current_scope()
    context = pages.overview(scope, campaign_today(), utcnow())
    return render("volunteers/mine.html", block="assignments", **context)


@bp.route("/assignments/<int:assignment_id>")
@allow(Role.VOLUNTEER)
def assignment(assignment_id: int):
    scope = current_scope()
    found = scope.require(Assignment, assignment_id)
    return render("volunteers/assignment.html", block="assignment", **pages.assignment_context(scope, found))


def _answer_page(scope, assignment_id, status, **context):
    """The assignment block again (htmx), or the message flashed over the page (plain posts)."""
    db.session.rollback()
    problems = [context.get("message") or "", *(context.get("errors") or {}).values()]
    # The one line for a queued post: the first field's message says more than "see below".
    idempotency.refusal(next((str(p) for p in problems[1:] if p), str(problems[0])))
    found = scope.require(Assignment, assignment_id)
    if is_partial():
        return render(
            "volunteers/assignment.html",
            block="assignment",
            status=status,
            **pages.assignment_context(scope, found, level="error", **context),
        )
    flash(" ".join(p for p in problems if p), "error")
    return redirect_to(url_for("volunteers.assignment", assignment_id=assignment_id))


def _done(scope, assignment: Assignment, message: str):
    if is_partial():
        return render(
            "volunteers/assignment.html",
            block="assignment",
            **pages.assignment_context(scope, assignment, message=message),
        )
    flash(message, "success")
    return redirect_to(url_for("volunteers.assignment", assignment_id=assignment.id))


NOT_SAVED = _l("Nothing was saved: see the messages below.")


def _refusal(assignment: Assignment, now: datetime) -> str:
    if assignment.lapsed_at(now):
        return _(
            "This offer expired on %(when)s without an answer: it can no longer be accepted or "
            "declined. The officers may offer it to you again.",
            when=format_day(assignment.expires_at, "short"),
        )
    if assignment.status == OfferStatus.CANCELLED:
        return _("The officers withdrew this offer. Nothing was saved.")
    return _("You have already answered this offer. Nothing was saved.")


@bp.route("/assignments/<int:assignment_id>/answer", methods=["POST"])
@allow(Role.VOLUNTEER)
def answer(assignment_id: int):
    """Accept an offer, or decline it with a reason (the need goes back on the board)."""
    scope = current_scope()
    found = scope.require(Assignment, assignment_id)
    now = utcnow()
    form = AnswerForm()
    sent = form.sent
    if not form.validate():
        errors = form.first_errors()
        return _answer_page(scope, assignment_id, 422, message=str(NOT_SAVED), errors=errors, sent=sent)
    accept = form.accepting
    try:
        services.answer(scope.user, found, accept, sent["reason"], form.version.data, now)
    except NotAllowed:
        return _answer_page(scope, assignment_id, 409, message=_refusal(found, now), sent=sent)
    except VersionConflict:
        message = _("This offer changed a moment ago; here it is as it is now. Nothing was saved.")
        return _answer_page(scope, assignment_id, 409, message=message, sent=sent)
    except VolunteerError as error:
        return _answer_page(
            scope, assignment_id, error.status, message=str(NOT_SAVED), errors=error.errors, sent=sent
        )
    db.session.commit()
    if accept:
        message = _("Accepted. The BLO's name and phone are below; please be there on time.")
    else:
        message = _("Declined. Thank you for saying so: the officers will ask someone else.")
    return _done(scope, found, message)


def _distance_text(metres: int | None) -> str:
    if metres is None:
        return _("No location was recorded.")
    return _("You are %(metres)s m from the booth.", metres=number(metres))


@bp.route("/assignments/<int:assignment_id>/check-in", methods=["POST"])
@allow(Role.VOLUNTEER)
@idempotency.idempotent
def check_in(assignment_id: int):
    """One tap on arrival: the time, and the place if the phone gave it. A second tap changes nothing."""
    scope = current_scope()
    found = scope.require(Assignment, assignment_id)
    form = TapForm()
    now, tapped_at = utcnow(), services.tap_moment(form.tapped_at.data)
    lat, lon = form.point
    try:
        # The day is the tap's (a check-in queued before midnight stays on its day).
        visit = services.check_in(scope.user, found, None, lat, lon, now, tapped_at)
    except NotAllowed:
        message = _("You can check in only to an assignment you have accepted.")
        return _answer_page(scope, assignment_id, 409, message=message)
    except VolunteerError as error:
        return _answer_page(scope, assignment_id, error.status, message=" ".join(error.errors.values()))
    db.session.commit()
    if visit.check_in_received_at != now:
        message = _("You had already checked in at %(time)s.", time=clock(visit.check_in_at))
    else:
        message = " ".join(
            [
                _("Checked in at %(time)s.", time=clock(visit.check_in_at)),
                _distance_text(visit.check_in_distance_m),
            ]
        )
    return _done(scope, found, message)


@bp.route("/assignments/<int:assignment_id>/check-out", methods=["POST"])
@allow(Role.VOLUNTEER)
@idempotency.idempotent
def check_out(assignment_id: int):
    """One tap on leaving: the minutes worked today, capped at the district's daily hours."""
    scope = current_scope()
    found = scope.require(Assignment, assignment_id)
    form = CheckOutForm()
    now, tapped_at = utcnow(), services.tap_moment(form.tapped_at.data)
    lat, lon = form.point
    if not form.confirmed:
        # Check-out ends the day's count: it is asked twice, never taken from a stray tap.
        message = _("Nothing was saved: confirm the check-out with the button that asks for it.")
        return _answer_page(scope, assignment_id, 422, message=message)
    try:
        visit = services.check_out(scope.user, found, None, lat, lon, now, tapped_at)
    except NotAllowed:
        return _answer_page(scope, assignment_id, 409, message=_("This assignment is not yours."))
    except VolunteerError as error:
        return _answer_page(scope, assignment_id, error.status, message=" ".join(error.errors.values()))
    db.session.commit()
    if visit.check_out_received_at != now:
        message = _("You had already checked out at %(time)s.", time=clock(visit.check_out_at))
    else:
        message = _(
            "Checked out at %(time)s: %(worked)s counted today.",
            time=clock(visit.check_out_at),
            worked=worked(visit.minutes),
        )
        if visit.check_out_distance_m is not None:
            message += " " + _distance_text(visit.check_out_distance_m)
    return _done(scope, found, message)


@bp.route("/days/<int:day_id>/work", methods=["POST"])
@allow(Role.VOLUNTEER)
@idempotency.idempotent
def log_work(day_id: int):
    """What the day's work came to: forms helped with, electors helped, notes."""
    scope = current_scope()
    visit = scope.require(VisitDay, day_id)
    form = WorkLogForm()
    sent = form.sent
    try:
        services.log_work(
            scope.user,
            visit,
            form.forms_helped.data,
            form.electors_helped.data,
            sent["notes"],
            utcnow(),
            services.tap_moment(form.tapped_at.data),
        )
    except NotAllowed:
        return _answer_page(scope, visit.assignment_id, 403, message=_("This day is not yours."))
    except VolunteerError as error:
        return _answer_page(
            scope, visit.assignment_id, 422, message=str(NOT_SAVED), errors=error.errors, sent=sent
        )
    db.session.commit()
    return _done(scope, visit.assignment, _("The work of %(day)s is saved.", day=format_day(visit.day)))


@bp.route("/history")
@allow(Role.VOLUNTEER)
def history():
    """Every assignment answered or under way, newest first, with its days and minutes; total hours."""
    context = pages.history_context(current_scope(), ListForm.read())
    return render("volunteers/history.html", block="history", **context)
