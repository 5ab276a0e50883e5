"""Reading an uploaded CSV or XLSX of part figures into typed rows. No database here.

The header row may name the columns in English or Hindi, in any case and spacing; each
column is found through its aliases. Cells are converted one by one and every problem is
kept with its spreadsheet row number, so that the person can fix the whole file at once.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask_babel import gettext as _

from app.figures.models import FIGURES

MAX_ROWS = 250_000
MAX_ERRORS_KEPT = 1000
MAX_REASON = 300
LARGEST_NUMBER = 10_000_000
PROGRESS_EVERY = 5000
EXTENSIONS = ("csv", "xlsx")

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


class ImportFileError(ValueError):
    """The whole file is refused (unreadable, wrong columns); the message says why."""


class CellError(ValueError):
    """One cell could not be read; the message says what to write instead."""


def normalize(text: Any) -> str:
    """Header text compared without case, punctuation or extra spaces: "AC No." == "ac no"."""
    text = unicodedata.normalize("NFC", str(text or "")).casefold()
    text = re.sub(r"[._:\-/()#*]+", " ", text)
    return " ".join(text.split())


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
class ErrorList:
    """Every problem is counted; the first MAX_ERRORS_KEPT (by row) are kept to be shown."""

    items: list[dict] = field(default_factory=list)
    count: int = 0

    def add(self, row: int, message: str, column: str = "", part: str = "") -> None:
        self.count += 1
        if len(self.items) < MAX_ERRORS_KEPT:
            self.items.append({"row": row, "part": part, "column": column, "message": message})

    def merged(self, other: ErrorList) -> ErrorList:
        items = sorted(self.items + other.items, key=lambda e: e["row"])[:MAX_ERRORS_KEPT]
        return ErrorList(items, self.count + other.count)


@dataclass
class ParsedFile:
    rows: list[ParsedRow]
    errors: ErrorList
    headers: dict[str, str]  # column → its header as written in the file
    total_rows: int


# -- cells ----------------------------------------------------------------------------------

_GROUPED = re.compile(r"^\d{1,3}(?:,\d{2})*,\d{3}$|^\d{1,3}(?:,\d{3})+$")  # 1,23,456 or 123,456
_WHOLE_DECIMAL = re.compile(r"^\d+\.0*$")
_NEGATIVE = re.compile(r"^[-−]\s*\d+(?:\.\d*)?$")
_FRACTION = re.compile(r"^\d*\.\d+$")
_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_EXCEL_EPOCH = date(1899, 12, 30)


def _shown(value: Any) -> str:
    text = str(value).strip()
    return text if len(text) <= 40 else text[:39] + "…"


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def whole_number(value: Any) -> int:
    """A count written in a cell: 1234, "1234", "1,234", "१२३४" or 1234.0; never text, a fraction or < 0."""
    kind = type(value)
    if (kind is str and value.isdecimal()) or kind is int:  # the common cells, first and fast
        number = int(value)
        if 0 <= number <= LARGEST_NUMBER:
            return number
    return _whole_number(value)


def _whole_number(value: Any) -> int:
    if _is_blank(value):
        raise CellError(_("Empty: enter a number (0 if none)."))
    if isinstance(value, bool) or isinstance(value, (datetime, date)):
        raise CellError(_("Not a number: “%(value)s”.", value=_shown(value)))
    if isinstance(value, int):
        number = value
    elif isinstance(value, (float, Decimal)):
        if not math.isfinite(value) or value != int(value):
            raise CellError(_("Enter a whole number, not “%(value)s”.", value=_shown(value)))
        number = int(value)
    else:
        text = str(value).strip().replace(" ", "")
        if text.isdecimal():
            number = int(text)
        elif _GROUPED.match(text):
            number = int(text.replace(",", ""))
        elif _WHOLE_DECIMAL.match(text):
            number = int(text.split(".")[0])
        elif _NEGATIVE.match(text):
            raise CellError(_("Cannot be negative."))
        elif _FRACTION.match(text):
            raise CellError(_("Enter a whole number, not “%(value)s”.", value=_shown(value)))
        else:
            raise CellError(_("Not a number: “%(value)s”. Enter digits only.", value=_shown(value)))
    if number < 0:
        raise CellError(_("Cannot be negative."))
    if number > LARGEST_NUMBER:
        raise CellError(_("Too large: “%(value)s”.", value=_shown(value)))
    return number


def report_date(value: Any) -> date:
    """A date cell: an Excel date, YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY (a time part is ignored)."""
    if _is_blank(value):
        raise CellError(_("Empty: enter the date of the figures."))
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20_000 <= value <= 80_000:  # an Excel serial day number (1954–2119)
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise CellError(_("Not a date: “%(value)s”. Write it as YYYY-MM-DD.", value=_shown(value)))
    text = str(value).strip().split("T")[0].split(" ")[0]
    try:
        if match := _YMD.match(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DMY.match(text):
            return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        raise CellError(_("No such date: “%(value)s”.", value=_shown(value))) from None
    raise CellError(_("Not a date: “%(value)s”. Write it as YYYY-MM-DD.", value=_shown(value)))


# -- files ----------------------------------------------------------------------------------


def extension(filename: str) -> str:
    return Path(filename or "").suffix.lower().lstrip(".")


def _csv_rows(path: Path) -> Iterator[Sequence[Any]]:
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file is not UTF-8 text. In Excel choose Save As → “CSV UTF-8”, or upload the .xlsx file.")
        ) from None
    if "\x00" in text:
        raise ImportFileError(_("The file is not a CSV text file. Upload a .csv or .xlsx file."))
    first_line = text[: text.find("\n")] if "\n" in text else text
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error:
        raise ImportFileError(_("The CSV file is malformed: a quote is not closed.")) from None


def _broken_workbook() -> ImportFileError:
    return ImportFileError(
        _(
            "The file could not be read as an Excel workbook (.xlsx): it may be damaged, or another "
            "format renamed to .xlsx. Save it again from Excel as .xlsx or as “CSV UTF-8”."
        )
    )


def _xlsx_rows(path: Path) -> Iterator[Sequence[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - whatever openpyxl raises, the file is not a readable workbook
        raise _broken_workbook() from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise ImportFileError(_("The workbook has no sheet."))
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # some tools write a wrong size; read what is there
        try:
            yield from sheet.iter_rows(values_only=True)
        except ImportFileError:
            raise
        except Exception:  # noqa: BLE001 - a damaged sheet inside a readable zip
            raise _broken_workbook() from None
    finally:
        workbook.close()


def table_rows(path: Path) -> Iterator[Sequence[Any]]:
    """The file's rows as sequences of cell values, whatever its format."""
    kind = extension(path.name)
    if not path.exists() or path.stat().st_size == 0:
        raise ImportFileError(_("The file is empty."))
    if kind == "csv":
        return _csv_rows(path)
    if kind == "xlsx":
        return _xlsx_rows(path)
    raise ImportFileError(_("This file type is not supported. Upload a .csv or .xlsx file."))


