"""CSV and XLSX files → sheets of rows, numbered as Excel numbers them (header = line 1).

CSV bytes may be UTF-8 with or without a BOM, or GB18030/GBK as Excel in China saves them.
Blank lines are skipped but still counted, so line numbers match what the user sees.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from hub.organisation.imports.columns import INSTRUCTION_SHEETS, normalise_sheet_name
from hub.organisation.imports.errors import ErrorCode

CSV_EXTENSIONS = frozenset({".csv"})
XLSX_EXTENSIONS = frozenset({".xlsx"})
ALLOWED_EXTENSIONS = CSV_EXTENSIONS | XLSX_EXTENSIONS
# An .xlsx is a zip: refuse one that would unpack to more than this, or whose members are
# compressed more than a spreadsheet ever is (a zip bomb), before openpyxl opens it.
XLSX_MAX_UNPACKED = 400 * 1024 * 1024
XLSX_MAX_RATIO = 200


class UnreadableFile(Exception):
    """The file as a whole cannot be read; ``code`` says why."""

    def __init__(self, code: ErrorCode, params: dict | None = None) -> None:
        super().__init__(str(code))
        self.code = code
        self.params = params or {}


@dataclass
class RawSheet:
    """One table: its header and its non-blank data rows, each with its line number."""

    name: str
    header_line: int = 0
    header: list[object] = field(default_factory=list)
    rows: list[tuple[int, list[object]]] = field(default_factory=list)


def file_extension(file_name: str) -> str:
    return PurePath(file_name).suffix.lower()


def _is_blank(cells) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _collect(name: str, numbered_rows, *, max_rows: int, seen: int) -> tuple[RawSheet, int]:
    """Split ``(line, cells)`` pairs into header and data rows; ``seen`` counts across sheets."""
    sheet = RawSheet(name=name)
    for line, cells in numbered_rows:
        if _is_blank(cells):
            continue
        if not sheet.header_line:
            sheet.header_line, sheet.header = line, list(cells)
            continue
        seen += 1
        if seen > max_rows:
            raise UnreadableFile(ErrorCode.TOO_MANY_ROWS, {"limit": max_rows})
        sheet.rows.append((line, list(cells)))
    return sheet, seen


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM optional) first; bytes that are not valid UTF-8 are read as GB18030."""
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8")
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(ErrorCode.UNREADABLE_ENCODING) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(ErrorCode.UNREADABLE_ENCODING) from exc


def _delimiter(text: str) -> str:
    """Comma unless the header line clearly uses tabs or semicolons instead."""
    first_line = text.split("\n", 1)[0]
    return max([",", "\t", ";"], key=first_line.count) if first_line else ","


def read_csv(data: bytes, *, max_rows: int) -> list[RawSheet]:
    text = decode_text(data)
    if "\x00" in text:
        raise UnreadableFile(ErrorCode.UNREADABLE_CSV, {"reason": "binary data (NUL bytes)"})
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        sheet, _seen = _collect("", enumerate(reader, start=1), max_rows=max_rows, seen=0)
    except csv.Error as exc:
        raise UnreadableFile(ErrorCode.UNREADABLE_CSV, {"reason": str(exc)}) from exc
    return [sheet]


def read_xlsx(data: bytes, *, max_rows: int) -> list[RawSheet]:
    """Every worksheet except instruction sheets; dates arrive as ``datetime`` values."""
    from openpyxl import load_workbook  # imported lazily: only XLSX uploads need it

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnreadableFile(ErrorCode.UNREADABLE_XLSX)
    _check_unpacked_size(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign zip
        raise UnreadableFile(ErrorCode.UNREADABLE_XLSX) from exc
    sheets: list[RawSheet] = []
    seen = 0
    try:
        for worksheet in workbook.worksheets:
            if normalise_sheet_name(worksheet.title) in INSTRUCTION_SHEETS:
                continue
            worksheet.reset_dimensions()  # some writers store a wrong size; read every row
            rows = worksheet.iter_rows(min_row=1, min_col=1, values_only=True)
            sheet, seen = _collect(
                worksheet.title, enumerate(rows, start=1), max_rows=max_rows, seen=seen
            )
            if sheet.header_line:
                sheets.append(sheet)
    except UnreadableFile:
        raise
    except Exception as exc:
        raise UnreadableFile(ErrorCode.UNREADABLE_XLSX) from exc
    finally:
        workbook.close()
    return sheets


def _check_unpacked_size(data: bytes) -> None:
    """Judge the zip by its directory alone (sizes it declares), before anything is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(ErrorCode.UNREADABLE_XLSX) from exc
    unpacked = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members)
    if unpacked > XLSX_MAX_UNPACKED or unpacked > XLSX_MAX_RATIO * max(packed, 1):
        raise UnreadableFile(ErrorCode.XLSX_TOO_BIG, {"limit": XLSX_MAX_UNPACKED // (1024 * 1024)})


def read_sheets(*, data: bytes, file_name: str, max_rows: int) -> list[RawSheet]:
    """The file's sheets by its extension; raises ``UnreadableFile`` with the reason."""
    extension = file_extension(file_name)
    if extension in CSV_EXTENSIONS:
        return read_csv(data, max_rows=max_rows)
    if extension in XLSX_EXTENSIONS:
        return read_xlsx(data, max_rows=max_rows)
    raise UnreadableFile(ErrorCode.BAD_EXTENSION)
