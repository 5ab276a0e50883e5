"""What people type into addresses: ids, page numbers, days and `next` links.

Anything out of range is refused here with a 404 or a 400 and the usual error page, before it can
reach the database (SQLite cannot bind an integer above 2**63) or date arithmetic (year 1 has no
day before it). Lists read their query string through app/lists.py, whose form checks with these;
so there is one place to get it right.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from urllib.parse import urlsplit

from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

# The largest PostgreSQL integer: no row has a bigger id, and no page number can be larger.
MAX_ID = 2**31 - 1
# The days the app can have figures for; outside them a date is a typing error.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


class IdConverter(IntegerConverter):
    """`<int:...>` with ASCII digits only and at most MAX_ID; anything else is a 404."""

    regex = r"[0-9]+"

    def __init__(
        self, url_map, fixed_digits: int = 0, min: int | None = None, max: int = MAX_ID, signed=False
    ):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=False)


def bad_value_message(name: str, value: str) -> str:
    return _("“%(value)s” is not a valid %(name)s.", value=value[:20], name=name)


class BadArgument(BadRequest):
    """A query parameter that cannot be what it names; the message says which one and why."""

    def __init__(self, name: str = "", value: str = "", message: str | None = None):
        super().__init__()
        self.message = message or bad_value_message(name, value)


def parse_whole_number(text: str, minimum: int = 1) -> int:
    """ASCII digits from `minimum` to MAX_ID; ValueError otherwise (also for a thousand digits,
    which int() itself would refuse only after the work)."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        raise ValueError(text)
    number = int(text)
    if not minimum <= number <= MAX_ID:
        raise ValueError(text)
    return number


def parse_iso_day(text: str) -> date:
    """A YYYY-MM-DD day in ASCII digits between FIRST_DAY and LAST_DAY; ValueError otherwise."""
    text = text.strip()
    if not _ISO_DAY.fullmatch(text):
        raise ValueError(text)
    day = date.fromisoformat(text)
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(text)
    return day


def local_path(target: str | None) -> str | None:
    """A path on this site to go to next, or None: never another site, never a control character.

    A CR or LF would otherwise reach the Location header and fail only after the change was saved.
    """
    if not target or any(unicodedata.category(ch)[0] in "CZ" and ch != " " for ch in target):
        return None
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return None
    return target
