"""Tables to CSV and XLSX downloads, safe to open in a spreadsheet (shared infrastructure: no
layer imported).

A ``Table`` is a title, a header row and rows of cells (text, numbers, ``Decimal``, dates or
``None``). CSV is UTF-8 with a byte-order mark (Excel then reads Chinese) and holds the tables
one after another, each under its title; XLSX holds one sheet per table.

Text comes from users (question text, comments, names): a cell a spreadsheet would run as a
formula (starting ``=``, ``+``, ``-``, ``@``, tab or carriage return) is written with a leading
apostrophe in CSV and stored as plain text, never a formula, in XLSX. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
# Sheet names: at most 31 characters, none of these.
_SHEET_FORBIDDEN = re.compile(r"[\[\]\*\?/\\:]")
_FILENAME_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Table:
    title: str
    headers: Sequence[str]
    rows: list[Sequence] = field(default_factory=list)
    # Column widths in characters (XLSX); missing ones are guessed from the header.
    widths: Sequence[int] = ()
    # The XLSX sheet's name (default: the title).
    sheet: str = ""


def defused(value):
    """``value`` as it may go into a CSV cell: text a spreadsheet would run as a formula gets a
    leading apostrophe; anything else is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _plain(value):
    """A cell value as CSV writes it (numbers unformatted, dates ISO, None empty)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return defused(str(value)) if not isinstance(value, int | float) else value


def tables_csv(tables: Sequence[Table]) -> bytes:
    """The tables one after another (title row, header row, rows, an empty row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([defused(str(table.title))])
        writer.writerow([defused(str(h)) for h in table.headers])
        for row in table.rows:
            writer.writerow([_plain(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_cell(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # openpyxl refuses aware times; already local
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _sheet_title(title: str, used: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub(" ", str(title)).strip()[:28] or "Sheet"
    name, number = base, 2
    while name.lower() in used:
        name = f"{base[:25]} ({number})"
        number += 1
    used.add(name.lower())
    return name


def tables_xlsx(tables: Sequence[Table]) -> bytes:
    """One sheet per table: the title in A1, the header in row 2 (frozen), then the rows.
    Every text cell is stored as text, so nothing typed by a user becomes a formula."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.sheet or table.title, used))
        sheet.append([_xlsx_cell(str(table.title)[:200])])
        sheet.append([_xlsx_cell(str(h)) for h in table.headers])
        for row in table.rows:
            sheet.append([_xlsx_cell(cell) for cell in row])
        for cells in sheet.iter_rows():
            for cell in cells:
                if cell.data_type == "f":  # openpyxl takes "=…" for a formula: keep it text
                    cell.data_type = "s"
        for index, header in enumerate(table.headers, start=1):
            width = table.widths[index - 1] if index <= len(table.widths) else None
            sheet.column_dimensions[get_column_letter(index)].width = width or max(
                10, min(40, len(str(header)) * 2 + 2)
            )
        sheet.freeze_panes = "A3"
    if not workbook.sheetnames:
        workbook.create_sheet("Sheet")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(tables: Sequence[Table], *, fmt: str, filename: str) -> HttpResponse:
    """``tables`` as an attachment in ``fmt`` (``csv`` or ``xlsx``); ``filename`` without its
    extension (reduced to ASCII letters, digits, dot, dash and underscore)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    name = _FILENAME_SAFE.sub("-", filename).strip("-") or "export"
    if fmt == "csv":
        response = HttpResponse(tables_csv(tables), content_type=CSV_CONTENT_TYPE)
    else:
        response = HttpResponse(tables_xlsx(tables), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
