"""Registration: the public sign-up (phone-first, rate-limited, once per form however often it is
tapped), the officers' approval queue, and the collectors' bulk import of institutions' lists."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, g, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from wtforms import (
    FieldList,
    FormField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length
from wtforms.widgets import CheckboxInput, ListWidget

from app import audit, passwords
from app.access import allow, public
from app.campaign.clock import campaign_today
from app.errors import render_error
from app.extensions import db, limiter
from app.formatting import lang
from app.forms import Form
from app.htmx import is_partial, redirect_to, render
from app.imports.services import MAX_BYTES, UploadError, store_upload
from app.inputs import parse_iso_day
from app.lists import ListForm
from app.models import District, Job, JobStatus, Role, User
from app.scope import current_scope
from app.timeutil import utcnow
from app.volunteers import bp, intake
from app.volunteers.models import RepeatRegistration, Volunteer, VolunteerStatus
from app.volunteers.services import VersionConflict, VolunteerError, approve, reject

OFFICERS = (Role.COLLECTOR, Role.ERO)
# How far back the approvals page lists the numbers of approved or rejected volunteers (and of
# officials) that tried to register again; a pending volunteer's card shows all of its own.
REPEATS_SHOWN_FOR = timedelta(days=30)
REPEATS_SHOWN = 50


# -- the sign-up form ------------------------------------------------------------------------------


class WindowForm(Form):
    """One time the volunteer is free: every day from the first to the last, between two hours."""

    class Meta(Form.Meta):
        csrf = False

    starts_on = StringField(_l("First day"), render_kw={"type": "date"})
    ends_on = StringField(_l("Last day"), render_kw={"type": "date"})
    start_time = StringField(_l("From"), render_kw={"type": "time"})
    end_time = StringField(_l("To"), render_kw={"type": "time"})


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RegistrationForm(Form):
    form_token = HiddenField()
    name = StringField(
        _l("Your name"),
        validators=[DataRequired(), Length(max=intake.NAME_MAX)],
        render_kw={"autocomplete": "name"},
    )
    mobile = StringField(
        _l("Mobile number"),
        validators=[DataRequired(), Length(max=20)],
        description=_l("10 digits. You will sign in with it."),
        render_kw={"type": "tel", "inputmode": "numeric", "autocomplete": "tel-national"},
    )
    district_id = SelectField(_l("District"), coerce=int, validate_choice=False)
    organisation = SelectField(_l("You come from"), validate_choice=False)
    institution = StringField(
        _l("Institution"),
        validators=[Length(max=intake.INSTITUTION_MAX)],
        description=_l("Your college, unit, office or panchayat."),
    )
    languages = CheckboxesField(_l("Languages you speak"), choices=[])
    other_languages = StringField(
        _l("Other languages"),
        validators=[Length(max=intake.OTHER_LANGUAGES_MAX)],
        description=_l("For example: Bundeli, Malvi, Gondi"),
    )
    lat = StringField(_l("Latitude"), render_kw={"inputmode": "decimal", "autocomplete": "off"})
    lon = StringField(_l("Longitude"), render_kw={"inputmode": "decimal", "autocomplete": "off"})
    address = TextAreaField(
        _l("Address (optional)"), validators=[Length(max=intake.ADDRESS_MAX)], render_kw={"rows": 2}
    )
    windows = FieldList(FormField(WindowForm), min_entries=intake.MAX_WINDOWS, max_entries=intake.MAX_WINDOWS)
    password = PasswordField(
        _l("Choose a password"),
        validators=[DataRequired(), Length(min=intake.PASSWORD_MIN, max=128)],
        description=_l("At least 8 characters."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


def _registration_form() -> RegistrationForm:
    form = RegistrationForm()
    districts = db.session.scalars(select(District).order_by(District.name_en)).all()
    form.district_id.choices = [(0, "—")] + sorted(
        ((d.id, d.name(lang())) for d in districts), key=lambda choice: choice[1]
    )
    form.organisation.choices = [("", "—")] + [
        (o.value, str(label)) for o, label in intake.ORGANISATION_LABELS.items()
    ]
    form.languages.choices = [(code, str(label)) for code, label in intake.LANGUAGE_LABELS.items()]
    if not form.form_token.data:
        form.form_token.data = intake.new_form_token()
    return form


def _windows(form: RegistrationForm) -> tuple[list[intake.Window], bool]:
    """The windows filled in, and whether a half-filled one was refused (its row says why)."""
    windows, refused = [], False
    for entry in form.windows:
        sub = entry.form
        values = [(sub.starts_on.data or "").strip(), (sub.ends_on.data or "").strip()]
        times = [(sub.start_time.data or "").strip(), (sub.end_time.data or "").strip()]
        if not any(values + times):
            continue
        try:
            starts_on, ends_on = (parse_iso_day(v) for v in values)
        except ValueError:
            sub.starts_on.errors = [_("Give the first and the last day.")]
            refused = True
            continue
        try:
            start_time, end_time = (intake.parse_time_of_day(t) for t in times)
        except ValueError:
            sub.start_time.errors = [_("Give the hours, from and to.")]
            refused = True
            continue
        window = intake.Window(starts_on, ends_on, start_time, end_time)
        if message := intake.window_error(window, campaign_today()):
            sub.starts_on.errors = [message]
            refused = True
            continue
        windows.append(window)
    return windows, refused


def _point(form: RegistrationForm) -> tuple[float | None, float | None, dict[str, str]]:
    """The typed latitude and longitude, and a message for each that is not a number."""
    point, errors = [], {}
    for field in (form.lat, form.lon):
        try:
            point.append(intake.parse_coordinate(field.data))
        except ValueError:
            errors[field.name] = _("Enter a number, like 23.2599.")
            point.append(None)
    return point[0], point[1], errors


def _new_volunteer(form: RegistrationForm) -> tuple[intake.NewVolunteer, dict[str, str]]:
    windows, bad_window = _windows(form)
    lat, lon, point_errors = _point(form)
    data = intake.NewVolunteer(
        name=form.name.data or "",
        mobile=form.mobile.data or "",
        district_id=form.district_id.data or None,
        organisation=form.organisation.data or "",
        institution=(form.institution.data or "").strip(),
        languages=intake.languages_of(form.languages.data or (), form.other_languages.data or ""),
        address=(form.address.data or "").strip(),
        lat=lat,
        lon=lon,
        windows=windows,
        locale=lang(),
    )
    errors = intake.validate(data, campaign_today())
    if data.district_id is not None and db.session.get(District, data.district_id) is None:
        errors["district_id"] = _("Choose your district.")
    if bad_window:
        errors.pop("windows", None)  # the row's own message says what is wrong
        errors["windows"] = _("Check the times marked below.")
    if point_errors:
        errors.pop("lat", None)  # the numbers' own messages say what is wrong
        errors.update(point_errors)
    return data, errors


def _show_errors(form: RegistrationForm, errors: dict[str, str]) -> None:
    for key, message in errors.items():
        if key == "windows":
            form.windows_message = message
            continue
        field = getattr(form, key, None) or form.lat
        if not field.errors:  # one message a field: the form's own "required" comes first
            field.errors = [*field.errors, message]


def _registered(name: str, mobile: str, district_id: int):
    """The one answer to a registration received: the same for a new number and for one already
    registered, so that the page tells nobody which numbers are registered."""
    return render(
        "volunteers/registered.html",
        block="answer",
        name=name,
        mobile=mobile,
        district=db.session.get(District, district_id),
    )


def _answered_before(token: str):
    """A second tap of a form already answered: the same answer again, nothing saved."""
    done = db.session.scalar(select(Volunteer).where(Volunteer.form_token == token))
    if done is not None:
        return _registered(done.name, done.mobile, done.district_id)
    again = db.session.scalar(select(RepeatRegistration).where(RepeatRegistration.form_token == token))
    if again is not None:
        return _registered(again.name, again.mobile, again.typed_district_id)
    return None


def _note_repeat(data: intake.NewVolunteer, mobile: str, token: str | None) -> RepeatRegistration | None:
    """Keep a sign-up with a number already registered for the approvers of the number's district
    (the district typed, when the number signs in an official's account); audited. Creates no
    volunteer and touches no account. The caller commits."""
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.mobile == mobile))
    user_id = (
        volunteer.user_id
        if volunteer is not None
        else db.session.scalar(select(User.id).where(User.login == mobile))
    )
    if volunteer is None and user_id is None:
        return None
    repeat = RepeatRegistration(
        district_id=volunteer.district_id if volunteer is not None else data.district_id,
        volunteer_id=volunteer.id if volunteer is not None else None,
        user_id=user_id,
        mobile=mobile,
        name=" ".join(data.name.split())[: intake.NAME_MAX],
        typed_district_id=data.district_id,
        at=utcnow(),
        form_token=token,
    )
    db.session.add(repeat)
    db.session.flush()
    audit.record(
        None,
        "volunteer.register_again",
        repeat,
        None,
        {
            "volunteer_id": repeat.volunteer_id,
            "user_id": repeat.user_id,
            "district_id": repeat.district_id,
            "typed_district_id": repeat.typed_district_id,
            "name": repeat.name,
        },
    )
    return repeat


def _registered_again(data: intake.NewVolunteer, mobile: str, password: str, token: str | None):
    """A number already registered: answered as a new one is (the same page, status and limits
    counted), after as much work (a password hash), and kept for the approvers, not the visitor."""
    passwords.hash_password(password)  # what creating the account would have spent; thrown away
    try:
        noted = _note_repeat(data, mobile, token)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # a second tap of the same form raced the first: noted once
        noted = None
    g.volunteer_registered = noted is not None
    return _registered(" ".join(data.name.split()), mobile, data.district_id)


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
        tile_url=current_app.config.get("MAP_TILE_URL", ""),
        tile_attribution=current_app.config.get("MAP_TILE_ATTRIBUTION", ""),
        districts={d.id: (d.hq_lat, d.hq_lon) for d in db.session.scalars(select(District))},
    )


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(_register_limit, methods=["POST"], deduct_when=_registered_now)
@limiter.limit(_attempt_limit, methods=["POST"], key_func=_attempt_key)
def register():
    """Anyone may register; the account signs in once the collector or an ERO approves it."""
    form = _registration_form()
    if request.method == "GET":
        return _page(form)
    token = (form.form_token.data or "")[:64] or None
    if token is not None and (answer := _answered_before(token)) is not None:
        return answer  # a second tap: the first one was answered
    valid = form.validate_on_submit()
    data, errors = _new_volunteer(form)
    if valid and not errors:
        mobile = intake.normalise_mobile(data.mobile)
        if intake.already_registered(mobile):
            return _registered_again(data, mobile, form.password.data, token)
        try:
            volunteer = intake.create_volunteer(data, password=form.password.data, form_token=token)
            job = intake.start_geocoding(volunteer)
            db.session.commit()
        except (VolunteerError, IntegrityError) as error:
            db.session.rollback()
            if token is not None and (answer := _answered_before(token)) is not None:
                return answer
            if isinstance(error, VolunteerError) and set(error.errors) != {"mobile"}:
                errors = error.errors
            else:  # the same number registered a moment ago, by another form
                return _registered_again(data, mobile, form.password.data, token)
        else:
            if job is not None:
                intake.send(job)
                db.session.refresh(volunteer)
            g.volunteer_registered = True
            return _registered(volunteer.name, volunteer.mobile, volunteer.district_id)
    db.session.rollback()
    _show_errors(form, errors)
    return _page(form, 422, notice=_("Please correct the marked fields."))


@bp.errorhandler(429)
def too_many_registrations(error):
    """Too many sign-ups from one address: the form again, saying why, not the generic error page."""
    if request.endpoint != "volunteers.register":
        return render_error(429)
    form = _registration_form()
    return _page(
        form,
        429,
        notice=_("Too many registrations from this connection. Please try again after some time."),
    )


# -- the approval queue ----------------------------------------------------------------------------


def _pending_query(scope, search: str):
    query = (
        select(Volunteer)
        .options(selectinload(Volunteer.windows))
        .where(scope.of(Volunteer), Volunteer.status == VolunteerStatus.PENDING)
        .order_by(Volunteer.registered_at, Volunteer.id)
    )
    if search:
        like = f"%{search}%"
        query = query.where(
            or_(Volunteer.name.ilike(like), Volunteer.mobile.like(like), Volunteer.institution.ilike(like))
        )
    return query


def _repeats_of(volunteer_ids) -> dict[int, list[RepeatRegistration]]:
    """Each volunteer's tries to register again with their number, newest first, in one query."""
    found: dict[int, list[RepeatRegistration]] = {}
    ids = list(volunteer_ids)
    if ids:
        for repeat in db.session.scalars(
            select(RepeatRegistration)
            .where(RepeatRegistration.volunteer_id.in_(ids))
            .order_by(RepeatRegistration.at.desc(), RepeatRegistration.id.desc())
        ):
            found.setdefault(repeat.volunteer_id, []).append(repeat)
    return found


def _other_repeats(scope) -> list[tuple[RepeatRegistration, Volunteer | None]]:
    """The last days' tries to register with the number of a volunteer no longer waiting (approved
    or rejected) or of an official's account, in the officer's district, newest first."""
    since = utcnow() - REPEATS_SHOWN_FOR
    return list(
        db.session.execute(
            select(RepeatRegistration, Volunteer)
            .outerjoin(Volunteer, Volunteer.id == RepeatRegistration.volunteer_id)
            .where(
                scope.of(RepeatRegistration),
                RepeatRegistration.at >= since,
                or_(RepeatRegistration.volunteer_id.is_(None), Volunteer.status != VolunteerStatus.PENDING),
            )
            .order_by(RepeatRegistration.at.desc(), RepeatRegistration.id.desc())
            .limit(REPEATS_SHOWN)
        ).all()
    )


def _district_names(repeats) -> dict[int, District]:
    ids = {r.typed_district_id for r in repeats}
    if not ids:
        return {}
    return {d.id: d for d in db.session.scalars(select(District).where(District.id.in_(ids)))}


@bp.route("/approvals")
@allow(OFFICERS)
def approvals():
    scope = current_scope()
    form = ListForm.read()
    pages = form.paginate(_pending_query(scope, form.q.data), current_app.config["PAGE_SIZE"])
    repeats = _repeats_of(v.id for v in pages)
    others = _other_repeats(scope) if not is_partial() else []
    return render(
        "volunteers/approvals.html",
        block="rows",
        pages=pages,
        q=form.q.data,
        organisations=intake.ORGANISATION_LABELS,
        languages=intake.LANGUAGE_LABELS,
        back_after_no_shows=back_after_no_shows,
        repeats=repeats,
        others=others,
        districts=_district_names([r for rows in repeats.values() for r in rows] + [r for r, _v in others]),
        repeats_days=REPEATS_SHOWN_FOR.days,
    )


def _version() -> int | None:
    text = (request.form.get("version") or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def _decision_answer(volunteer: Volunteer, status: int, notice: str, kind: str):
    if is_partial():
        repeats = _repeats_of([volunteer.id])
        return render(
            "volunteers/approvals.html",
            block="row",
            status=status,
            volunteer=volunteer,
            notice=notice,
            notice_kind=kind,
            organisations=intake.ORGANISATION_LABELS,
            languages=intake.LANGUAGE_LABELS,
            repeats=repeats,
            districts=_district_names(repeats.get(volunteer.id, [])),
        )
    flash(notice, "success" if kind == "success" else "error")
    return redirect_to(url_for("volunteers.approvals"))


def _decide(volunteer_id: int, approving: bool):
    scope = current_scope()
    volunteer = scope.require(Volunteer, volunteer_id)
    version = _version()
    if version is None:
        db.session.rollback()
        return _decision_answer(volunteer, 422, _("This form is out of date. Reload the page."), "error")
    try:
        if version != volunteer.version or volunteer.status != VolunteerStatus.PENDING:
            raise VersionConflict()
        if approving:
            approve(scope.user, volunteer, version)
        else:
            reject(scope.user, volunteer, version)
        db.session.commit()
    except VersionConflict:
        db.session.rollback()
        volunteer = scope.require(Volunteer, volunteer_id)
        return _decision_answer(
            volunteer,
            409,
            _(
                "Someone else decided on %(name)s after this page was shown; here is how it stands now.",
                name=volunteer.name,
            ),
            "error",
        )
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


# -- the bulk import -------------------------------------------------------------------------------


class ImportForm(Form):
    file = FileField(
        _l("List of volunteers (.csv or .xlsx)"),
        validators=[
            FileRequired(message=_l("Choose a file to upload.")),
            FileAllowed(["csv", "xlsx"], message=_l("Upload a .csv or .xlsx file.")),
        ],
        description=_l("One row per volunteer; headers in English or Hindi."),
        render_kw={
            "accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        },
    )


def _recent_imports(scope) -> list[Job]:
    return list(
        db.session.scalars(
            select(Job)
            .options(selectinload(Job.user))
            .where(scope.of(Job), Job.kind.in_(intake.KINDS))
            .order_by(Job.id.desc())
            .limit(10)
        )
    )


def _import_page(form: ImportForm, status: int = 200):
    return render(
        "volunteers/import.html",
        block="form",
        status=status,
        form=form,
        job=None,
        jobs=_recent_imports(current_scope()),
        columns=intake.COLUMNS,
        hindi_names=intake.HINDI_NAMES,
        required=intake.REQUIRED,
    )


@bp.route("/import", methods=["GET", "POST"])
@allow(Role.COLLECTOR)
def import_():
    form = ImportForm()
    if request.method == "GET":
        return _import_page(form)
    if form.validate_on_submit():
        upload = form.file.data
        try:
            path = store_upload(
                upload.stream, upload.filename, current_app.config.get("IMPORTS_MAX_BYTES", MAX_BYTES)
            )
        except UploadError as error:
            form.file.errors.append(str(error))
        else:
            job = intake.start_import(current_scope().user, upload.filename, path, str(get_locale()))
            db.session.commit()
            intake.send(job)
            return redirect_to(url_for("volunteers.import_status", job_id=job.id))
    db.session.rollback()
    return _import_page(form, 422)


def _import_job(job_id: int) -> Job:
    job = current_scope().require(Job, job_id)
    if job.kind not in intake.KINDS:
        abort(404)
    return job


def _status_page(job: Job, status: int = 200, notice: str | None = None):
    result = job.result or {}
    if job.status == JobStatus.FAILED and not result:
        result = {
            "state": "failed",
            "message": _("The import stopped because of an error on the server. Nothing was saved."),
        }
    errors = ListForm.read().paginate_list(result.get("errors") or [], 50)
    return render(
        "volunteers/import.html",
        block="status",
        status=status,
        job=job,
        result=result,
        errors=errors,
        notice=notice,
        can_apply=intake.can_apply(job),
        check_id=job.params.get("check_job_id"),
        jobs=[],
    )


@bp.route("/import/<int:job_id>")
@allow(Role.COLLECTOR)
def import_status(job_id: int):
    return _status_page(_import_job(job_id))


@bp.route("/import/<int:job_id>/apply", methods=["POST"])
@allow(Role.COLLECTOR)
def import_apply(job_id: int):
    check = _import_job(job_id)
    job = intake.start_apply(current_scope().user, check, str(get_locale()))
    if job is None:
        db.session.rollback()
        message = _(
            "This file cannot be applied: it is not checked without problems, or it was applied already."
        )
        if is_partial():
            return _status_page(check, 422, notice=message)
        flash(message, "error")
        return redirect_to(url_for("volunteers.import_status", job_id=check.id))
    db.session.commit()
    intake.send(job)
    return redirect_to(url_for("volunteers.import_status", job_id=job.id))


def back_after_no_shows(volunteer: Volunteer) -> bool:
    """Pending again after two no-shows: approved once before."""
    return volunteer.status == VolunteerStatus.PENDING and volunteer.approved_at is not None
