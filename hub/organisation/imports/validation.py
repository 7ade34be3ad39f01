"""Dry run: read an HR file and work out, without writing, what importing it would change.

``plan_file`` returns an ``ImportPlan``: every error found (all rows, not just the first bad
one) and, for a valid file, each branch and employee to create, update or leave alone.
Branch sheets are planned before employee sheets, so an employee may name a branch defined
in the same workbook.

Rules for upserting: a column present in the file sets its field (a blank cell clears an
optional field); a column absent from the file leaves the field as it is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from hub.organisation.imports.cells import (
    cell_text,
    display_value,
    parse_bool,
    parse_category,
    parse_date,
)
from hub.organisation.imports.columns import (
    COLUMNS,
    SHEET_NAMES,
    SheetKind,
    column_by_key,
    column_for_header,
    guess_kind,
    normalise_sheet_name,
)
from hub.organisation.imports.errors import ErrorCode, RowError
from hub.organisation.imports.plan import (
    UNCHANGED,
    UPDATE,
    BranchPlan,
    EmployeePlan,
    ImportPlan,
    chunked,
)
from hub.organisation.imports.readers import RawSheet, UnreadableFile, read_sheets
from hub.organisation.models import Branch, Employee, Region, Team

PROGRESS_EVERY = 500  # rows between two progress reports
_EMPLOYEE_NO = re.compile(r"^[\w.@+-]+\Z")  # what Django accepts as a username

Progress = Callable[[int, int], None]


class _Planner:
    """Collects errors while it walks the sheets; one instance per file."""

    def __init__(self, plan: ImportPlan, progress: Progress | None) -> None:
        self.plan = plan
        self.progress = progress
        self.done = 0
        self.branch_sheet_failed = False
        self.file_branch_codes: set[str] = set()

    # errors

    def error(self, sheet: RawSheet, line: int, key: str, code: ErrorCode, **params) -> None:
        """Record a problem at ``line`` of ``sheet`` in column ``key`` ("" for the row)."""
        self.plan.errors.append(
            RowError(line=line, column=key, code=code, params=params, sheet=sheet.name)
        )

    def item_error(self, item, key: str, code: ErrorCode, **params) -> None:
        """Record a problem found when comparing a planned branch or employee (``item``)
        with the database, at the line it came from."""
        self.plan.errors.append(
            RowError(line=item.line, column=key, code=code, params=params, sheet=item.sheet)
        )

    def tick(self) -> None:
        self.done += 1
        if self.progress is not None and self.done % PROGRESS_EVERY == 0:
            self.progress(self.done, self.plan.rows_total)

    # headers

    def sheet_kind(self, sheet: RawSheet) -> SheetKind | None:
        by_name = SHEET_NAMES.get(normalise_sheet_name(sheet.name)) if sheet.name else None
        kind = by_name or guess_kind(sheet.header)
        if kind is None:
            self.error(sheet, sheet.header_line, "", ErrorCode.UNKNOWN_SHEET)
        return kind

    def header_map(self, sheet: RawSheet, kind: SheetKind) -> list[str | None] | None:
        """Column key per position (``None`` for blank headers), or ``None`` on errors."""
        mapping: list[str | None] = []
        failed = False
        for header in sheet.header:
            text = cell_text(header)
            if not text:
                mapping.append(None)
                continue
            key = column_for_header(kind, text)
            if key is None:
                self.error(sheet, sheet.header_line, "", ErrorCode.UNKNOWN_COLUMN, value=text)
                failed = True
            elif key in mapping:
                column = column_by_key(kind, key)
                self.error(
                    sheet,
                    sheet.header_line,
                    key,
                    ErrorCode.DUPLICATE_COLUMN,
                    column=column.display,
                )
                failed = True
            mapping.append(key)
        for column in COLUMNS[kind]:
            if column.required and column.key not in mapping:
                self.error(
                    sheet,
                    sheet.header_line,
                    column.key,
                    ErrorCode.MISSING_COLUMN,
                    column=column.display,
                )
                failed = True
        return None if failed else mapping

    def rows(self, sheet: RawSheet, mapping: list[str | None]) -> Iterator[tuple[int, dict]]:
        """``(line, {key: raw value})`` for each data row; data under a blank header is an
        error for the sheet (reported once)."""
        unnamed_reported = False
        for line, cells in sheet.rows:
            values: dict[str, object] = {}
            for position, value in enumerate(cells):
                key = mapping[position] if position < len(mapping) else None
                if key is not None:
                    values[key] = value
                elif cell_text(value) and not unnamed_reported:
                    self.error(
                        sheet,
                        sheet.header_line,
                        "",
                        ErrorCode.UNNAMED_COLUMN,
                        value=_column_letter(position),
                    )
                    unnamed_reported = True
            yield line, values
            self.tick()

    # shared field checks

    def text(
        self, sheet: RawSheet, line: int, kind: SheetKind, values: dict, key: str
    ) -> str | None:
        """The trimmed text of a column, or ``None`` after reporting a missing/too long value."""
        column = column_by_key(kind, key)
        text = cell_text(values.get(key))
        if not text and column.required:
            self.error(sheet, line, key, ErrorCode.MISSING_FIELD, column=column.display)
            return None
        if column.max_length and len(text) > column.max_length:
            self.error(sheet, line, key, ErrorCode.TOO_LONG, limit=column.max_length)
            return None
        return text

    def boolean(self, sheet: RawSheet, line: int, values: dict, key: str) -> bool | None:
        raw = values.get(key)
        if not cell_text(raw):
            return False
        try:
            return parse_bool(raw)
        except ValueError:
            self.error(sheet, line, key, ErrorCode.BAD_BOOLEAN, value=cell_text(raw))
            return None

    def date(
        self, sheet: RawSheet, line: int, kind: SheetKind, values: dict, key: str
    ) -> tuple[bool, dt.date | None]:
        """``(ok, date)``; a blank optional date is ``(True, None)``."""
        raw = values.get(key)
        if not cell_text(raw):
            column = column_by_key(kind, key)
            if column.required:
                self.error(sheet, line, key, ErrorCode.MISSING_FIELD, column=column.display)
                return False, None
            return True, None
        try:
            return True, parse_date(raw)
        except ValueError:
            self.error(sheet, line, key, ErrorCode.BAD_DATE, value=cell_text(raw))
            return False, None

    def duplicates(
        self, seen: dict[str, list[tuple[RawSheet, int]]], code: ErrorCode, column: str
    ) -> None:
        """Report every occurrence of a value that must be unique, naming the other lines."""
        for value, places in seen.items():
            if len(places) < 2:
                continue
            for sheet, line in places:
                others = ", ".join(
                    _where(other_sheet, other_line, sheet)
                    for other_sheet, other_line in places
                    if (other_sheet, other_line) != (sheet, line)
                )
                self.error(sheet, line, column, code, value=value, lines=others)

    # branches

    def plan_branches(self, sheets: list[tuple[RawSheet, list[str | None]]]) -> None:
        kind = SheetKind.BRANCHES
        seen: dict[str, list[tuple[RawSheet, int]]] = defaultdict(list)
        planned: list[BranchPlan] = []
        for sheet, mapping in sheets:
            for line, values in self.rows(sheet, mapping):
                errors_before = len(self.plan.errors)
                code = self.text(sheet, line, kind, values, "code")
                if code:
                    seen[code].append((sheet, line))
                name = self.text(sheet, line, kind, values, "name")
                region = self.text(sheet, line, kind, values, "region")
                row = {"name": name, "region": region}
                if "is_hq" in mapping:
                    row["is_hq"] = self.boolean(sheet, line, values, "is_hq")
                if len(self.plan.errors) == errors_before:
                    planned.append(BranchPlan(sheet=sheet.name, line=line, code=code, values=row))
        self.duplicates(seen, ErrorCode.DUPLICATE_BRANCH, "code")
        self.file_branch_codes = set(seen)
        duplicated = {code for code, places in seen.items() if len(places) > 1}
        self.compare_branches([item for item in planned if item.code not in duplicated])

    def resolve_region(self, text: str) -> None:
        plan = self.plan
        if text in plan.region_ids or text in plan.new_regions:
            return
        key = text.casefold()
        region_id = self.regions_by_code.get(key) or self.regions_by_name.get(key)
        if region_id is not None:
            plan.region_ids[text] = region_id
            return
        for other, new_region in plan.new_regions.items():
            if other.casefold() == key:  # "East" and "east" in one file: one new region
                plan.new_regions[text] = new_region
                return
        code = text[:32]
        taken = set(self.regions_by_code) | {c.casefold() for c, _n in plan.new_regions.values()}
        suffix = 1
        while code.casefold() in taken:
            suffix += 1
            code = f"{text[: 32 - len(str(suffix)) - 1]}-{suffix}"
        plan.new_regions[text] = (code, text)

    def compare_branches(self, planned: list[BranchPlan]) -> None:
        regions = list(Region.objects.values_list("id", "code", "name"))
        self.regions_by_code = {code.casefold(): pk for pk, code, _name in regions}
        self.regions_by_name: dict[str, int] = {}
        for pk, _code, name in regions:
            self.regions_by_name.setdefault(name.casefold(), pk)
        region_names = {pk: name for pk, _code, name in regions}
        existing = {
            row["code"]: row
            for row in Branch.objects.values("id", "code", "name", "region_id", "is_hq")
        }
        hq_now = {code for code, row in existing.items() if row["is_hq"]}
        for item in planned:
            self.resolve_region(item.values["region"])
            current = existing.get(item.code)
            if current is None:
                item.values.setdefault("is_hq", False)
                continue
            item.pk = current["id"]
            region_text = item.values["region"]
            if current["name"] != item.values["name"]:
                item.changes["name"] = (current["name"], item.values["name"])
            if self.plan.region_ids.get(region_text) != current["region_id"]:
                item.changes["region"] = (region_names[current["region_id"]], region_text)
            if "is_hq" in item.values and current["is_hq"] != item.values["is_hq"]:
                item.changes["is_hq"] = (
                    display_value(current["is_hq"]),
                    display_value(item.values["is_hq"]),
                )
            item.action = UPDATE if item.changes else UNCHANGED
        # At most one head office once the file is applied.
        hq_after = set(hq_now)
        for item in planned:
            if "is_hq" in item.values:
                (hq_after.add if item.values["is_hq"] else hq_after.discard)(item.code)
        if len(hq_after) > 1:
            for item in planned:
                if item.values.get("is_hq"):
                    others = ", ".join(sorted(hq_after - {item.code}))
                    self.item_error(item, "is_hq", ErrorCode.SECOND_HQ, value=others)
        self.plan.branches = planned

    # employees

    def plan_employees(self, sheets: list[tuple[RawSheet, list[str | None]]]) -> None:
        known_branches = set(Branch.objects.values_list("code", flat=True))
        known_branches |= self.file_branch_codes
        seen: dict[str, list[tuple[RawSheet, int]]] = defaultdict(list)
        planned: list[EmployeePlan] = []
        for sheet, mapping in sheets:
            present = {key for key in mapping if key}
            for line, values in self.rows(sheet, mapping):
                errors_before = len(self.plan.errors)
                row = self.employee_row(sheet, line, values, present, known_branches)
                number = row.pop("employee_no")
                if number:
                    seen[number].append((sheet, line))
                if len(self.plan.errors) == errors_before:
                    planned.append(
                        EmployeePlan(sheet=sheet.name, line=line, employee_no=number, values=row)
                    )
        self.duplicates(seen, ErrorCode.DUPLICATE_EMPLOYEE, "employee_no")
        duplicated = {number for number, places in seen.items() if len(places) > 1}
        planned = [item for item in planned if item.employee_no not in duplicated]
        self.compare_employees(planned)

    def employee_row(
        self, sheet: RawSheet, line: int, values: dict, present: set[str], known_branches: set
    ) -> dict[str, Any]:
        """One employee row's values, reporting each problem; ``employee_no`` is ``None`` when
        it is missing or malformed."""
        kind = SheetKind.EMPLOYEES
        row: dict[str, Any] = {}
        number = self.text(sheet, line, kind, values, "employee_no")
        if number and not _EMPLOYEE_NO.match(number):
            self.error(sheet, line, "employee_no", ErrorCode.BAD_EMPLOYEE_NO, value=number)
            number = None
        row["employee_no"] = number
        row["name"] = self.text(sheet, line, kind, values, "name")
        branch_code = self.text(sheet, line, kind, values, "branch_code")
        if branch_code and branch_code not in known_branches and not self.branch_sheet_failed:
            self.error(sheet, line, "branch_code", ErrorCode.UNKNOWN_BRANCH, value=branch_code)
        row["branch_code"] = branch_code
        for key in ("team", "job_title", "email"):
            if key in present:
                row[key] = self.text(sheet, line, kind, values, key)
        if row.get("email"):
            try:
                validate_email(row["email"])
            except ValidationError:
                self.error(sheet, line, "email", ErrorCode.BAD_EMAIL, value=row["email"])
        category = cell_text(values.get("position_category"))
        if not category:
            column = column_by_key(kind, "position_category").display
            self.error(sheet, line, "position_category", ErrorCode.MISSING_FIELD, column=column)
        else:
            try:
                row["position_category"] = parse_category(category)
            except ValueError:
                self.error(
                    sheet, line, "position_category", ErrorCode.UNKNOWN_CATEGORY, value=category
                )
        if "is_core_role" in present:
            row["is_core_role"] = self.boolean(sheet, line, values, "is_core_role")
        hire_ok, hire = self.date(sheet, line, kind, values, "hire_date")
        row["hire_date"] = hire
        if "leave_date" in present:
            leave_ok, leave = self.date(sheet, line, kind, values, "leave_date")
            row["leave_date"] = leave
            if hire_ok and leave_ok and leave and leave < hire:
                self.error(
                    sheet,
                    line,
                    "leave_date",
                    ErrorCode.LEAVE_BEFORE_HIRE,
                    value=leave.isoformat(),
                    hire=hire.isoformat(),
                )
        return row

    def compare_employees(self, planned: list[EmployeePlan]) -> None:
        existing: dict[str, dict] = {}
        for chunk in chunked(item.employee_no for item in planned):
            for row in Employee.objects.filter(employee_no__in=chunk).values(
                "id",
                "employee_no",
                "name",
                "branch__code",
                "team__name",
                "job_title",
                "position_category",
                "is_core_role",
                "hire_date",
                "leave_date",
                "user_id",
                "user__email",
            ):
                existing[row["employee_no"]] = row
        self.check_logins([item for item in planned if item.employee_no not in existing])
        teams_needed = {
            (item.values["branch_code"], item.values["team"])
            for item in planned
            if item.values.get("team")
        }
        teams_existing = set(
            Team.objects.filter(branch__code__in={code for code, _ in teams_needed}).values_list(
                "branch__code", "name"
            )
        )
        self.plan.new_teams = teams_needed - teams_existing
        for item in planned:
            current = existing.get(item.employee_no)
            if current is None:
                continue
            item.pk = current["id"]
            item.user_id = current["user_id"]
            new = item.values
            old = {
                "name": current["name"],
                "branch_code": current["branch__code"],
                "team": current["team__name"] or "",
                "job_title": current["job_title"],
                "position_category": current["position_category"],
                "is_core_role": current["is_core_role"],
                "hire_date": current["hire_date"],
                "leave_date": current["leave_date"],
                "email": current["user__email"],
            }
            if new["branch_code"] != old["branch_code"] and "team" not in new and old["team"]:
                new["team"] = ""  # a team belongs to one branch: moving branch leaves it
            for key, value in new.items():
                if old[key] != value:
                    item.changes[key] = (display_value(old[key]), display_value(value))
            item.action = UPDATE if item.changes else UNCHANGED
        self.plan.employees = planned

    def check_logins(self, new_items: list[EmployeePlan]) -> None:
        """A new employee's login name is their number: an account that already has it may be
        reused only if it is an ordinary account without an employee record."""
        user_model = get_user_model()
        by_number = {item.employee_no: item for item in new_items}
        rejected: set[str] = set()
        for chunk in chunked(by_number):
            accounts = user_model.objects.filter(username__in=chunk).values_list(
                "id", "username", "is_staff", "is_superuser", "employee__id"
            )
            for pk, username, is_staff, is_superuser, employee_id in accounts:
                item = by_number[username]
                if is_staff or is_superuser or employee_id is not None:
                    self.item_error(item, "employee_no", ErrorCode.LOGIN_TAKEN, value=username)
                    rejected.add(username)
                else:
                    item.user_id = pk
        if rejected:
            new_items[:] = [item for item in new_items if item.employee_no not in rejected]


def _column_letter(position: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(position + 1)


def _where(sheet: RawSheet, line: int, seen_from: RawSheet) -> str:
    return (
        str(line) if sheet is seen_from or sheet.name == seen_from.name else f"{sheet.name} {line}"
    )


def build_plan(
    *, sheets: list[RawSheet], file_name: str = "", progress: Progress | None = None
) -> ImportPlan:
    """Validate every row of ``sheets`` against the rules and the database; writes nothing."""
    plan = ImportPlan(file_name=file_name, rows_total=sum(len(s.rows) for s in sheets))
    planner = _Planner(plan, progress)
    if progress is not None:
        progress(0, plan.rows_total)
    by_kind: dict[SheetKind, list[tuple[RawSheet, list[str | None]]]] = defaultdict(list)
    for sheet in sheets:
        kind = planner.sheet_kind(sheet)
        if kind is None:
            continue
        mapping = planner.header_map(sheet, kind)
        plan.sheets.append({"name": sheet.name, "kind": str(kind), "rows": len(sheet.rows)})
        if mapping is None:
            planner.done += len(sheet.rows)
            if kind == SheetKind.BRANCHES:
                planner.branch_sheet_failed = True
            continue
        by_kind[kind].append((sheet, mapping))
    if not plan.errors and plan.rows_total == 0:
        plan.errors.append(RowError(line=1, column="", code=ErrorCode.EMPTY_FILE, sheet=""))
    if by_kind[SheetKind.BRANCHES]:
        planner.plan_branches(by_kind[SheetKind.BRANCHES])
    if by_kind[SheetKind.EMPLOYEES]:
        planner.plan_employees(by_kind[SheetKind.EMPLOYEES])
    order = {sheet.name: index for index, sheet in enumerate(sheets)}
    plan.errors.sort(key=lambda e: (order.get(e.sheet, -1), e.line))
    if progress is not None:
        progress(plan.rows_total, plan.rows_total)
    return plan


def plan_file(
    *, data: bytes, file_name: str, max_rows: int, progress: Progress | None = None
) -> ImportPlan:
    """Read ``data`` (a CSV or XLSX file's bytes) and plan its import; writes nothing."""
    try:
        sheets = read_sheets(data=data, file_name=file_name, max_rows=max_rows)
    except UnreadableFile as exc:
        plan = ImportPlan(file_name=file_name)
        plan.errors.append(RowError(line=1, column="", code=exc.code, params=exc.params))
        return plan
    return build_plan(sheets=sheets, file_name=file_name, progress=progress)
