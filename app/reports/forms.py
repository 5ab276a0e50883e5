"""What a reporter posts: a part's figures for a day, as typed, and what the form says beside them.

The figures stay text here: a refused form comes back exactly as typed, and reading them as whole
numbers, with the rules, is the services' part (read_figures, unreadable, submit_report). Every
field is cut to a bound first, so a pasted essay is cut, then refused. The field names are those
the report form, the live check, the conflict page and the phone's offline queue post.
"""

from __future__ import annotations

from flask import request
from wtforms import HiddenField, StringField

from app.figures.models import FIGURES
from app.forms import Form

FIGURE_LENGTH = 20
REASON_LENGTH = 1000
DIGEST_LENGTH = 64


class TypedText(StringField):
    """Text as typed, cut to `length` characters; "" when the post does not hold it."""

    def __init__(self, label=None, validators=None, length: int = FIGURE_LENGTH, **kwargs):
        kwargs.setdefault("default", "")
        super().__init__(label, validators, **kwargs)
        self.length = length

    def process_formdata(self, valuelist):
        self.data = valuelist[0][: self.length] if valuelist else ""


class ReportForm(Form):
    """One part's report for one day: the figures (one field each, named as in FIGURES), the reason
    for a lowered figure, the day, the stamp of the day's report the form showed (`report_seen`),
    the digest of the check it showed (`check_shown`) and, on the conflict page, `override`."""

    class Meta(Form.Meta):
        csrf = False  # checked for every post by CSRFProtect

    correction_reason = TypedText(length=REASON_LENGTH, filters=[str.strip])
    check_shown = TypedText(length=DIGEST_LENGTH)
    report_date = HiddenField()
    report_seen = HiddenField()
    override = HiddenField()

    @classmethod
    def read(cls) -> ReportForm:
        """The post on a POST; on a GET, the query string (which may ask for a day)."""
        return cls(formdata=request.form if request.method == "POST" else request.args)

    def figures_as_typed(self) -> dict[str, str]:
        return {name: self[name].data for name in FIGURES}

    def posted(self) -> tuple[dict[str, str], str]:
        """The figures and the reason as typed (bounded)."""
        return self.figures_as_typed(), self.correction_reason.data

    @property
    def overriding(self) -> bool:
        """The sender chose their figures over another person's, on the conflict page."""
        return self.override.data == "1"


for _name in FIGURES:
    setattr(ReportForm, _name, TypedText(length=FIGURE_LENGTH))
del _name
