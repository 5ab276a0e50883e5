"""The forms of volunteering: one Flask-WTF form for each write command. Whole numbers, versions and
coordinates are read by the shared fields of app/forms.py, so "१२" and "12" mean the same here as on
every other form.

The command forms (answer, check in and out, work log, offers, cancel, limits, attendance, approve
and reject) carry no token of their own: the app-wide CSRFProtect checks every post, from the form's
field or htmx's header, as it did before they were forms.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
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
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.campaign.clock import campaign_today
from app.extensions import db
from app.formatting import lang, number
from app.forms import CoordinateField, Form, VersionField, WholeNumberField, read_whole_number
from app.inputs import parse_iso_day
from app.models import District
from app.volunteers import intake
from app.volunteers.labels import ORGANISATION_CHOICES
from app.volunteers.pages_need import SETTING_RANGES, read_day, time_of_day
from app.volunteers.services import MAX_COUNT, OfferInput


class CommandForm(Form):
    """A write command's form: its CSRF token is checked app-wide (see the module's note)."""

    class Meta(Form.Meta):
        csrf = False


def _text(field) -> str:
    """What was typed in a field, as typed (blank when nothing was)."""
    return field.raw_data[0] if field.raw_data else ""


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


def registration_form(district_choices: list[tuple[int, str]]) -> RegistrationForm:
    """The sign-up form (the request's, when posted) with its choices and a one-time token."""
    form = RegistrationForm()
    form.district_id.choices = [(0, "—"), *district_choices]
    form.organisation.choices = [("", "—")] + [
        (o.value, str(label)) for o, label in ORGANISATION_CHOICES.items()
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


def new_volunteer(form: RegistrationForm) -> tuple[intake.NewVolunteer, dict[str, str]]:
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


def show_errors(form: RegistrationForm, errors: dict[str, str]) -> None:
    for key, message in errors.items():
        if key == "windows":
            form.windows_message = message
            continue
        field = getattr(form, key, None) or form.lat
        if not field.errors:  # one message a field: the form's own "required" comes first
            field.errors = [*field.errors, message]


# -- the volunteer's commands ----------------------------------------------------------------------


def _version_known(message: str):
    """A validator: the version the page showed came back (a missing or garbled one is None)."""

    def check(form, field):
        if field.data is None or field.data < 1:
            raise ValidationError(message)

    return check


def _one_of(choices: tuple[str, ...], message: str):
    def check(form, field):
        if field.data not in choices:
            raise ValidationError(message)

    return check


class AnswerForm(CommandForm):
    """Accept an offer ("1"), or decline it ("0") with a reason."""

    version = VersionField(
        validators=[_version_known(_l("This form has lost track of the offer: open the page again."))]
    )
    accept = StringField(validators=[_one_of(("0", "1"), _l("Choose to accept or to decline."))])
    reason = StringField()

    def first_errors(self) -> dict[str, str]:
        """Each refused field's first message, in the fields' order."""
        return {name: str(messages[0]) for name, messages in self.errors.items()}

    @property
    def accepting(self) -> bool:
        return self.accept.data == "1"

    @property
    def sent(self) -> dict:
        return {"reason": (self.reason.data or "").strip()}


class TapForm(CommandForm):
    """A tap of the volunteer's: the phone's time of it, and its position when the phone gave one
    (the hidden fields check-in.js fills). A position that is not one is left out, not refused."""

    tapped_at = StringField()
    lat = CoordinateField(limit=90)
    lon = CoordinateField(limit=180)

    @property
    def point(self) -> tuple[float | None, float | None]:
        lat, lon = self.lat.data, self.lon.data
        return (lat, lon) if lat is not None and lon is not None else (None, None)


class CheckOutForm(TapForm):
    """Check-out ends the day's count: it is asked twice, never taken from a stray tap."""

    confirm = StringField()

    @property
    def confirmed(self) -> bool:
        return self.confirm.data == "1"


class WorkLogForm(CommandForm):
    """What the day's work came to. The counts are read as whole numbers up to MAX_COUNT; one that is
    not comes back as None, and the service bounds each by what a volunteer can do in a day at the
    part (rules.work_bounds) and says why."""

    tapped_at = StringField()
    forms_helped = WholeNumberField(minimum=0, maximum=MAX_COUNT)
    electors_helped = WholeNumberField(minimum=0, maximum=MAX_COUNT)
    notes = TextAreaField()

    @property
    def sent(self) -> dict:
        return {
            name: _text(getattr(self, name)).strip() for name in ("forms_helped", "electors_helped", "notes")
        }


# -- the officers' commands ------------------------------------------------------------------------


class OfferTargetForm(CommandForm):
    """The part and the volunteer an offer is for (in its address, or posted)."""

    part_id = WholeNumberField(minimum=1)
    volunteer_id = WholeNumberField(minimum=1)


class OfferForm(CommandForm):
    """The days, the hours, the tasks and a note of an offer; a day or an hour that is not one is
    None, and the service says what is missing."""

    starts_on = StringField()
    ends_on = StringField()
    start_time = StringField()
    end_time = StringField()
    tasks = SelectMultipleField(validate_choice=False)
    note = StringField()

    def offer_input(self) -> OfferInput:
        return OfferInput(
            starts_on=read_day(self.starts_on.data),
            ends_on=read_day(self.ends_on.data),
            start_time=time_of_day(self.start_time.data),
            end_time=time_of_day(self.end_time.data),
            tasks=tuple(self.tasks.data or ()),
            note=(self.note.data or "").strip(),
        )

    @property
    def sent(self) -> dict:
        """What was typed, to fill the form again beside its messages."""
        return {
            **{
                name: (getattr(self, name).data or "").strip()
                for name in ("starts_on", "ends_on", "start_time", "end_time")
            },
            "note": self.note.data or "",
            "tasks": list(self.tasks.data or ()),
        }


class BulkOfferForm(OfferForm):
    """The same offer to every ticked suggestion, each "volunteer_id:part_id"."""

    pair = SelectMultipleField(validate_choice=False)

    @property
    def ticked(self) -> list[str]:
        return list(self.pair.data or ())

    def pairs(self) -> list[tuple[int, int]] | None:
        """The ticked (volunteer, part) ids, once each; None when one is not of that form."""
        pairs = []
        for value in self.ticked:
            volunteer_id, _sep, part_id = value.partition(":")
            try:
                volunteer, part = read_whole_number(volunteer_id, 1), read_whole_number(part_id, 1)
            except ValueError:
                return None
            if volunteer is None or part is None:
                return None
            if (volunteer, part) not in pairs:
                pairs.append((volunteer, part))
        return pairs


class VersionForm(CommandForm):
    """A post that changes one row: the version the page showed (None when missing or garbled)."""

    version = VersionField()


class SettingsForm(CommandForm):
    """A district's limits, each a whole number within its bounds (SETTING_RANGES)."""

    max_per_part = WholeNumberField()
    offer_expiry_hours = WholeNumberField()
    daily_hour_cap = WholeNumberField()

    def chosen(self) -> tuple[dict, dict]:
        """The limits typed, and a message for each that is not within its bounds."""
        chosen, errors = {}, {}
        for name, (low, high) in SETTING_RANGES.items():
            value = getattr(self, name).data
            if value is None or not low <= value <= high:
                errors[name] = _(
                    "Give a whole number from %(low)s to %(high)s.", low=number(low), high=number(high)
                )
            chosen[name] = value
        return chosen, errors

    @property
    def sent(self) -> dict:
        return {name: _text(getattr(self, name)) for name in SETTING_RANGES}


class AttendanceForm(CommandForm):
    """The BLO says whether the volunteer came today: "1" came, "0" did not."""

    came = StringField()

    @property
    def answered(self) -> bool:
        return self.came.data in ("0", "1")

    @property
    def came_today(self) -> bool:
        return self.came.data == "1"


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
