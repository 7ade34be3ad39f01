"""A session's questions as CSV (UTF-8 with a byte-order mark, so Excel reads Chinese) or
XLSX. Rows come from ``live.monitor.results.result_questions``, which already applies who may
see hidden questions and anonymous askers; this module only lays them out.

Question text is typed by learners: a cell that a spreadsheet would run as a formula
(starting ``=``, ``+``, ``-``, ``@``, tab or carriage return) is written with a leading
apostrophe in CSV and stored as plain text in XLSX.
"""

from __future__ import annotations

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _

from hub.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, Table, defused, tables_xlsx
from live.monitor.results import QuestionRow

__all__ = ["CSV_CONTENT_TYPE", "XLSX_CONTENT_TYPE", "questions_csv", "questions_xlsx"]
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def _headers() -> list[str]:
    return [
        _("No."),
        _("Question"),
        _("Asked by"),
        _("Anonymous"),
        _("Votes"),
        _("Answered"),
        _("Pinned"),
        _("Hidden"),
        _("Answer"),
        _("Answered by"),
        _("Asked at"),
        _("Asked during"),
        _("Position in the recording"),
    ]


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _position(seconds: int | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _asker(row: QuestionRow) -> str:
    if row.asker is not None:
        return row.asker
    return _("Anonymous")


def question_table(rows: list[QuestionRow]) -> list[list]:
    """Header plus one list of cells per question (text and numbers, times local)."""
    table: list[list] = [_headers()]
    for number, row in enumerate(rows, start=1):
        table.append(
            [
                number,
                row.text,
                _asker(row),
                _yes_no(row.anonymous),
                row.votes,
                _yes_no(row.answered),
                _yes_no(row.pinned),
                _yes_no(row.hidden),
                row.answer,
                row.answered_by or "",
                timezone.localtime(row.asked_at).strftime(TIME_FORMAT),
                row.origin_label,
                _position(row.position_seconds),
            ]
        )
    return table


def questions_csv(rows: list[QuestionRow]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for cells in question_table(rows):
        writer.writerow([defused(cell) for cell in cells])
    return buffer.getvalue().encode("utf-8-sig")


def questions_xlsx(rows: list[QuestionRow], *, title: str) -> bytes:
    header, *body = question_table(rows)
    table = Table(
        title=str(title),
        sheet=str(_("Questions")),
        headers=header,
        rows=body,
        widths=(6, 60, 16, 8, 8, 8, 8, 8, 40, 16, 20, 10, 12),
    )
    return tables_xlsx([table])
