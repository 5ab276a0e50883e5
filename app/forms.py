"""The base of every form, so that WTForms' own messages follow the reader's language too.

WTForms ships no Hindi: "This field is required." and the like stayed English on Hindi pages.
Here they are looked up in our catalogue instead; a message not listed stays as WTForms wrote it.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

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
