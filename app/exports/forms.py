"""What a person posts to the exports: the whole state's part-level table to build on the queue."""

from __future__ import annotations

from wtforms import HiddenField

from app.forms import Form


class ExportJobForm(Form):
    """The table (parts or calls), the format and the day of an export to prepare: the route refuses
    a table or a format not offered and a day not read by parse_day, with the same messages."""

    class Meta(Form.Meta):
        csrf = False  # checked for every post by CSRFProtect

    table = HiddenField()
    fmt = HiddenField()
    date = HiddenField()
