"""The downloadable template files: bilingual headers and one example row.

The CSV is UTF-8 with a BOM so Excel in China opens it without garbling the Chinese. The
workbook has a branches sheet (分部), an employees sheet (员工) and an instructions sheet
(说明), which the import skips, so the template imports as it is.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.utils.translation import gettext as _

from hub.organisation.imports.columns import (
    BRANCH_COLUMNS,
    COLUMNS,
    EMPLOYEE_COLUMNS,
    Column,
    SheetKind,
)

DATE_KEYS = frozenset({"hire_date", "leave_date"})
TEXT_KEYS = frozenset({"code", "branch_code", "employee_no"})  # keep leading zeros in Excel


def template_csv(kind: SheetKind = SheetKind.EMPLOYEES) -> bytes:
    columns = COLUMNS[kind]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.template_header for column in columns])
    writer.writerow([column.example for column in columns])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def _example_value(column: Column):
    if column.key in DATE_KEYS and column.example:
        return dt.date.fromisoformat(column.example)
    return column.example or None


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    bold = Font(bold=True)
    for index, (title, columns) in enumerate(
        (("分部", BRANCH_COLUMNS), ("员工", EMPLOYEE_COLUMNS))
    ):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = title
        sheet.append([column.template_header for column in columns])
        sheet.append([_example_value(column) for column in columns])
        sheet.freeze_panes = "A2"
        for position, column in enumerate(columns, start=1):
            letter = get_column_letter(position)
            sheet.column_dimensions[letter].width = max(14, len(column.template_header) + 6)
            sheet.cell(row=1, column=position).font = bold
            example = sheet.cell(row=2, column=position)
            if column.key in DATE_KEYS:
                example.number_format = "yyyy-mm-dd"
            if column.key in TEXT_KEYS:
                example.number_format = "@"
    notes = workbook.create_sheet("说明")
    notes.append([_("Sheet"), _("Column"), _("Required"), _("How to fill it in")])
    for title, columns in (("分部", BRANCH_COLUMNS), ("员工", EMPLOYEE_COLUMNS)):
        for column in columns:
            notes.append(
                [
                    title,
                    column.template_header,
                    _("yes") if column.required else _("no"),
                    str(column.help),
                ]
            )
    for cell in notes[1]:
        cell.font = bold
    for letter, width in (("A", 10), ("B", 28), ("C", 10), ("D", 80)):
        notes.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
