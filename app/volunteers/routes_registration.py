"""Registration: the public sign-up (phone-first, rate-limited, once per form however often it is
tapped) and the officers' approval queue. Contexts in pages_registration.py, forms in forms.py."""

from __future__ import annotations

from flask import current_app, flash, g, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from sqlalchemy.exc import IntegrityError

from app import passwords
from app.access import allow, public
from app.errors import render_error
from app.extensions import db, limiter
from app.htmx import is_partial, redirect_to, render
from app.lists import ListForm
from app.models import Role
from app.scope import current_scope
from app.volunteers import bp, intake, repeats, services
from app.volunteers import pages_registration as pages
from app.volunteers.forms import RegistrationForm, VersionForm, new_volunteer, registration_form, show_errors
from app.volunteers.models import Volunteer
from app.volunteers.services import VersionConflict, VolunteerError

OFFICERS = (Role.COLLECTOR, Role.ERO)


# -- the sign-up -----------------------------------------------------------------------------------


def _registered(context: dict):
    """The one answer to a registration received: the same for a new number and for one already
    registered, so that the page tells nobody which numbers are registered."""
    return render("volunteers/registered.html", block="answer", **context)


def _registered_again(data: intake.NewVolunteer, mobile: str, password: str, token: str | None):
    """A number already registered: answered as a new one is (the same page, status and limits
    counted), after as much work (a password hash), and kept for the approvers, not the visitor."""
    passwords.hash_password(password)  # what creating the account would have spent; thrown away
    try:
        noted = repeats.note_repeat(data, mobile, token)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # a second tap of the same form raced the first: noted once
        noted = None
    g.volunteer_registered = noted is not None
    return _registered(pages.registered_context(" ".join(data.name.split()), mobile, data.district_id))


def _register_limit() -> str:
    return current_app.config.get("VOLUNTEER_REGISTER_RATE_LIMIT", "5 per hour;20 per day")


def _attempt_limit() -> str:
    return current_app.config.get("VOLUNTEER_REGISTER_ATTEMPT_LIMIT", "60 per hour")


def _attempt_key() -> str:
    return "register-attempt:" + get_remote_address()


def _registered_now(response) -> bool:
    """Only a registration made counts towards the hourly and daily limits, not a typing error."""
    return response.status_code == 200 and g.get("volunteer_registered", False)


def _page(form: RegistrationForm, status: int = 200, notice: str | None = None):
    return render(
        "volunteers/register.html",
        block="form",
        status=status,
        form=form,
        notice=notice,
        windows_message=getattr(form, "windows_message", None),
        more_open=any(
            any((f.data or "").strip() or f.errors for f in entry.form) for entry in form.windows.entries[1:]
        ),
        **pages.register_context(),
    )


def _create(form: RegistrationForm, data: intake.NewVolunteer, token: str | None):
    """A new volunteer from a valid form; the answer, or the service's messages when refused."""
    mobile = intake.normalise_mobile(data.mobile)
    if intake.already_registered(mobile):
        return _registered_again(data, mobile, form.password.data, token), None
    try:
        volunteer = intake.create_volunteer(data, password=form.password.data, form_token=token)
        job = intake.start_geocoding(volunteer)
        db.session.commit()
    except (VolunteerError, IntegrityError) as error:
        db.session.rollback()
        if token is not None and (answer := pages.answered_before(token)) is not None:
            return _registered(answer), None
        if isinstance(error, VolunteerError) and set(error.errors) != {"mobile"}:
            return None, error.errors
        # the same number registered a moment ago, by another form
        return _registered_again(data, mobile, form.password.data, token), None
    if job is not None:
        intake.send(job)
        db.session.refresh(volunteer)
    g.volunteer_registered = True
    return _registered(
        pages.registered_context(volunteer.name, volunteer.mobile, volunteer.district_id)
    ), None


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(_register_limit, methods=["POST"], deduct_when=_registered_now)
@limiter.limit(_attempt_limit, methods=["POST"], key_func=_attempt_key)
def register():
    """Anyone may register; the account signs in once the collector or an ERO approves it."""
    form = registration_form(pages.district_choices())
    if request.method == "GET":
        return _page(form)
    token = (form.form_token.data or "")[:64] or None
    if token is not None and (answer := pages.answered_before(token)) is not None:
        return _registered(answer)  # a second tap: the first one was answered
    valid = form.validate_on_submit()
    data, errors = new_volunteer(form)
    if valid and not errors:
        answer, errors = _create(form, data, token)
        if answer is not None:
            return answer
    db.session.rollback()
    show_errors(form, errors)
    return _page(form, 422, notice=_("Please correct the marked fields."))


@bp.errorhandler(429)
def too_many_registrations(error):
    """Too many sign-ups from one address: the form again, saying why, not the generic error page."""
    if request.endpoint != "volunteers.register":
        return render_error(429)
    form = registration_form(pages.district_choices())
    return _page(
        form,
        429,
        notice=_("Too many registrations from this connection. Please try again after some time."),
    )


# -- the approval queue ----------------------------------------------------------------------------


@bp.route("/approvals")
@allow(OFFICERS)
def approvals():
    context = pages.approvals_context(current_scope(), ListForm.read(), with_others=not is_partial())
    return render("volunteers/approvals.html", block="rows", **context)


def _decision_answer(volunteer: Volunteer, status: int, notice: str, kind: str):
    if is_partial():
        context = pages.decision_context(volunteer, notice, kind)
        return render("volunteers/approvals.html", block="row", status=status, **context)
    flash(notice, "success" if kind == "success" else "error")
    return redirect_to(url_for("volunteers.approvals"))


def _decide(volunteer_id: int, approving: bool):
    scope = current_scope()
    volunteer = scope.require(Volunteer, volunteer_id)
    version = VersionForm().version.data
    if version is None:
        db.session.rollback()
        return _decision_answer(volunteer, 422, _("This form is out of date. Reload the page."), "error")
    try:
        services.decide(scope.user, volunteer, version, approving)
        db.session.commit()
    except VersionConflict:
        db.session.rollback()
        volunteer = scope.require(Volunteer, volunteer_id)
        notice = _(
            "Someone else decided on %(name)s after this page was shown; here is how it stands now.",
            name=volunteer.name,
        )
        return _decision_answer(volunteer, 409, notice, "error")
    if approving:
        notice = _("%(name)s is approved and can now sign in with their mobile number.", name=volunteer.name)
    else:
        notice = _("%(name)s's registration is rejected.", name=volunteer.name)
    return _decision_answer(volunteer, 200, notice, "success")


@bp.route("/<int:volunteer_id>/approve", methods=["POST"], endpoint="approve")
@allow(OFFICERS)
def approve_(volunteer_id: int):
    return _decide(volunteer_id, True)


@bp.route("/<int:volunteer_id>/reject", methods=["POST"], endpoint="reject")
@allow(OFFICERS)
def reject_(volunteer_id: int):
    return _decide(volunteer_id, False)
