"""The volunteer's own side, phone-first: the offers waiting for an answer, the assignments they
accepted, finding the booth, checking in and out, logging the work, and their history.

A volunteer reaches only their own assignments and days: the scope's owner rule
(Assignment.volunteer_user_id, VisitDay.volunteer_user_id) is the only way in.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time

from flask import current_app, flash, request, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, or_, select
from sqlalchemy.orm import joinedload

from app import idempotency
from app.access import allow
from app.campaign.clock import campaign_today
from app.extensions import db
from app.formatting import day as format_day
from app.formatting import number
from app.htmx import is_partial, redirect_to, render
from app.inputs import parse_whole_number
from app.lists import ListForm
from app.models import Part, Role, User
from app.scope import Scope, current_scope
from app.timeutil import utcnow
from app.volunteers import bp, services
from app.volunteers.models import (
    Assignment,
    Attendance,
    OfferStatus,
    Organisation,
    Task,
    VisitDay,
    Volunteer,
)
from app.volunteers.services import NotAllowed, VersionConflict, VolunteerError

# -- labels in templates -------------------------------------------------------------------------

TASK_LABELS = {
    Task.AWARENESS: _l("Awareness work"),
    Task.FORM_FILLING: _l("Helping electors fill their forms"),
    Task.OLD_ROLL_SEARCH: _l("Searching the old roll"),
    Task.HELP_DESK: _l("Staffing the help desk"),
    Task.DATA_ENTRY: _l("Data entry when the BLO asks, under their supervision"),
}
OFFER_STATUS_LABELS = {
    OfferStatus.OFFERED: _l("Waiting for your answer"),
    OfferStatus.ACCEPTED: _l("Accepted"),
    OfferStatus.DECLINED: _l("Declined"),
    OfferStatus.EXPIRED: _l("Expired"),
    OfferStatus.CANCELLED: _l("Withdrawn"),
}
ORGANISATION_LABELS = {
    Organisation.NSS: _l("NSS"),
    Organisation.NCC: _l("NCC"),
    Organisation.COLLEGE: _l("College"),
    Organisation.GOVERNMENT: _l("Government staff"),
    Organisation.PANCHAYAT: _l("Panchayat"),
    Organisation.OTHER: _l("Other"),
}
ATTENDANCE_LABELS = {
    Attendance.CONFIRMED: _l("The BLO confirmed you came"),
    Attendance.NO_SHOW: _l("The BLO reported you did not come"),
}
# What a volunteer may never do (DOMAIN.md), shown on every assignment.
MAY_NOT = (
    _l("Never act as the BLO."),
    _l("Never certify an ASD status (absent, shifted, dead, duplicate)."),
    _l("Never take electors' documents."),
)


def _label_filter(table: dict):
    by_value = {key.value: text for key, text in table.items()}

    def label(value) -> str:
        if value is None:
            return "—"
        return str(by_value.get(getattr(value, "value", value), value))

    return label


for _name, _table in {
    "task_label": TASK_LABELS,
    "offer_status_label": OFFER_STATUS_LABELS,
    "organisation_label": ORGANISATION_LABELS,
    "attendance_label": ATTENDANCE_LABELS,
}.items():
    bp.add_app_template_filter(_label_filter(_table), _name)


@bp.app_template_filter("clock")
def clock(value: time | datetime | None) -> str:
    """A time of day in the reader's language: a stored moment (naive UTC) in the campaign's zone,
    a time of day (an assignment's hours) as it is."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return format_time(value, "short")
    return format_time(value, "short", rebase=False)


@bp.app_template_filter("worked")
def worked(minutes: int | float | None) -> str:
    """Worked time in hours and minutes, however many hours."""
    if minutes is None:
        return "—"
    hours, rest = divmod(max(int(round(minutes)), 0), 60)
    if hours:
        return _("%(hours)s h %(minutes)s min", hours=number(hours), minutes=number(rest))
    return _("%(minutes)s min", minutes=number(rest))


# -- reading -------------------------------------------------------------------------------------


def _own(scope: Scope):
    """The user's assignments (a volunteer's own; a BLO's parts'), with their part and AC."""
    return (
        select(Assignment)
        .where(scope.of(Assignment))
        .options(joinedload(Assignment.part).joinedload(Part.constituency))
    )


def _open_offer(now: datetime):
    return (Assignment.status == OfferStatus.OFFERED) & (Assignment.expires_at > now)


def _visits_on(assignment_ids: list[int], day: date) -> dict[int, VisitDay]:
    if not assignment_ids:
        return {}
    return {
        visit.assignment_id: visit
        for visit in db.session.scalars(
            select(VisitDay).where(VisitDay.assignment_id.in_(assignment_ids), VisitDay.day == day)
        )
    }


def _covers(assignment: Assignment, day: date) -> bool:
    return assignment.starts_on <= day <= assignment.ends_on


def overview(scope: Scope, today: date, now: datetime) -> dict:
    """The offers waiting for an answer (soonest to expire first) and the accepted assignments not
    over yet (today's first), with today's day of each: two queries."""
    offers = db.session.scalars(
        _own(scope).where(_open_offer(now)).order_by(Assignment.expires_at, Assignment.id)
    ).all()
    accepted = db.session.scalars(
        _own(scope)
        .where(Assignment.status == OfferStatus.ACCEPTED, Assignment.ends_on >= today)
        .order_by(
            case((Assignment.starts_on <= today, 0), else_=1),
            Assignment.starts_on,
            Assignment.start_time,
        )
        .limit(100)
    ).all()
    visits = _visits_on([a.id for a in accepted if _covers(a, today)], today)
    return {
        "offers": [(offer, offer.expires_at - now) for offer in offers],
        "accepted": accepted,
        "today_assignments": [a for a in accepted if _covers(a, today)],
        "visits": visits,
        "today": today,
    }


def home_context(scope: Scope, today: date) -> dict:
    """The volunteer's home page opens with today's assignment and the offers waiting."""
    return {"volunteer_overview": overview(scope, today, utcnow())}


def directions(part: Part) -> dict | None:
    """Where the booth is: a geo: link any phone's map opens, and the DIRECTIONS_URL template's
    address (e.g. "https://maps.example/dir/?destination={lat},{lon}") when one is configured."""
    if part.lat is None or part.lon is None:
        return None
    lat, lon = f"{part.lat:.6f}", f"{part.lon:.6f}"
    template = current_app.config.get("DIRECTIONS_URL") or ""
    try:
        maps = template.format(lat=lat, lon=lon) if template else None
    except (KeyError, IndexError, ValueError):
        current_app.logger.warning("DIRECTIONS_URL %r is not a template of {lat} and {lon}", template)
        maps = None
    return {"geo": f"geo:{lat},{lon}?q={lat},{lon}", "maps": maps, "lat": lat, "lon": lon}


def _assignment_context(
    scope: Scope,
    assignment: Assignment,
    *,
    message: str | None = None,
    level: str = "success",
    errors: dict | None = None,
    sent: dict | None = None,
) -> dict:
    now, today = utcnow(), campaign_today()
    part = assignment.part
    accepted = assignment.status == OfferStatus.ACCEPTED
    days = db.session.scalars(
        select(VisitDay)
        .where(VisitDay.assignment_id == assignment.id, scope.of(VisitDay))
        .order_by(VisitDay.day.desc())
    ).all()
    visit = next((d for d in days if d.day == today), None)
    expired = assignment.status == OfferStatus.EXPIRED or (
        assignment.status == OfferStatus.OFFERED and assignment.expires_at <= now
    )
    return {
        "a": assignment,
        "part": part,
        # The BLO's name and phone only once the volunteer has accepted.
        "blo": db.session.get(User, part.blo_id) if accepted and part.blo_id else None,
        "open_offer": assignment.status == OfferStatus.OFFERED and not expired,
        "expired": expired,
        "time_left": assignment.expires_at - now,
        "today": today,
        "is_today": accepted and _covers(assignment, today),
        "visit": visit,
        "days": days,
        "worked_minutes": sum(d.minutes or 0 for d in days),
        "directions": directions(part),
        "may_not": MAY_NOT,
        "cap_minutes": services.limits_for(assignment.district_id).daily_hour_cap * 60,
        "message": message,
        "message_level": level,
        "errors": errors or {},
        "sent": sent or {},
    }


def _own_profile(scope: Scope) -> Volunteer | None:
    return db.session.scalar(select(Volunteer).where(Volunteer.user_id == scope.user.id, scope.of(Volunteer)))


# -- pages ---------------------------------------------------------------------------------------


@bp.route("/mine")
@allow(Role.VOLUNTEER)
def mine():
    """The volunteer's offers and assignments, phone-first."""
    scope = current_scope()
    context = overview(scope, campaign_today(), utcnow())
    return render("volunteers/mine.html", block="assignments", **context)


@bp.route("/assignments/<int:assignment_id>")
@allow(Role.VOLUNTEER)
def assignment(assignment_id: int):
    scope = current_scope()
    found = scope.require(Assignment, assignment_id)
    return render("volunteers/assignment.html", block="assignment", **_assignment_context(scope, found))


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
            **_assignment_context(scope, found, level="error", **context),
        )
    flash(" ".join(p for p in problems if p), "error")
    return redirect_to(url_for("volunteers.assignment", assignment_id=assignment_id))


