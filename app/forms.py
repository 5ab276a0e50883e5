"""The base of every form, so that WTForms' own messages follow the reader's language too.

WTForms ships no Hindi: "This field is required." and the like stayed English on Hindi pages.
Here they are looked up in our catalogue instead; a message not listed stays as WTForms wrote it.
"""

from __future__ import annotations

import math
import re
import unicodedata

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import Field, HiddenField
from wtforms.widgets import TextInput

from app.formatting import number as format_number
from app.inputs import MAX_ID
from app.spreadsheets import EXTENSIONS

BUILT_IN_MESSAGES = {
    "This field is required.": _l("This field is required."),
    "Invalid input.": _l("Invalid input."),
    "Not a valid choice.": _l("Not a valid choice."),
    "Invalid Choice: could not coerce.": _l("Not a valid choice."),
    "Not a valid integer value.": _l("Enter a whole number."),
    "Not a valid decimal value.": _l("Enter a number."),
    "Not a valid date value.": _l("Enter a date, like 2025-11-20."),
    "Field must be equal to %(other_name)s.": _l("Field must be equal to %(other_name)s."),
    "Field must be between %(min)d and %(max)d characters long.": _l(
        "Field must be between %(min)d and %(max)d characters long."
    ),
    "Field cannot be longer than %(max)d character.": _l("Field cannot be longer than %(max)d characters."),
    "Field cannot be longer than %(max)d characters.": _l("Field cannot be longer than %(max)d characters."),
    "Field must be at least %(min)d character long.": _l("Field must be at least %(min)d characters long."),
    "Field must be at least %(min)d characters long.": _l("Field must be at least %(min)d characters long."),
    "Number must be between %(min)s and %(max)s.": _l("Number must be between %(min)s and %(max)s."),
    "Number must be at least %(min)s.": _l("Number must be at least %(min)s."),
    "Number must be at most %(max)s.": _l("Number must be at most %(max)s."),
}


class _BuiltInMessages:
    """What WTForms asks for its messages (its `translations` protocol)."""

    def gettext(self, string: str) -> str:
        return str(BUILT_IN_MESSAGES.get(string, string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _BuiltInMessages()


# -- shared fields ---------------------------------------------------------------------------------
# Every whole number, version, coordinate and photo a person sends is read by these, so that "१२",
# "1,00,000" and "12 " mean the same thing on every form and a refusal reads the same everywhere.

_GROUPED = re.compile(r"^[0-9]{1,3}(?:,[0-9]{2})*,[0-9]{3}$|^[0-9]{1,3}(?:,[0-9]{3})+$")


def ascii_digits(text: str) -> str:
    """Devanagari (or any Unicode) decimal digits as ASCII ones: "१२" → "12"."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def read_whole_number(text: str | None, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """A whole number as people type it on a phone, or None when blank.

    Latin or Devanagari digits, spaces, and commas in Indian ("1,00,000") or international
    ("100,000") grouping. ValueError (with the reason as its message) when it is not a whole number
    from `minimum` to `maximum`.
    """
    raw = (text or "").strip()
    if not raw:
        return None
    clean = ascii_digits(raw).replace(" ", "").replace("\u00a0", "")
    if "," in clean:
        if not _GROUPED.match(clean):
            raise ValueError(
                _("“%(value)s” is not a whole number: type the count in digits.", value=raw[:20])
            )
        clean = clean.replace(",", "")
    if not (clean.isascii() and clean.isdigit()):
        raise ValueError(_("“%(value)s” is not a whole number: type the count in digits.", value=raw[:20]))
    if len(clean) > len(str(maximum)) or not minimum <= int(clean) <= maximum:
        raise ValueError(
            _(
                "Enter a whole number from %(low)s to %(high)s.",
                low=format_number(minimum),
                high=format_number(maximum),
            )
        )
    return int(clean)


class _TypedNumberField(Field):
    """A number typed into a text box: a refused form shows back what was typed, not the number."""

    widget = TextInput()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class WholeNumberField(_TypedNumberField):
    """A count or an id typed by a person: see read_whole_number. Blank is None (add DataRequired
    or InputRequired to refuse it); what was typed is shown back when the form is refused."""

    def __init__(self, label=None, validators=None, minimum: int = 0, maximum: int = MAX_ID, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)
        self.minimum = minimum
        self.maximum = maximum

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist:
            return
        try:
            self.data = read_whole_number(valuelist[0], self.minimum, self.maximum)
        except ValueError as error:
            raise ValueError(str(error)) from None


class VersionField(HiddenField):
    """The version of the row the page showed (optimistic locking); None when absent or garbled,
    which the service treats as "compare with nothing" only where it says so."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist:
            try:
                self.data = read_whole_number(valuelist[0], 0, MAX_ID)
            except ValueError:
                self.data = None


class CoordinateField(_TypedNumberField):
    """A latitude or longitude in degrees: Latin or Devanagari digits; None when blank. `limit` is 90
    for a latitude, 180 for a longitude; NaN and infinities are refused."""

    def __init__(self, label=None, validators=None, limit: float = 180.0, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)
        self.limit = limit

    def process_formdata(self, valuelist):
        self.data = None
        raw = (valuelist[0] if valuelist else "") or ""
        raw = raw.strip()
        if not raw:
            return
        try:
            value = float(ascii_digits(raw[:20]))
        except ValueError:
            raise ValueError(_("“%(value)s” is not a position in degrees.", value=raw[:20])) from None
        if not math.isfinite(value) or abs(value) > self.limit:
            raise ValueError(_("“%(value)s” is not a position in degrees.", value=raw[:20]))
        self.data = value


class PhotoField(FileField):
    """An optional photo; its bytes are checked (type and pixel count) by app/photos.py when kept,
    so this field only says whether one was chosen."""

    def process_formdata(self, valuelist):
        self.data = next((item for item in valuelist if getattr(item, "filename", "")), None)


TABLE_TYPES = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TableFileField(FileField):
    """A table to upload and read (app/spreadsheets.py): required, a .csv or .xlsx file; the phone's
    file picker offers those. `label` says what the table holds."""

    def __init__(self, label=None, validators=None, **kwargs):
        validators = [
            FileRequired(message=_l("Choose a file to upload.")),
            FileAllowed(list(EXTENSIONS), message=_l("Upload a .csv or .xlsx file.")),
            *(validators or []),
        ]
        kwargs.setdefault("render_kw", {"accept": TABLE_TYPES})
        super().__init__(label, validators, **kwargs)
