"""What people send to the inspection pages, read by one form each: the day being planned (its
suggestions follow what is typed), a change of the plan (move a stop, the shortest order, cancel),
the district's settings, a visit at the booth, a skipped stop, the finished day, and the coverage
page's controls.

Counts, ids, versions, positions and photos go through the shared fields of app/forms.py: Latin or
Devanagari digits, Indian or international grouping, the same refusals everywhere. The app's
CSRFProtect checks every post before a view runs, so these forms do not check it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from wtforms import Field, FloatField, HiddenField, StringField, TextAreaField
from wtforms.validators import ValidationError

from app import photos, uploads
from app.figures.rules import elector_tolerance
from app.forms import CoordinateField, Form, PhotoField, VersionField, WholeNumberField, read_whole_number
from app.inputs import parse_iso_day
from app.inspections import rules, services
from app.inspections.figures import MAX_DAYS
from app.inspections.labels import YES_NO
from app.lists import ListForm
from app.lists import WholeNumberField as ListNumberField
from app.models import Part

SAMPLE_FIELDS = ("households_sampled", "households_confirmed", "asd_sampled", "asd_confirmed")
# A visit opened longer ago than this is not its arrival time any more (the page sat in a pocket).
ARRIVAL_WITHIN = timedelta(hours=14)


def typed(field: Field) -> str:
    """What was typed in the field, as sent ("" when nothing was)."""
    return str(field.raw_data[0]) if field.raw_data else ""


class InspectionForm(Form):
    class Meta(Form.Meta):
        csrf = False  # checked app-wide (CSRFProtect) before the view


class VersionForm(InspectionForm):
    """A change of a row the page showed at a version (the plan's, a stop's): optimistic locking."""

    version = VersionField()

    @property
    def sent_version(self) -> int | None:
        """The version the page showed; None when it is missing or garbled (rows start at 1)."""
        return self.version.data or None


# -- the plan --------------------------------------------------------------------------------------


class WholeNumbersField(Field):
    """Ticked boxes of one name, each a whole number: in the order sent, each once, anything not a
    whole number from 1 dropped."""

    def process_formdata(self, valuelist):
        self.data = []
        for text in valuelist:
            try:
                number = read_whole_number(text, 1)
            except ValueError:
                continue
            if number is not None and number not in self.data:
                self.data.append(number)

    def process_data(self, value):
        self.data = list(value or [])


class LastValueSwitch(Field):
    """A switch with a hidden "0" before its box: the last value sent is the box's when ticked. On
    when nothing was sent at all (the page's first opening)."""

    def process_formdata(self, valuelist):
        self.data = (valuelist or ["1"])[-1] == "1"

    def process_data(self, value):
        self.data = True if value is None else bool(value)


class PlanForm(InspectionForm):
    """The day being planned, sent as the page's controls change (GET) and to save it (POST). What
    cannot be used is said beside it by pages_planning.Where; the service checks the rest."""

    day = StringField()
    inspector_id = WholeNumberField(minimum=1)
    start = StringField()
    start_lat = CoordinateField(limit=180)
    start_lon = CoordinateField(limit=180)
    start_label = StringField()
    radius_km = WholeNumberField(minimum=0)
    return_to_start = LastValueSwitch()
    note = TextAreaField()
    part_id = WholeNumbersField()
    add = WholeNumberField(minimum=1)
    remove = WholeNumberField(minimum=1)
    q = StringField()
    form_token = HiddenField()

    @property
    def ticked(self) -> list[int]:
        """The parts ticked, with the one added and without the one removed by the last tap."""
        ticked = list(self.part_id.data or [])
        if self.add.data is not None and self.add.data not in ticked:
            ticked.append(self.add.data)
        if self.remove.data in ticked:
            ticked.remove(self.remove.data)
        return ticked

    @property
    def searched(self) -> str:
        return (self.q.data or "").strip()[:80]


class MoveForm(VersionForm):
    """One stop up or down."""

    direction = StringField()

    @property
    def step(self) -> int | None:
        return {"up": -1, "down": 1}.get(self.direction.data or "")


class SettingsForm(InspectionForm):
    """The district's settings: whole numbers (the service says which are out of bounds) and the
    switch that lets BLOs see the visits planned to their parts."""

    road_speed_kmh = WholeNumberField(minimum=0)
    road_factor_percent = WholeNumberField(minimum=0)
    figure_threshold_percent = WholeNumberField(minimum=0)
    sample_threshold_percent = WholeNumberField(minimum=0)
    suggest_radius_km = WholeNumberField(minimum=0)
    stale_after_days = WholeNumberField(minimum=0)
    blos_see_visits = StringField()

    def values(self) -> dict:
        """The service's input: each setting's number (None when not a whole number), the switch."""
        values = {name: self[name].data for name in services.SETTING_LIMITS}
        values["blos_see_visits"] = self.blos_see_visits.data == "1"
        return values

    def sent(self) -> dict[str, str]:
        """The numbers as typed, to show again beside the service's messages."""
        return {name: typed(self[name])[:10] for name in services.SETTING_LIMITS}


# -- the visit -------------------------------------------------------------------------------------


class YesNoField(Field):
    """A yes/no pair of radio buttons: None when neither was chosen."""

    def process_formdata(self, valuelist):
        self.data = None
        text = valuelist[0] if valuelist else ""
        if not text:
            return
        if text not in ("yes", "no"):
            raise ValueError(_("Choose yes or no."))
        self.data = text == "yes"


class PhotosField(PhotoField):
    """Up to services.MAX_PHOTOS photos of one name; each is checked by app/photos.py when kept."""

    def process_formdata(self, valuelist):
        self.data = [item for item in valuelist if getattr(item, "filename", "")]


class SkipForm(VersionForm):
    """Pass a stop by, with the reason."""

    skip_reason = TextAreaField()

    @property
    def reason(self) -> str:
        return (self.skip_reason.data or "")[: services.SKIP_REASON_MAX + 1]


@dataclass
class SentVisit:
    """What the visit form sent: the service's input, the values to show again, the messages."""

    data: services.VisitInput
    sent: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    action_rows: list[int] = field(default_factory=list)  # the form's row number of each action sent
    arrived_at: datetime | None = None
    photo_count: int = 0
    photo_refused: str | None = None  # a PhotoError's code: too_large answers 413, the others 422

    def add(self, errors: dict[str, str]) -> None:
        """The service's messages, its action numbers turned back into the form's rows; the
        form's own messages (a word in a number) stand before the service's."""
        for key, message in errors.items():
            if key.startswith("action_"):
                n, _sep, rest = key[len("action_") :].partition("_")
                if n.isdigit() and 0 < int(n) <= len(self.action_rows):
                    key = f"action_{self.action_rows[int(n) - 1]}_{rest}"
            self.errors.setdefault(key, str(message))
        if self.photo_count and "photos" not in self.errors:
            self.errors["photos"] = _("Choose the photos again: a form sent back does not keep them.")


ACTION_ROWS = range(1, services.MAX_ACTIONS + 2)  # one past the limit: the service says "at most"


class VisitForm(VersionForm):
    """The inspector's form at the booth. The counts are bounded by the part: its electors and the
    tolerance the figures allow (rules.MAX_FIGURE when its electors are not known)."""

    distributed = WholeNumberField(minimum=0, maximum=rules.MAX_FIGURE)
    collected = WholeNumberField(minimum=0, maximum=rules.MAX_FIGURE)
    digitized = WholeNumberField(minimum=0, maximum=rules.MAX_FIGURE)
    households_sampled = WholeNumberField(minimum=0, maximum=rules.MAX_SAMPLE)
    households_confirmed = WholeNumberField(minimum=0, maximum=rules.MAX_SAMPLE)
    asd_sampled = WholeNumberField(minimum=0, maximum=rules.MAX_SAMPLE)
    asd_confirmed = WholeNumberField(minimum=0, maximum=rules.MAX_SAMPLE)
    blo_present = YesNoField()
    id_card_shown = YesNoField()
    forms_in_stock = YesNoField()
    help_desk = YesNoField()
    blas_present = YesNoField()
    network = StringField()
    mapping = StringField()
    latitude = CoordinateField(limit=90)
    longitude = CoordinateField(limit=180)
    accuracy_m = FloatField()  # the phone's accuracy (indoors it may say several hundred metres)
    notes = TextAreaField()
    opened_at = StringField()
    photos = PhotosField()

    def __init__(self, *args, part: Part, **kwargs):
        self.high = part.electors + elector_tolerance(part.electors) if part.electors else rules.MAX_FIGURE
        super().__init__(*args, **kwargs)

    def process(self, *args, **kwargs):
        for name in rules.FIGURES:
            self[name].maximum = self.high
        super().process(*args, **kwargs)

    def read(self, now: datetime) -> SentVisit:
        """The service's input with the form's own messages (a word in a number, a photo that cannot
        be kept) and what to show again; the photos are read and made safe here."""
        self.validate()
        checked = (*rules.FIGURES, *SAMPLE_FIELDS, *YES_NO)
        errors = {name: str(self[name].errors[0]) for name in checked if self[name].errors}
        kept, photo_refused = self._photos(errors)
        actions, rows = self._actions()
        data = services.VisitInput(
            **self._position(),
            network=self.network.data or None,
            mapping=self.mapping.data or None,
            verified={name: self[name].data for name in rules.FIGURES},
            notes=self.notes.data or "",
            photos=tuple(kept),
            actions=tuple(actions),
            **{name: self[name].data for name in YES_NO},
            **{name: self[name].data for name in SAMPLE_FIELDS},
        )
        sent_files = len(self.photos.data or [])
        return SentVisit(data, self._sent(), errors, rows, self._arrived_at(now), sent_files, photo_refused)

    def _sent(self) -> dict[str, str]:
        """The values typed, to fill the form again: numbers cut short, the texts whole."""
        sent = {
            name: typed(item)[:40]
            for name, item in self._fields.items()
            if name != "photos" and item.raw_data
        }
        for n in ACTION_ROWS:
            sent[f"action_{n}_what"] = typed(self[f"action_{n}_what"])[: services.ACTION_MAX + 1]
        sent["notes"] = typed(self.notes)[: services.NOTE_MAX + 1]
        return sent

    def _position(self) -> dict:
        """Where the phone was, when it said: nothing usable and the visit goes without it."""
        lat, lon = self.latitude.data, self.longitude.data
        if lat is None or lon is None:
            return {"latitude": None, "longitude": None, "accuracy_m": None}
        accuracy = self.accuracy_m.data
        if accuracy is not None and not 0 <= accuracy <= 100_000:  # NaN fails both comparisons
            accuracy = None
        return {"latitude": lat, "longitude": lon, "accuracy_m": accuracy}

    def _actions(self) -> tuple[list[services.ActionInput], list[int]]:
        """The action items filled in, and the form's row of each."""
        actions, rows = [], []
        for n in ACTION_ROWS:
            what = typed(self[f"action_{n}_what"]).strip()
            owner, due = typed(self[f"action_{n}_owner"]), typed(self[f"action_{n}_due"])
            if not (what or owner or due):
                continue
            try:
                due_on = parse_iso_day(due) if due else None
            except ValueError:
                due_on = None
            actions.append(services.ActionInput(what, self[f"action_{n}_owner"].data, due_on))
            rows.append(n)
        return actions, rows

    def _photos(self, errors: dict[str, str]) -> tuple[list[photos.Photo], str | None]:
        """The photos made safe to keep; the first one that cannot be kept stops the reading."""
        sent_files = self.photos.data or []
        if len(sent_files) > services.MAX_PHOTOS:
            errors["photos"] = _("At most %(count)s photos.", count=services.MAX_PHOTOS)
            return [], None
        kept = []
        for n, upload in enumerate(sent_files, start=1):
            try:
                kept.append(photos.process_photo(upload.stream.read(photos.MAX_UPLOAD_BYTES + 1)))
            except photos.PhotoError as error:
                errors["photos"] = _(
                    "Photo %(number)s (%(name)s): %(message)s",
                    number=n,
                    name=upload.filename[:60],
                    message=uploads.photo_message(error),
                )
                return kept, error.code
        return kept, None

    def _arrived_at(self, now: datetime) -> datetime | None:
        """When the page was opened, if that was lately: the inspector's arrival at the booth."""
        try:
            opened = datetime.fromisoformat((self.opened_at.data or "")[:32])
        except ValueError:
            return None
        if opened.tzinfo is None and now - ARRIVAL_WITHIN <= opened <= now:
            return opened
        return None


for _n in ACTION_ROWS:
    setattr(VisitForm, f"action_{_n}_what", StringField())
    setattr(VisitForm, f"action_{_n}_owner", WholeNumberField(minimum=1))
    setattr(VisitForm, f"action_{_n}_due", StringField())


# -- the coverage page -------------------------------------------------------------------------------


class CoverageForm(ListForm):
    """The coverage page's controls: the district or AC, and the window in days (1 to 90)."""

    days = ListNumberField(minimum=1)

    def validate_days(self, field) -> None:
        if field.data is not None and field.data > MAX_DAYS:
            raise ValidationError(_("Choose a number of days from 1 to %(days)s.", days=MAX_DAYS))