def _done(scope, assignment: Assignment, message: str):
    if is_partial():
        return render(
            "volunteers/assignment.html",
            block="assignment",
            **_assignment_context(scope, assignment, message=message),
        )
    flash(message, "success")
    return redirect_to(url_for("volunteers.assignment", assignment_id=assignment.id))


NOT_SAVED = _l("Nothing was saved: see the messages below.")


def _refusal(assignment: Assignment, now: datetime) -> str:
    if assignment.status == OfferStatus.EXPIRED or (
        assignment.status == OfferStatus.OFFERED and assignment.expires_at <= now
    ):
        return _(
            "This offer expired on %(when)s without an answer: it can no longer be accepted or "
            "declined. The officers may offer it to you again.",
            when=format_day(assignment.expires_at, "short"),
        )
    if assignment.status == OfferStatus.CANCELLED:
        return _("The officers withdrew this offer. Nothing was saved.")
    return _("You have already answered this offer. Nothing was saved.")


def _whole_number(text: str | None, minimum: int = 1) -> int | None:
    try:
        return parse_whole_number(text or "", minimum)
    except ValueError:
        return None


@bp.route("/assignments/<int:assignment_id>/answer", methods=["POST"])
@allow(Role.VOLUNTEER)
def answer(assignment_id: int):
    """Accept an offer, or decline it with a reason (the need goes back on the board)."""
    scope = current_scope()
    found = scope.require(Assignment, assignment_id)
    now = utcnow()
    choice = request.form.get("accept", "")
    reason = (request.form.get("reason") or "").strip()
    sent = {"reason": reason}
    version = _whole_number(request.form.get("version"))
    errors = {}
    if version is None:
        errors["version"] = _("This form has lost track of the offer: open the page again.")
    if choice not in ("0", "1"):
        errors["accept"] = _("Choose to accept or to decline.")
    if errors:
        return _answer_page(scope, assignment_id, 422, message=str(NOT_SAVED), errors=errors, sent=sent)
    accept = choice == "1"
    expired_or_closed = found.status != OfferStatus.OFFERED or found.expires_at <= now
    try:
        if expired_or_closed:
            raise NotAllowed()
        services.answer(scope.user, found, accept, reason, version, now)
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