def find_header(cells: Sequence[Any]) -> tuple[dict[str, int], dict[str, str]]:
    """Column → index and column → header text, for the recognised headers of one row."""
    index: dict[str, int] = {}
    headers: dict[str, str] = {}
    for position, cell in enumerate(cells):
        name = ALIASES.get(normalize(cell))
        if name is None:
            continue
        if name in index:
            raise ImportFileError(
                _("The column %(column)s appears twice. Keep only one.", column=column_title(name))
            )
        index[name] = position
        headers[name] = str(cell).strip()
    return index, headers


def _cell(cells: Sequence[Any], position: int) -> Any:
    return cells[position] if position < len(cells) else None


def parse_file(path: Path, on_progress: Callable[[int], None] | None = None) -> ParsedFile:
    """Read every row; raise ImportFileError when the file as a whole cannot be used."""
    rows_iter = iter(table_rows(path))
    header_row, index, headers = 0, {}, {}
    for number, cells in enumerate(rows_iter, start=1):
        if all(_is_blank(c) for c in cells):
            continue
        header_row = number
        index, headers = find_header(cells)
        break
    if not header_row:
        raise ImportFileError(_("The file is empty."))
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
        if all(_is_blank(c) for c in cells):
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
            reason = None if _is_blank(value) else str(value).strip()
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

    def shown(value: Any) -> str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return "" if value is None else _shown(value)

    ac, part = _cell(cells, index["ac_number"]), _cell(cells, index["part_number"])
    if _is_blank(ac) and _is_blank(part):
        return ""
    return f"{shown(ac)}-{shown(part)}"


def _read(cells, index, headers, name, convert, number, errors, part):
    try:
        return convert(_cell(cells, index[name]))
    except CellError as error:
        errors.add(number, str(error), headers[name], part)
        return None
