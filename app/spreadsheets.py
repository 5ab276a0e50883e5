"""Tables as files: one writer for every table the app hands out (the exports and the imports'
samples), and one reader for every table a person uploads (the part figures' import and the
volunteers' import).

CSV is UTF-8 with a byte order mark (without it Excel reads Devanagari as mojibake) and keeps
numbers bare so a spreadsheet reads them as numbers. XLSX is written by a write-only workbook:
numbers as numbers, percentages as fractions with a percent format, dates with a date format.
Text that looks like a formula stays text in both.

An upload is read as rows of cell values whatever its format (CSV in UTF-8 or UTF-16, with commas,
semicolons or tabs; the first sheet of an XLSX). Its header row may name the columns in English or
Hindi, in any case and spacing: each import lists its columns' aliases, and `read_header` finds
them. Problems are kept with their spreadsheet row number (`ErrorList`), so that the person can fix
the whole file at once.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from werkzeug.utils import get_content_type

TEXT, INTEGER, PERCENT, DATE = "text", "integer", "percent", "date"
WIDTHS = {TEXT: 24, INTEGER: 12, PERCENT: 12, DATE: 13}
# A file's media type without parameters, for `mimetype=` (Flask's Response and send_file add
# "; charset=utf-8" to a text type themselves), and the whole header, for `content_type=`.
MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CONTENT_TYPES = {fmt: get_content_type(mimetype, "utf-8") for fmt, mimetype in MIMETYPES.items()}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    label: object  # a lazy string, translated when the file is written
    kind: str = INTEGER


@dataclass(kw_only=True)
class Spreadsheet:
    """A table to write: labelled columns of a kind, and rows of plain values in column order.

    Percentages are in percentage points (12.5 = 12.5 %), dates are `date`s.
    """

    columns: list[Column]
    sheet: object = ""  # the sheet's name, XLSX only
    rows: list[list] = field(default_factory=list)
    footer: list | None = None  # a total row, bold in XLSX
    title: str | None = None  # a title row above the header, XLSX only


def write(table: Spreadsheet, fmt: str) -> bytes:
    return write_csv(table) if fmt == "csv" else write_xlsx(table)


def _csv_value(value, kind: str):
    if value is None:
        return ""
    if kind == TEXT and str(value).startswith(FORMULA_STARTS):
        return "'" + str(value)  # a name like "=HYPERLINK(...)" must stay text in Excel
    if kind == PERCENT:
        return f"{value:.2f}"
    if kind == DATE:
        return value.isoformat()
    return value


def write_csv(table: Spreadsheet) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([str(column.label) for column in table.columns])
    kinds = [column.kind for column in table.columns]
    for row in [*table.rows, *([table.footer] if table.footer else [])]:
        writer.writerow([_csv_value(value, kind) for value, kind in zip(row, kinds, strict=True)])
    return buffer.getvalue().encode("utf-8")


def write_xlsx(table: Spreadsheet) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(str(table.sheet)))
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS[column.kind]
    header_row = 2 if table.title else 1
    sheet.freeze_panes = f"A{header_row + 1}"
    bold = Font(bold=True)

    def styled(value, font=None, number_format=None):
        cell = WriteOnlyCell(sheet, value=value)
        if font is not None:
            cell.font = font
        if number_format is not None:
            cell.number_format = number_format
        return cell

    if table.title:
        sheet.append([styled(table.title, Font(bold=True, size=14))])
    sheet.append([styled(str(column.label), bold) for column in table.columns])
    kinds = [column.kind for column in table.columns]

    def cells(row: list, font=None) -> list:
        out = []
        for value, kind in zip(row, kinds, strict=True):
            if value is None:
                out.append(None)
            elif kind == PERCENT:
                out.append(styled(value / 100, font, "0.00%"))
            elif kind == DATE:
                out.append(styled(value, font, "yyyy-mm-dd"))
            elif kind == TEXT and str(value).startswith("="):
                cell = styled(value, font)
                cell.data_type = "s"  # openpyxl would otherwise write it as a formula
                out.append(cell)
            elif font is not None:
                out.append(styled(value, font))
            else:
                out.append(value)
        return out

    for row in table.rows:
        sheet.append(cells(row))
    if table.footer:
        sheet.append(cells(table.footer, bold))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet"


# -- reading an upload -------------------------------------------------------------------------

EXTENSIONS = ("csv", "xlsx")
MAX_ERRORS_KEPT = 1000
_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_EXCEL_EPOCH = date(1899, 12, 30)


class ImportFileError(ValueError):
    """The whole file is refused (unreadable, wrong columns); the message says why."""


class CellError(ValueError):
    """One cell could not be read; the message says what to write instead."""


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


def normalize(text: Any) -> str:
    """Header text compared without case, punctuation or extra spaces: "AC No." == "ac no"."""
    text = unicodedata.normalize("NFC", str(text or "")).casefold()
    text = re.sub(r"[._:\-/()#*]+", " ", text)
    return " ".join(text.split())


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def shown(value: Any) -> str:
    """A cell as quoted back in a message: at most 40 characters."""
    text = str(value).strip()
    return text if len(text) <= 40 else text[:39] + "…"


def date_cell(value: Any) -> date:
    """A date cell: an Excel date, YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY (a time part is ignored)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20_000 <= value <= 80_000:  # an Excel serial day number (1954–2119)
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise CellError(_("Not a date: “%(value)s”. Write it as YYYY-MM-DD.", value=shown(value)))
    text = str(value).strip().split("T")[0].split(" ")[0]
    try:
        if match := _YMD.match(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DMY.match(text):
            return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        raise CellError(_("No such date: “%(value)s”.", value=shown(value))) from None
    raise CellError(_("Not a date: “%(value)s”. Write it as YYYY-MM-DD.", value=shown(value)))


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


def header_columns(
    cells: Sequence[Any], aliases: dict[str, str], title: Callable[[str], str]
) -> tuple[dict[str, int], dict[str, str]]:
    """Column → index and column → header text, for the recognised headers of one row.

    `aliases` maps each normalized header a file may use to its column; `title` names a column
    in the message when the file gives it twice.
    """
    index: dict[str, int] = {}
    headers: dict[str, str] = {}
    for position, cell in enumerate(cells):
        name = aliases.get(normalize(cell))
        if name is None:
            continue
        if name in index:
            raise ImportFileError(
                _("The column %(column)s appears twice. Keep only one.", column=title(name))
            )
        index[name] = position
        headers[name] = str(cell).strip()
    return index, headers


def read_header(
    rows: Iterator[Sequence[Any]], aliases: dict[str, str], title: Callable[[str], str]
) -> tuple[int, dict[str, int], dict[str, str]]:
    """The first row that is not blank, read as the header: its row number, column → index and
    column → header text. The data rows are what `rows` yields next."""
    for number, cells in enumerate(rows, start=1):
        if all(is_blank(c) for c in cells):
            continue
        return (number, *header_columns(cells, aliases, title))
    raise ImportFileError(_("The file is empty."))
