"""What can be wrong with an HR file: one code per rule, one translatable message per code.

Errors are stored in ``ImportBatch.report`` as codes with parameters and rendered in the
reader's language when shown, so an English- and a Chinese-speaking admin see the same report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class ErrorCode(StrEnum):
    # the file or a sheet as a whole
    UNREADABLE_ENCODING = "unreadable_encoding"
    UNREADABLE_CSV = "unreadable_csv"
    UNREADABLE_XLSX = "unreadable_xlsx"
    XLSX_TOO_BIG = "xlsx_too_big"
    BAD_EXTENSION = "bad_extension"
    TOO_MANY_ROWS = "too_many_rows"
    EMPTY_FILE = "empty_file"
    UNKNOWN_SHEET = "unknown_sheet"
    UNKNOWN_COLUMN = "unknown_column"
    UNNAMED_COLUMN = "unnamed_column"
    DUPLICATE_COLUMN = "duplicate_column"
    MISSING_COLUMN = "missing_column"
    # one row
    MISSING_FIELD = "missing_field"
    TOO_LONG = "too_long"
    UNKNOWN_BRANCH = "unknown_branch"
    DUPLICATE_EMPLOYEE = "duplicate_employee"
    DUPLICATE_BRANCH = "duplicate_branch"
    BAD_DATE = "bad_date"
    LEAVE_BEFORE_HIRE = "leave_before_hire"
    UNKNOWN_CATEGORY = "unknown_category"
    BAD_BOOLEAN = "bad_boolean"
    BAD_EMAIL = "bad_email"
    BAD_EMPLOYEE_NO = "bad_employee_no"
    LOGIN_TAKEN = "login_taken"
    SECOND_HQ = "second_hq"


MESSAGES = {
    ErrorCode.UNREADABLE_ENCODING: _(
        "The file is neither UTF-8 nor GB18030/GBK text. Save it from Excel as CSV "
        "(UTF-8) or as an .xlsx workbook."
    ),
    ErrorCode.UNREADABLE_CSV: _("The file cannot be read as CSV: %(reason)s"),
    ErrorCode.UNREADABLE_XLSX: _("The file is not a readable Excel workbook (.xlsx)."),
    ErrorCode.XLSX_TOO_BIG: _(
        "The workbook unpacks to more than %(limit)s MB or is compressed suspiciously well; "
        "save it again from Excel or split it."
    ),
    ErrorCode.BAD_EXTENSION: _("Only .csv and .xlsx files can be imported."),
    ErrorCode.TOO_MANY_ROWS: _(
        "The file has more than %(limit)s rows; split it into smaller files."
    ),
    ErrorCode.EMPTY_FILE: _("The file has no rows to import."),
    ErrorCode.UNKNOWN_SHEET: _(
        "Cannot tell whether this sheet holds branches or employees: it needs a 工号 "
        "(employee_no) or a 区域 (region) column, or a sheet name 分部/员工."
    ),
    ErrorCode.UNKNOWN_COLUMN: _("Unknown column: '%(value)s'"),
    ErrorCode.UNNAMED_COLUMN: _("Column %(value)s has data but no header"),
    ErrorCode.DUPLICATE_COLUMN: _("Column %(column)s appears twice"),
    ErrorCode.MISSING_COLUMN: _("Missing required column: %(column)s"),
    ErrorCode.MISSING_FIELD: _("Missing required field: %(column)s"),
    ErrorCode.TOO_LONG: _("Too long: at most %(limit)s characters"),
    ErrorCode.UNKNOWN_BRANCH: _("Unknown branch code: %(value)s"),
    ErrorCode.DUPLICATE_EMPLOYEE: _("Employee number %(value)s also appears on line %(lines)s"),
    ErrorCode.DUPLICATE_BRANCH: _("Branch code %(value)s also appears on line %(lines)s"),
    ErrorCode.BAD_DATE: _("Bad date: '%(value)s' (use YYYY-MM-DD)"),
    ErrorCode.LEAVE_BEFORE_HIRE: _("Leave date %(value)s is before the hire date %(hire)s"),
    ErrorCode.UNKNOWN_CATEGORY: _(
        "Unknown position category: %(value)s (use 新员工, 业务骨干 or 管理者)"
    ),
    ErrorCode.BAD_BOOLEAN: _("Not a yes/no value: '%(value)s' (use 是/否 or yes/no)"),
    ErrorCode.BAD_EMAIL: _("Bad email address: '%(value)s'"),
    ErrorCode.BAD_EMPLOYEE_NO: _(
        "Bad employee number: '%(value)s' (letters, digits and @ . + - _ only)"
    ),
    ErrorCode.LOGIN_TAKEN: _(
        "Login name %(value)s is already used by an account that is not this employee"
    ),
    ErrorCode.SECOND_HQ: _("Only one branch can be the head office; %(value)s is one too"),
}


def register_messages(messages: dict[str, Promise]) -> None:
    """Add the codes and messages of another import (e.g. outcome metric values), so its
    ``RowError``s are stored and rendered like the HR import's. Codes must not clash."""
    clash = set(messages) & set(MESSAGES)
    if clash:
        raise ValueError(f"import error codes already registered: {sorted(clash)}")
    MESSAGES.update(messages)


def render_message(code: str, params: dict) -> str:
    """The message for ``code`` in the active language, parameters filled in."""
    template = MESSAGES[code]
    return str(template) % params if params else str(template)


@dataclass(frozen=True)
class RowError:
    """One problem with a row or, on its header line, with a whole sheet: where (sheet,
    line, column key) and what (code with parameters).

    ``line`` is the row number Excel shows (the header is line 1); ``column`` is the English
    column key, empty for problems with a whole sheet.
    """

    line: int
    column: str
    code: ErrorCode | str  # an ``ErrorCode`` or a code added with ``register_messages``
    params: dict = field(default_factory=dict)
    sheet: str = ""

    @property
    def message(self) -> str:
        return render_message(self.code, self.params)

    def as_json(self) -> list:
        return [self.sheet, self.line, self.column, str(self.code), self.params]

    @classmethod
    def from_json(cls, item: list) -> RowError:
        sheet, line, column, code, params = item
        code = ErrorCode(code) if code in ErrorCode.__members__.values() else code
        return cls(line=line, column=column, code=code, params=params, sheet=sheet)

    def as_text(self) -> str:
        """``line 7: hire_date: Bad date: ...`` as the command prints it."""
        where = f"{self.sheet}: " if self.sheet else ""
        column = f"{self.column}: " if self.column else ""
        line = gettext("line %(line)s") % {"line": self.line}
        return f"{where}{line}: {column}{self.message}"
