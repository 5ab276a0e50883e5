"""What people send to the difficulties, read by Flask-WTF forms: a difficulty raised in three taps,
an action of the workflow (with the version the page showed), the board's bulk assign, the notices
marked read and a district's routing.

A form reads and says which field is wrong; the rules themselves live in services.py. The posts of
the workflow, the board and the notices are already checked against CSRF by the app's CSRFProtect
(their pages send the token in a header), so those forms leave it to it, as before.
"""

from __future__ import annotations

import re
import secrets
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field, HiddenField, RadioField, StringField, TextAreaField

from app.difficulties import labels, services, workflow
from app.difficulties.models import Category, Level
from app.difficulties.services import ActionInput
from app.difficulties.workflow import Action
from app.formatting import number
from app.forms import Form, PhotoField, VersionField, WholeNumberField, ascii_digits, read_whole_number
from app.inputs import BadArgument
from app.models import Part

_FORM_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}", re.ASCII)


def _typed(field: Field) -> str:
    """What was sent for the field, as typed (stripped), to show it back; "" when nothing was."""
    return (field.raw_data[0] if field.raw_data else "").strip()


class IdField(WholeNumberField):
    """An id the page itself put in the form or the address (a hidden field, a button's value): a
    garbled one is a bad request naming it (400), not a message beside a field."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, minimum=1, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise BadArgument(self.name, (valuelist[0] or "").strip()) from None


# -- raising a difficulty ------------------------------------------------------------------------


class PartForm(Form):
    """The part a difficulty is about: `part_id` on the address, or the one ticked on the form."""

    class Meta(Form.Meta):
        csrf = False

    part_id = IdField()

    @classmethod
    def part_id_in(cls, values) -> int | None:
        """The part id in `values` (the request's values, or the fields a refused upload kept)."""
        return cls(formdata=values).part_id.data


class DifficultyForm(Form):
    """The three taps and the optional text and photo; the rules live in services.validate_new.

    The offline queue sends it as it was filled: the field names (form_token, the
    idempotency_key beside it) are part of what phones keep."""

    form_token = HiddenField()
    part_id = RadioField(_l("Which part"), choices=[], validate_choice=False)
    category = RadioField(
        _l("What is the difficulty?"),
        choices=[(c.value, label) for c, label in labels.HEARD_CATEGORY_LABELS.items()],
        validate_choice=False,
    )
    severity = RadioField(
        _l("How badly does it hit your work?"),
        choices=[(s.value, label) for s, label in labels.TAP_SEVERITY_LABELS.items()],
        validate_choice=False,
    )
    description = TextAreaField(
        _l("A few words (optional)"),
        render_kw={"maxlength": services.DESCRIPTION_MAX_LENGTH, "rows": 2},
        description=_l("Hindi or English, up to 500 characters."),
    )
    photo = PhotoField(_l("A photo (optional)"), render_kw={"accept": "image/*"})
    # "Same problem as #n", the button of a hint.
    duplicate_of_id = IdField()
    # The fields the form shows, each with its errors beside it.
    SHOWN = ("part_id", "category", "severity", "description", "photo")

    def __init__(self, *args, parts: list[Part] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.part_id.choices = [(str(p.id), f"{p.constituency.number}-{p.number}") for p in parts]
        if not self.is_submitted() or not self.form_token.data:
            self.form_token.data = secrets.token_urlsafe(24)

    def token(self) -> str | None:
        return self.form_token.data if _FORM_TOKEN.fullmatch(self.form_token.data or "") else None

    def add_errors(self, errors: dict[str, str]) -> None:
        """Each message beside its field; one about a field the page does not show (the hint's
        duplicate_of_id, a button) above the form."""
        for name, message in errors.items():
            field = getattr(self, name, None) if name in self.SHOWN else None
            (field.errors if field is not None else self.form_errors).append(message)

    def new_difficulty(self, severity: str | None, photo) -> services.NewDifficulty:
        """What the service saves: the taps, with the severity settled by the caller."""
        return services.NewDifficulty(
            category=self.category.data,
            severity=severity,
            description=self.description.data,
            duplicate_of_id=self.duplicate_of_id.data,
            form_token=self.token(),
            photo=photo,
        )


# -- an action of the workflow -------------------------------------------------------------------


class DifficultyNumberField(WholeNumberField):
    """The number of another difficulty, as the page shows it ("#12") or bare; None when garbled."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, minimum=1, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata([(value or "").strip().lstrip("#") for value in valuelist])


class ActionForm(Form):
    """A tap of the workflow (acknowledge, start work, wait, resume, confirm): the version of the
    difficulty the page showed, and a note written or picked from the response templates."""

    class Meta(Form.Meta):
        csrf = False

    version = VersionField()
    note = TextAreaField(render_kw={"maxlength": services.NOTE_MAX_LENGTH})
    template = StringField()

    def sent(self) -> dict[str, str]:
        """What was typed and picked, as typed, for the page to show it back when refused."""
        return {name: _typed(field) for name, field in self._fields.items() if name != "version"}

    def problems(self) -> dict[str, str]:
        """{field: message} for what cannot even be read; the service checks the rest."""
        if self.version.data is None:
            return {
                "version": _("This form has lost track of the difficulty's version: open the page again.")
            }
        return {}

    def action_input(self, category: Category, officer: bool = True) -> ActionInput:
        """The note typed, else the text of the template picked (the officers' templates: only an
        officer's pick counts), with the version."""
        sent = self.sent()
        picked = labels.response_text(category, sent["template"] or None) if officer else ""
        note = sent["note"] or picked
        return ActionInput(note=note, version=self.version.data, **self.details())

    def details(self) -> dict:
        """What an action asks for beyond the note: none for a tap."""
        return {}


class CommentForm(ActionForm):
    """A comment on the timeline: the note is the comment (required, by the service)."""


class ReopenForm(ActionForm):
    """The reporter says it is not fixed: the note is the reason, shorter than a note."""

    note = TextAreaField(render_kw={"maxlength": workflow.REOPEN_REASON_MAX})


class MarkDuplicateForm(ActionForm):
    """ "Same problem as #n": the difficulty this one repeats."""

    duplicate_of_id = DifficultyNumberField()

    def problems(self) -> dict[str, str]:
        found = super().problems()
        if _typed(self.duplicate_of_id) and self.duplicate_of_id.data is None:
            found["duplicate_of_id"] = _("Give the number of the difficulty it repeats.")
        return found

    def details(self) -> dict:
        return {"duplicate_of_id": self.duplicate_of_id.data}


class ResolveForm(MarkDuplicateForm):
    """How it was resolved and what was done; a duplicate names the difficulty it repeats."""

    resolution = StringField()

    def details(self) -> dict:
        return {**super().details(), "resolution": _typed(self.resolution) or None}


class AssignForm(ActionForm):
    """Whom to give it to; a garbled choice is no choice, which the service names."""

    assignee_id = WholeNumberField(minimum=1)

    def details(self) -> dict:
        return {"assignee_id": self.assignee_id.data}


ACTION_FORMS: dict[Action, type[ActionForm]] = {
    Action.COMMENT: CommentForm,
    Action.REOPEN: ReopenForm,
    Action.MARK_DUPLICATE: MarkDuplicateForm,
    Action.RESOLVE: ResolveForm,
    Action.ASSIGN: AssignForm,
}


def action_form(action: Action) -> ActionForm:
    """The posted form of the action, read."""
    return ACTION_FORMS.get(action, ActionForm)()


# -- the board's bulk assign and the notices -----------------------------------------------------


class RowVersionsField(Field):
    """The ticked rows of the board, each "id:version"; None when one is not of that form."""

    def process_formdata(self, valuelist):
        chosen = []
        for value in valuelist:
            difficulty_id, _sep, version = value.partition(":")
            try:
                pair = (read_whole_number(difficulty_id, 1), read_whole_number(version, 1))
            except ValueError:
                pair = (None, None)
            if None in pair:
                self.data = None
                return
            chosen.append(pair)
        self.data = chosen


class BulkAssignForm(Form):
    """Hand the ticked difficulties, each at the version the board showed, to one officer."""

    class Meta(Form.Meta):
        csrf = False

    ids = RowVersionsField()
    assignee_id = WholeNumberField(minimum=1)

    def problems(self) -> list[str]:
        found = []
        if not self.ids.data:
            found.append(_("Tick the difficulties to assign."))
        if self.assignee_id.data is None:
            found.append(_("Choose whom to give them to."))
        return found


class IdsField(Field):
    """Ids sent as one field each; None when one of them is not an id."""

    def process_formdata(self, valuelist):
        found = []
        for value in valuelist:
            try:
                found.append(read_whole_number(value, 1))
            except ValueError:
                found.append(None)
        self.data = None if None in found else found


class NoticesForm(Form):
    """The notices to mark read: those ticked, or, with none ticked, all of them."""

    class Meta(Form.Meta):
        csrf = False

    ids = IdsField(name="id", default=list)


# -- a district's routing ------------------------------------------------------------------------

ROUTE_LEVELS = (Level.SUPERVISOR, Level.ERO, Level.COLLECTOR)
MAX_ACKNOWLEDGE_HOURS = 72
MAX_RESOLVE_HOURS = 24 * 30


def _hours(text: str) -> float | None:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


class DistrictForm(Form):
    """The district the state office reads the routing of (`district_id` on the address); a garbled
    one is none."""

    class Meta(Form.Meta):
        csrf = False

    district_id = WholeNumberField(minimum=1)


class RoutingForm(Form):
    """Each category's first owner and its hours to acknowledge and to resolve, as typed: fields
    named "<category>-first_level", "<category>-acknowledge" and "<category>-resolve"."""

    class Meta(Form.Meta):
        csrf = False

    def typed(self, category: Category, name: str) -> str:
        return self[f"{category.value}-{name}"].data or ""

    def routes(self) -> tuple[dict, dict]:
        """Each category's choice (level, hours to acknowledge, hours to resolve), and the messages
        of what is wrong with it."""
        chosen, errors = {}, {}
        for category in Category:
            level = self.typed(category, "first_level")
            acknowledge = _hours(self.typed(category, "acknowledge"))
            resolve = _hours(self.typed(category, "resolve"))
            if level not in {lv.value for lv in ROUTE_LEVELS}:
                errors[f"{category.value}-first_level"] = _("Choose who gets it first.")
            problem = _acknowledge_problem(acknowledge)
            if problem:
                errors[f"{category.value}-acknowledge"] = problem
            problem = _resolve_problem(acknowledge, resolve)
            if problem:
                errors[f"{category.value}-resolve"] = problem
            chosen[category] = (level, acknowledge, resolve)
        return chosen, errors


def _acknowledge_problem(acknowledge: float | None) -> str | None:
    if acknowledge is None or round(acknowledge * 60) < 1:
        return _("Give a number of hours above 0.")
    if acknowledge > MAX_ACKNOWLEDGE_HOURS:
        return _("At most %(hours)s hours to acknowledge.", hours=number(MAX_ACKNOWLEDGE_HOURS))
    return None


def _resolve_problem(acknowledge: float | None, resolve: float | None) -> str | None:
    if resolve is None or round(resolve * 60) < 1:
        return _("Give a number of hours above 0.")
    if resolve > MAX_RESOLVE_HOURS:
        return _("At most %(hours)s hours to resolve.", hours=number(MAX_RESOLVE_HOURS))
    if acknowledge is not None and resolve <= acknowledge:
        return _("The time to resolve must be longer than the time to acknowledge.")
    return None


for _category in Category:
    for _name in ("first_level", "acknowledge", "resolve"):
        setattr(RoutingForm, f"{_category.value}-{_name}", StringField())


# -- a district's working hours and holidays -----------------------------------------------------

_CLOCK_TIME = re.compile(r"([0-9]{1,2})[:.]([0-9]{2})")
_DAY_FIRST = re.compile(r"([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})")
HOLIDAY_NAME_MAX = 120


def read_clock_time(text: str) -> int | None:
    """ "10:00", "9.30", "१०:००" or "24:00" as minutes after midnight; None when it is none of these."""
    match = _CLOCK_TIME.fullmatch(ascii_digits(text.strip()))
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2])
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        return None
    return hour * 60 + minute


def read_day(text: str) -> date | None:
    """A date as the date picker sends it (2025-11-24) or as typed day first (24-11-2025)."""
    text = ascii_digits(text.strip())
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    match = _DAY_FIRST.fullmatch(text)
    if match is None:
        return None
    try:
        return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None


class TextsField(Field):
    """A field sent several times (one per row), each value stripped, in order."""

    def process_formdata(self, valuelist):
        self.data = [(value or "").strip() for value in valuelist]

    def _value(self):
        return ""


class WorkingHoursForm(Form):
    """When the district's office works: opening and closing time, the weekdays worked, and its
    holidays (one row each: its date, its name, and a tick to take it off)."""

    class Meta(Form.Meta):
        csrf = False

    opens = StringField()
    closes = StringField()
    weekdays = TextsField()
    holiday_day = TextsField()
    holiday_name = TextsField()
    remove = TextsField()

    def typed(self) -> dict:
        """What was sent, as typed, to show it back when refused."""
        days, names = self.holiday_day.data or [], self.holiday_name.data or []
        return {
            "opens": (self.opens.data or "").strip(),
            "closes": (self.closes.data or "").strip(),
            "weekdays": set(self.weekdays.data or []),
            "holidays": [
                (day, names[i] if i < len(names) else "", day in (self.remove.data or []))
                for i, day in enumerate(days)
            ],
        }

    def working_time(self) -> tuple[services.WorkingTime | None, dict[str, str]]:
        """The working time sent, and the message of each field that is wrong."""
        errors: dict[str, str] = {}
        opens = read_clock_time(self.opens.data or "")
        closes = read_clock_time(self.closes.data or "")
        if opens is None or opens >= 24 * 60:
            errors["opens"] = _("Give the time as hours and minutes, e.g. 10:00.")
        if closes is None or closes == 0:
            errors["closes"] = _("Give the time as hours and minutes, e.g. 18:00 (24:00 for midnight).")
        elif opens is not None and closes <= opens:
            errors["closes"] = _("The office must close after it opens.")
        weekdays = {int(d) for d in self.weekdays.data or [] if d in {"1", "2", "3", "4", "5", "6", "7"}}
        if not weekdays:
            errors["weekdays"] = _("Tick at least one working day.")
        holidays, problem = self._holidays()
        if problem:
            errors["holidays"] = problem
        if errors:
            return None, errors
        return services.WorkingTime(opens, closes, frozenset(weekdays), holidays), {}

    def _holidays(self) -> tuple[dict, str | None]:
        removed = set(self.remove.data or [])
        names = self.holiday_name.data or []
        found: dict = {}
        for i, typed in enumerate(self.holiday_day.data or []):
            name = names[i] if i < len(names) else ""
            if typed in removed or (not typed and not name):
                continue
            day = read_day(typed)
            if day is None:
                return found, _("Give each holiday's date, e.g. 2025-11-24.")
            if len(name) > HOLIDAY_NAME_MAX:
                return found, _(
                    "Keep a holiday's name to %(count)s characters.", count=number(HOLIDAY_NAME_MAX)
                )
            found[day] = name
        return found, None
