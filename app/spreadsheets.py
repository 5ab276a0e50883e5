"""One writer for every table the app hands out as a file: the exports and the import's sample.

CSV is UTF-8 with a byte order mark (without it Excel reads Devanagari as mojibake) and keeps
numbers bare so a spreadsheet reads them as numbers. XLSX is written by a write-only workbook:
numbers as numbers, percentages as fractions with a percent format, dates with a date format.
Text that looks like a formula stays text in both.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

TEXT, INTEGER, PERCENT, DATE = "text", "integer", "percent", "date"
WIDTHS = {TEXT: 24, INTEGER: 12, PERCENT: 12, DATE: 13}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
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