def _coordinate(text: str | None, limit: float) -> float | None:
    try:
        value = float((text or "").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) and -limit <= value <= limit else None


def _point(form) -> tuple[float | None, float | None]:
    """The phone's position from the hidden fields check-in.js fills; none without permission."""
    lat, lon = _coordinate(form.get("lat"), 90), _coordinate(form.get("lon"), 180)
    return (lat, lon) if lat is not None and lon is not None else (None, None)


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
    now, tapped_at = utcnow(), services.tap_moment(request.form.get("tapped_at"))
    lat, lon = _point(request.form)
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
    now, tapped_at = utcnow(), services.tap_moment(request.form.get("tapped_at"))
    lat, lon = _point(request.form)
    if request.form.get("confirm") != "1":
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
    form = request.form
    sent = {name: (form.get(name) or "").strip() for name in ("forms_helped", "electors_helped", "notes")}
    forms_helped = _whole_number(sent["forms_helped"], 0)
    electors_helped = _whole_number(sent["electors_helped"], 0)
    try:
        services.log_work(
            scope.user,
            visit,
            forms_helped,
            electors_helped,
            sent["notes"],
            utcnow(),
            services.tap_moment(form.get("tapped_at")),
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
    scope = current_scope()
    now = utcnow()
    form = ListForm.read()
    query = (
        _own(scope)
        .where(or_(Assignment.status != OfferStatus.OFFERED, Assignment.expires_at <= now))
        .order_by(Assignment.starts_on.desc(), Assignment.id.desc())
    )
    pages = form.paginate(query, current_app.config["PAGE_SIZE"])
    ids = [a.id for a in pages.items]
    days: dict[int, list[VisitDay]] = {i: [] for i in ids}
    if ids:
        for visit in db.session.scalars(
            select(VisitDay)
            .where(VisitDay.assignment_id.in_(ids), scope.of(VisitDay))
            .order_by(VisitDay.day.desc())
        ):
            days[visit.assignment_id].append(visit)
    profile = _own_profile(scope)
    hours = services.hours_of(profile.id) if profile is not None else 0.0
    return render(
        "volunteers/history.html",
        block="history",
        pages=pages,
        days=days,
        total_minutes=hours * 60,
        days_worked=sum(1 for visits in days.values() for v in visits if v.minutes),
        today=campaign_today(),
    )
