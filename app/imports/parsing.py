"""Reading an uploaded CSV or XLSX of part figures into typed rows. No database here.

The file is read by app/spreadsheets.py (its formats, its header row, the error list); here are
the figures' columns with their aliases in English and Hindi, and their cells. Cells are converted
one by one and every problem is kept with its spreadsheet row number, so that the person can fix
the whole file at once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask_babel import gettext as _

from app.figures.models import FIGURES
from app.forms import read_whole_number
from app.spreadsheets import (
    CellError,
    ErrorList,
    ImportFileError,
    date_cell,
    header_columns,
    is_blank,
    normalize,
    read_header,
    shown,
    table_rows,
)

MAX_ROWS = 250_000
MAX_REASON = 300
LARGEST_NUMBER = 10_000_000
PROGRESS_EVERY = 5000

# Column → its names in files, English first, then Hindi. The first alias is the sample file's header.
COLUMNS: dict[str, tuple[str, ...]] = {
    "ac_number": (
        "AC number",
        "ac",
        "ac no",
        "ac num",
        "ac number",
        "assembly constituency number",
        "विधानसभा क्रमांक",
        "वि.स. क्र.",
        "विधानसभा क्र.",
        "विधानसभा संख्या",
    ),
    "part_number": (
        "Part number",
        "part",
        "part no",
        "part num",
        "ps no",
        "polling station number",
        "भाग क्रमांक",
        "भाग संख्या",
        "भाग क्र.",
    ),
    "report_date": ("Date", "report date", "as on", "दिनांक", "तिथि", "दिनाँक"),
    "distributed": ("Distributed", "efs distributed", "forms distributed", "वितरित"),
    "collected": ("Collected", "efs collected", "forms collected", "एकत्रित", "संग्रहित"),
    "digitized": (
        "Digitized",
        "digitised",
        "efs digitized",
        "efs digitised",
        "डिजिटाइज्ड",
        "डिजिटाइज़्ड",
        "डिजिटाइज",
        "डिजिटाइज़",
    ),
    "mapped_self": ("Mapped self", "self mapped", "mapping self", "स्वयं मैप्ड", "मैपिंग: स्वयं"),
    "mapped_progeny": (
        "Mapped progeny",
        "progeny mapped",
        "mapping progeny",
        "संतति मैप्ड",
        "मैपिंग: संतति",
    ),
    "unmapped": ("Unmapped", "not mapped", "अनमैप्ड", "मैप नहीं"),
    "asd_absent": ("ASD absent", "absent", "अनुपस्थित", "एएसडी: अनुपस्थित"),
    "asd_shifted": ("ASD shifted", "shifted", "स्थानांतरित", "एएसडी: स्थानांतरित"),
    "asd_dead": ("ASD dead", "dead", "मृत", "एएसडी: मृत"),
    "asd_duplicate": ("ASD duplicate", "duplicate", "दोहरी प्रविष्टि", "एएसडी: दोहरी प्रविष्टि"),
    "reason": ("Reason", "correction reason", "कारण", "सुधार का कारण"),
}
# Hindi header shown beside the English one when a column is missing.
HINDI_NAMES = {
    "ac_number": "विधानसभा क्रमांक",
    "part_number": "भाग क्रमांक",
    "report_date": "दिनांक",
    "distributed": "वितरित",
    "collected": "एकत्रित",
    "digitized": "डिजिटाइज्ड",
    "mapped_self": "स्वयं मैप्ड",
    "mapped_progeny": "संतति मैप्ड",
    "unmapped": "अनमैप्ड",
    "asd_absent": "अनुपस्थित",
    "asd_shifted": "स्थानांतरित",
    "asd_dead": "मृत",
    "asd_duplicate": "दोहरी प्रविष्टि",
    "reason": "कारण",
}
REQUIRED = tuple(name for name in COLUMNS if name != "reason")
SAMPLE_HEADERS = [aliases[0] for aliases in COLUMNS.values()]


ALIASES: dict[str, str] = {}
for _name, _aliases in COLUMNS.items():
    ALIASES[normalize(_name)] = _name
    for _alias in _aliases:
        ALIASES[normalize(_alias)] = _name


def column_title(name: str) -> str:
    return f"{COLUMNS[name][0]} / {HINDI_NAMES[name]}"


@dataclass(slots=True)
class ParsedRow:
    """One data row whose cells could all be read (figures None when a figure cell could not)."""

    row: int
    ac_number: int | None
    part_number: int | None
    report_date: date | None
    figures: dict[str, int] | None
    reason: str | None


@dataclass
class ParsedFile:
    rows: list[ParsedRow]
    errors: ErrorList
    headers: dict[str, str]  # column → its header as written in the file
    total_rows: int


# -- cells ----------------------------------------------------------------------------------

_WHOLE_DECIMAL = re.compile(r"^\d+\.0*$")
_NEGATIVE = re.compile(r"^[-−]\s*\d+(?:\.\d*)?$")
_FRACTION = re.compile(r"^\d*\.\d+$")


def whole_number(value: Any) -> int:
    """A count written in a cell: 1234, "1234", "1,234", "१२३४" or 1234.0; never text, a fraction or < 0."""
    kind = type(value)
    if (kind is str and value.isdecimal()) or kind is int:  # the common cells, first and fast
        number = int(value)
        if 0 <= number <= LARGEST_NUMBER:
            return number
    return _whole_number(value)


def _whole_number(value: Any) -> int:
    if is_blank(value):
        raise CellError(_("Empty: enter a number (0 if none)."))
    if isinstance(value, bool) or isinstance(value, (datetime, date)):
        raise CellError(_("Not a number: “%(value)s”.", value=shown(value)))
    if isinstance(value, int):
        number = value
    elif isinstance(value, (float, Decimal)):
        if not math.isfinite(value) or value != int(value):
            raise CellError(_("Enter a whole number, not “%(value)s”.", value=shown(value)))
        number = int(value)
    else:
        text = str(value).strip().replace(" ", "")
        if (digits := _digits(text)) is not None:
            number = digits
        elif _WHOLE_DECIMAL.match(text):
            number = int(text.split(".")[0])
        elif _NEGATIVE.match(text):
            raise CellError(_("Cannot be negative."))
        elif _FRACTION.match(text):
            raise CellError(_("Enter a whole number, not “%(value)s”.", value=shown(value)))
        else:
            raise CellError(_("Not a number: “%(value)s”. Enter digits only.", value=shown(value)))
    if number < 0:
        raise CellError(_("Cannot be negative."))
    if number > LARGEST_NUMBER:
        raise CellError(_("Too large: “%(value)s”.", value=shown(value)))
    return number


def _digits(text: str) -> int | None:
    """Digits as every form reads them (Latin or Devanagari, Indian or international grouping:
    app/forms.py), or None when the text is something else. Unbounded here: a count too large for a
    cell has its own message."""
    try:
        return read_whole_number(text, 0, 10 ** len(text))
    except ValueError:
        return None


def report_date(value: Any) -> date:
    """The figures' date: any date cell (app/spreadsheets.py), and never blank."""
    if is_blank(value):
        raise CellError(_("Empty: enter the date of the figures."))
    return date_cell(value)


