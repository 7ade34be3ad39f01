"""The columns an HR file may have, with their Chinese and English headers.

A sheet holds either branches or employees; which one is decided from its headers (or, in a
workbook, from the sheet name). Headers match case-insensitively, with surrounding spaces,
a required-marker ``*`` and full-width punctuation ignored, and may combine both languages
the way the downloadable template writes them: ``工号* (employee_no)``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class SheetKind(StrEnum):
    BRANCHES = "branches"
    EMPLOYEES = "employees"


@dataclass(frozen=True)
class Column:
    """One importable field: ``key`` is the English header, ``zh`` the Chinese one."""

    key: str
    zh: str
    label: Promise
    required: bool
    help: Promise
    example: str
    aliases: tuple[str, ...] = ()
    max_length: int | None = None

    @property
    def template_header(self) -> str:
        """The header the template file uses: both languages, ``*`` on required columns."""
        return f"{self.zh}{'*' if self.required else ''} ({self.key})"

    @property
    def display(self) -> str:
        return f"{self.zh} / {self.key}"


BRANCH_COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        "分部编码",
        _("Branch code"),
        True,
        _("Unique code of the branch, e.g. SH01."),
        "SH01",
        aliases=("branch_code", "branch code", "编码"),
        max_length=32,
    ),
    Column(
        "name",
        "分部名称",
        _("Branch name"),
        True,
        _("Display name of the branch."),
        "上海分部",
        aliases=("branch_name", "branch name", "名称"),
        max_length=100,
    ),
    Column(
        "region",
        "区域",
        _("Region"),
        True,
        _("Region code or name; a region that does not exist yet is created."),
        "华东",
        aliases=("所属区域", "大区"),
        max_length=100,
    ),
    Column(
        "is_hq",
        "是否总部",
        _("Head office"),
        False,
        _("是/否 or yes/no; at most one branch is the head office."),
        "否",
        aliases=("hq", "head_office", "head office", "总部"),
    ),
)

EMPLOYEE_COLUMNS: tuple[Column, ...] = (
    Column(
        "employee_no",
        "工号",
        _("Employee number"),
        True,
        _("Unique; also the login name. Letters, digits and @ . + - _ only."),
        "E000123",
        aliases=("employee number", "employee_number", "employee id", "员工编号", "员工工号"),
        max_length=32,
    ),
    Column(
        "name",
        "姓名",
        _("Name"),
        True,
        _("Full name."),
        "张伟",
        aliases=("full name", "full_name", "employee name", "员工姓名"),
        max_length=100,
    ),
    Column(
        "branch_code",
        "分部编码",
        _("Branch code"),
        True,
        _("Code of an existing branch or of one in the branches sheet of the same file."),
        "SH01",
        aliases=("branch", "branch code", "分部", "所属分部"),
        max_length=32,
    ),
    Column(
        "team",
        "团队",
        _("Team"),
        False,
        _("Team within the branch; created if it does not exist."),
        "销售一组",
        aliases=("team name", "team_name", "团队名称", "小组"),
        max_length=100,
    ),
    Column(
        "job_title",
        "职位",
        _("Job title"),
        False,
        _("Free text."),
        "客户经理",
        aliases=("job title", "title", "岗位名称", "职务"),
        max_length=100,
    ),
    Column(
        "position_category",
        "岗位类别",
        _("Position category"),
        True,
        _("新员工, 业务骨干 or 管理者 (new_hire, backbone, manager)."),
        "业务骨干",
        aliases=("position category", "category", "类别", "人员类别"),
    ),
    Column(
        "is_core_role",
        "核心岗位",
        _("Core role"),
        False,
        _("是/否, yes/no, y/n, true/false or 1/0."),
        "否",
        aliases=("core role", "core_role", "是否核心岗位"),
    ),
    Column(
        "hire_date",
        "入职日期",
        _("Hire date"),
        True,
        _("YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD or 2024年3月1日."),
        "2024-03-01",
        aliases=("hire date", "start date", "入职时间"),
    ),
    Column(
        "leave_date",
        "离职日期",
        _("Leave date"),
        False,
        _("Same formats; not before the hire date. From that day the person cannot log in."),
        "",
        aliases=("leave date", "end date", "离职时间"),
    ),
    Column(
        "email",
        "邮箱",
        _("Email"),
        False,
        _("Work email address."),
        "zhang.wei@example.com",
        aliases=("e-mail", "email address", "电子邮箱", "邮件"),
        max_length=254,
    ),
)

COLUMNS: dict[SheetKind, tuple[Column, ...]] = {
    SheetKind.BRANCHES: BRANCH_COLUMNS,
    SheetKind.EMPLOYEES: EMPLOYEE_COLUMNS,
}

# Workbook sheet names that say what a sheet holds, and sheets the import skips.
SHEET_NAMES: dict[str, SheetKind] = {
    "分部": SheetKind.BRANCHES,
    "branches": SheetKind.BRANCHES,
    "branch": SheetKind.BRANCHES,
    "员工": SheetKind.EMPLOYEES,
    "employees": SheetKind.EMPLOYEES,
    "employee": SheetKind.EMPLOYEES,
    "人员": SheetKind.EMPLOYEES,
}
INSTRUCTION_SHEETS = frozenset({"说明", "填写说明", "instructions", "readme", "help"})

_SEPARATORS = re.compile(r"[\s_\-]+")
_BILINGUAL = re.compile(r"^(?P<first>[^()/]+?)\s*(?:\((?P<paren>[^()]+)\)|/(?P<slash>[^()/]+))$")


def normalise_header(text: object) -> str:
    """``" Employee-No* "`` → ``"employee_no"``; full-width characters folded (NFKC)."""
    value = unicodedata.normalize("NFKC", str(text or "")).replace("\ufeff", "")
    value = value.replace("*", "").strip().rstrip(".:").casefold()
    return _SEPARATORS.sub("_", value).strip("_")


def normalise_sheet_name(text: str) -> str:
    return normalise_header(text).replace("_", "")


def alias_index(columns: tuple[Column, ...]) -> dict[str, str]:
    """Normalised header → column key, for every key, Chinese header and alias of ``columns``
    (also used by other imports with their own columns, e.g. outcome metric values)."""
    index: dict[str, str] = {}
    for column in columns:
        for alias in (column.key, column.zh, *column.aliases):
            index[normalise_header(alias)] = column.key
    return index


_ALIASES: dict[SheetKind, dict[str, str]] = {kind: alias_index(c) for kind, c in COLUMNS.items()}


def column_for_header(kind: SheetKind, header: object) -> str | None:
    """The column key a header names for this kind of sheet, or ``None`` if it names none.

    ``工号* (employee_no)`` and ``工号 / employee_no`` name ``employee_no`` when both parts agree
    (or when only one part is a known header).
    """
    return match_header(_ALIASES[kind], header)


def match_header(index: dict[str, str], header: object) -> str | None:
    """The column key ``header`` names in ``index`` (from ``alias_index``), or ``None``."""
    text = unicodedata.normalize("NFKC", str(header or "")).replace("*", "").strip()
    key = index.get(normalise_header(text))
    if key is not None:
        return key
    match = _BILINGUAL.match(text)
    if match is None:
        return None
    parts = [match["first"], match["paren"] or match["slash"]]
    keys = {index.get(normalise_header(part)) for part in parts} - {None}
    return keys.pop() if len(keys) == 1 else None


def column_by_key(kind: SheetKind, key: str) -> Column:
    return next(column for column in COLUMNS[kind] if column.key == key)


def guess_kind(headers: list[object]) -> SheetKind | None:
    """Employees if an employee-number header is present, branches if a region header is."""
    if any(column_for_header(SheetKind.EMPLOYEES, h) == "employee_no" for h in headers):
        return SheetKind.EMPLOYEES
    if any(column_for_header(SheetKind.BRANCHES, h) == "region" for h in headers):
        return SheetKind.BRANCHES
    return None