def find_header(cells: Sequence[Any]) -> tuple[dict[str, int], dict[str, str]]:
    """Column → index and column → header text, for the recognised headers of one row."""
    return header_columns(cells, ALIASES, column_title)


def _cell(cells: Sequence[Any], position: int) -> Any:
    return cells[position] if position < len(cells) else None


def parse_file(path: Path, on_progress: Callable[[int], None] | None = None) -> ParsedFile:
    """Read every row; raise ImportFileError when the file as a whole cannot be used."""
    rows_iter = iter(table_rows(path))
    header_row, index, headers = read_header(rows_iter, ALIASES, column_title)
    missing = [name for name in REQUIRED if name not in index]
    if missing:
        raise ImportFileError(
            _(
                "Columns missing: %(columns)s. The first row must name the columns; "
                "download the sample file to see them.",
                columns="; ".join(column_title(name) for name in missing),
            )
        )
    return _read_rows(rows_iter, header_row, index, headers, on_progress)


def _read_rows(
    rows_iter: Iterable[Sequence[Any]],
    header_row: int,
    index: dict[str, int],
    headers: dict[str, str],
    on_progress: Callable[[int], None] | None,
) -> ParsedFile:
    errors = ErrorList()
    rows: list[ParsedRow] = []
    figure_positions = [(name, index[name], headers[name]) for name in FIGURES]
    reason_at = index.get("reason")
    for number, cells in enumerate(rows_iter, start=header_row + 1):
        if all(is_blank(c) for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(max)s rows. Split it into smaller files.", max=f"{MAX_ROWS:,}")
            )
        part = _part_label(cells, index)
        ac_number = _read(cells, index, headers, "ac_number", whole_number, number, errors, part)
        part_number = _read(cells, index, headers, "part_number", whole_number, number, errors, part)
        day = _read(cells, index, headers, "report_date", report_date, number, errors, part)
        figures: dict[str, int] | None = {}
        for name, position, header in figure_positions:  # every cell, to list all their errors
            try:
                figures[name] = whole_number(_cell(cells, position))
            except CellError as error:
                errors.add(number, str(error), header, part)
        if len(figures) != len(FIGURES):
            figures = None
        reason = None
        if reason_at is not None:
            value = _cell(cells, reason_at)
            reason = None if is_blank(value) else str(value).strip()
            if reason and len(reason) > MAX_REASON:
                errors.add(
                    number,
                    _("Too long: at most %(max)s characters.", max=MAX_REASON),
                    headers["reason"],
                    part,
                )
        rows.append(ParsedRow(number, ac_number, part_number, day, figures, reason))
        if on_progress and len(rows) % PROGRESS_EVERY == 0:
            on_progress(len(rows))
    if not rows:
        raise ImportFileError(_("The file has no rows of figures under the header row."))
    return ParsedFile(rows, errors, headers, len(rows))


def _part_label(cells: Sequence[Any], index: dict[str, int]) -> str:
    """ "AC-part" as written in the row, to name the row in messages."""

    def label(value: Any) -> str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return "" if value is None else shown(value)

    ac, part = _cell(cells, index["ac_number"]), _cell(cells, index["part_number"])
    if is_blank(ac) and is_blank(part):
        return ""
    return f"{label(ac)}-{label(part)}"


def _read(cells, index, headers, name, convert, number, errors, part):
    try:
        return convert(_cell(cells, index[name]))
    except CellError as error:
        errors.add(number, str(error), headers[name], part)
        return None
