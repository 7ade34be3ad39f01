"""Dry run of a metric values file (CSV/XLSX): read it with the HR import's readers, check
every row, and say what importing it would create, update or leave alone.

Columns (Chinese or English headers, as the HR import matches them): 指标编码 (metric),
范围编码 (scope: a branch code, ``branch code/team name`` or an employee number, by the
metric's level), 期间 (period: ``2026-03``, ``2026年3月``, ``2026-Q1``, ``2026年第1季度``) and
数值 (value). The key of a value is (metric, scope, period): importing a row whose value is
already stored changes nothing, so importing the same file twice writes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from evaluation.metrics.models import MetricDefinition, MetricValue
from evaluation.metrics.rules import month_end, quarter_end
from hub.organisation.imports.cells import cell_text
from hub.organisation.imports.columns import Column, alias_index, match_header
from hub.organisation.imports.errors import ErrorCode, RowError, register_messages
from hub.organisation.imports.plan import CREATE, UNCHANGED, UPDATE, chunked
from hub.organisation.imports.readers import UnreadableFile, read_sheets
from hub.organisation.models import Branch, Employee, Team

SAMPLE_SIZE = 50
MAX_STORED_ERRORS = 10_000


class MetricErrorCode(StrEnum):
    UNKNOWN_METRIC = "metric_unknown"
    COMPUTED_METRIC = "metric_computed"
    UNKNOWN_SCOPE = "metric_unknown_scope"
    BAD_PERIOD = "metric_bad_period"
    BAD_NUMBER = "metric_bad_number"
    DUPLICATE_VALUE = "metric_duplicate_value"


register_messages(
    {
        MetricErrorCode.UNKNOWN_METRIC: _("Unknown metric code: %(value)s"),
        MetricErrorCode.COMPUTED_METRIC: _(
            "Metric %(value)s is computed by Lectern and cannot be imported"
        ),
        MetricErrorCode.UNKNOWN_SCOPE: _(
            "Unknown %(level)s: %(value)s (a branch code, branch code/team name or an "
            "employee number, by the metric's level)"
        ),
        MetricErrorCode.BAD_PERIOD: _(
            "Bad period: '%(value)s' (use 2026-03 for a month or 2026-Q1 for a quarter)"
        ),
        MetricErrorCode.BAD_NUMBER: _("Not a number: '%(value)s'"),
        MetricErrorCode.DUPLICATE_VALUE: _(
            "The same metric, scope and period also appear on line %(lines)s"
        ),
    }
)

COLUMNS: tuple[Column, ...] = (
    Column(
        "metric",
        "指标编码",
        _("Metric code"),
        True,
        _("Code of an imported outcome metric, e.g. cross_sell."),
        "cross_sell",
        aliases=("metric_code", "metric code", "指标"),
        max_length=40,
    ),
    Column(
        "scope",
        "范围编码",
        _("Scope"),
        True,
        _("Branch code; branch code/team name; or employee number (by the metric's level)."),
        "SH01",
        aliases=("scope_code", "scope code", "范围", "分部/团队/工号"),
        max_length=140,
    ),
    Column(
        "period",
        "期间",
        _("Period"),
        True,
        _("A month (2026-03, 2026年3月) or a quarter (2026-Q1, 2026年第1季度)."),
        "2026-03",
        aliases=("month", "quarter", "月份", "季度"),
    ),
    Column(
        "value",
        "数值",
        _("Value"),
        True,
        _("A number; a percentage as a plain number (22.5 for 22.5 percent)."),
        "22.5",
        aliases=("值", "指标值"),
    ),
)
_INDEX = alias_index(COLUMNS)
_MONTH = re.compile(r"^(?P<y>\d{4})\s*(?:[-/.年])\s*(?P<m>\d{1,2})\s*月?$")
_QUARTER = re.compile(r"^(?P<y>\d{4})\s*(?:[-/ ]|年)?\s*(?:第)?\s*[Qq]?(?P<q>[1-4])\s*(?:季度)?$")


def parse_period(value: object) -> tuple[dt.date, dt.date]:
    """A month or a quarter → (first day, last day). A real Excel date means its month."""
    if isinstance(value, dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        return day.replace(day=1), month_end(day)
    text = unicodedata.normalize("NFKC", cell_text(value))
    match = _MONTH.match(text)
    if match and 1 <= int(match["m"]) <= 12:
        first = dt.date(int(match["y"]), int(match["m"]), 1)
        return first, month_end(first)
    match = _QUARTER.match(text) if ("q" in text.casefold() or "季" in text) else None
    if match:
        first = dt.date(int(match["y"]), 3 * int(match["q"]) - 2, 1)
        return first, quarter_end(first)
    raise ValueError(value)


def parse_number(value: object) -> Decimal:
    text = cell_text(value).replace(",", "").removesuffix("%").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite() or abs(number) >= Decimal("1e10"):
        raise ValueError(value)
    return number.quantize(Decimal("0.0001"))


@dataclass
class ValueRow:
    line: int
    sheet: str
    metric: MetricDefinition
    scope_field: str  # branch / team / employee
    scope_id: int
    scope_text: str
    period_start: dt.date
    period_end: dt.date
    value: Decimal
    action: str = CREATE
    pk: int | None = None
    old_value: Decimal | None = None

    @property
    def key(self) -> tuple:
        return (self.metric.pk, self.scope_field, self.scope_id, self.period_start, self.period_end)


@dataclass
class MetricPlan:
    file_name: str = ""
    rows_total: int = 0
    errors: list[RowError] = field(default_factory=list)
    rows: list[ValueRow] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.rows)

    def counts(self) -> dict:
        tally = {CREATE: 0, UPDATE: 0, UNCHANGED: 0}
        for row in self.rows:
            tally[row.action] += 1
        return {
            "rows": self.rows_total,
            "values": tally,
            "errors": len(self.errors),
            "error_rows": len({(e.sheet, e.line) for e in self.errors}),
        }

    def report(self) -> dict:
        changes = [
            {
                "line": row.line,
                "metric": row.metric.code,
                "scope": row.scope_text,
                "period": f"{row.period_start:%Y-%m-%d} ~ {row.period_end:%Y-%m-%d}",
                "action": row.action,
                "old": "" if row.old_value is None else f"{row.old_value.normalize():f}",
                "new": f"{row.value.normalize():f}",
            }
            for row in self.rows
            if row.action != UNCHANGED
        ][:SAMPLE_SIZE]
        return {
            "file_name": self.file_name,
            "counts": self.counts(),
            "errors": [e.as_json() for e in self.errors[:MAX_STORED_ERRORS]],
            "changes": changes if not self.errors else [],
        }


class _Planner:
    def __init__(self, plan: MetricPlan) -> None:
        self.plan = plan
        self.metrics = {m.code.casefold(): m for m in MetricDefinition.objects.all()}
        self.branches = dict(Branch.objects.values_list("code", "pk"))
        self.teams = {
            (code, name): pk
            for pk, code, name in Team.objects.values_list("pk", "branch__code", "name")
        }

    def error(self, sheet: str, line: int, key: str, code, **params) -> None:
        self.plan.errors.append(
            RowError(line=line, column=key, code=code, params=params, sheet=sheet)
        )

    def header_map(self, sheet) -> list[str | None] | None:
        mapping: list[str | None] = []
        failed = False
        for header in sheet.header:
            text = cell_text(header)
            key = match_header(_INDEX, text) if text else None
            if text and key is None:
                self.error(sheet.name, sheet.header_line, "", ErrorCode.UNKNOWN_COLUMN, value=text)
                failed = True
            elif key is not None and key in mapping:
                self.error(
                    sheet.name, sheet.header_line, key, ErrorCode.DUPLICATE_COLUMN, column=key
                )
                failed = True
            mapping.append(key)
        for column in COLUMNS:
            if column.key not in mapping:
                self.error(
                    sheet.name,
                    sheet.header_line,
                    column.key,
                    ErrorCode.MISSING_COLUMN,
                    column=column.display,
                )
                failed = True
        return None if failed else mapping

    def scope(self, metric: MetricDefinition, text: str) -> tuple[str, int] | None:
        level = metric.level
        if level == MetricDefinition.Level.BRANCH:
            pk = self.branches.get(text)
        elif level == MetricDefinition.Level.TEAM:
            code, _sep, name = text.partition("/")
            pk = self.teams.get((code.strip(), name.strip()))
        else:
            return ("employee", text) if text else None  # resolved in one query afterwards
        return (level, pk) if pk is not None else None

    def sheet(self, sheet) -> None:
        mapping = self.header_map(sheet)
        if mapping is None:
            return
        for line, cells in sheet.rows:
            self.plan.rows_total += 1
            raw = {key: cells[i] for i, key in enumerate(mapping) if key and i < len(cells)}
            self.row(sheet.name, line, raw)

    def row(self, sheet: str, line: int, raw: dict) -> None:
        texts = {column.key: cell_text(raw.get(column.key)) for column in COLUMNS}
        missing = [c for c in COLUMNS if not texts[c.key]]
        for column in missing:
            self.error(sheet, line, column.key, ErrorCode.MISSING_FIELD, column=column.display)
        if missing:
            return
        failed = False
        metric = self.metrics.get(texts["metric"].casefold())
        if metric is None:
            self.error(sheet, line, "metric", MetricErrorCode.UNKNOWN_METRIC, value=texts["metric"])
            failed = True
        elif metric.source == MetricDefinition.Source.COMPUTED:
            self.error(sheet, line, "metric", MetricErrorCode.COMPUTED_METRIC, value=metric.code)
            failed = True
        try:
            start, end = parse_period(raw.get("period"))
        except ValueError:
            self.error(sheet, line, "period", MetricErrorCode.BAD_PERIOD, value=texts["period"])
            failed = True
        try:
            value = parse_number(raw.get("value"))
        except ValueError:
            self.error(sheet, line, "value", MetricErrorCode.BAD_NUMBER, value=texts["value"])
            failed = True
        scope = self.scope(metric, texts["scope"]) if metric is not None else None
        if metric is not None and scope is None:
            self.error(
                sheet,
                line,
                "scope",
                MetricErrorCode.UNKNOWN_SCOPE,
                value=texts["scope"],
                level=metric.get_level_display(),
            )
            failed = True
        if failed:
            return
        self.plan.rows.append(
            ValueRow(
                line=line,
                sheet=sheet,
                metric=metric,
                scope_field=scope[0],
                scope_id=scope[1],
                scope_text=texts["scope"],
                period_start=start,
                period_end=end,
                value=value,
            )
        )

    def resolve_employees(self) -> None:
        numbers = {row.scope_id for row in self.plan.rows if row.scope_field == "employee"}
        found: dict[str, int] = {}
        for chunk in chunked(numbers):
            found.update(
                Employee.objects.filter(employee_no__in=chunk).values_list("employee_no", "pk")
            )
        kept = []
        for row in self.plan.rows:
            if row.scope_field == "employee":
                if row.scope_id not in found:
                    self.error(
                        row.sheet,
                        row.line,
                        "scope",
                        MetricErrorCode.UNKNOWN_SCOPE,
                        value=row.scope_text,
                        level=row.metric.get_level_display(),
                    )
                    continue
                row.scope_id = found[row.scope_id]
            kept.append(row)
        self.plan.rows = kept

    def duplicates(self) -> None:
        seen: dict[tuple, ValueRow] = {}
        for row in self.plan.rows:
            first = seen.setdefault(row.key, row)
            if first is not row:
                self.error(
                    row.sheet, row.line, "", MetricErrorCode.DUPLICATE_VALUE, lines=first.line
                )

    def compare(self) -> None:
        """Create, update or unchanged against what is stored (one query per metric)."""
        by_metric: dict[int, list[ValueRow]] = {}
        for row in self.plan.rows:
            by_metric.setdefault(row.metric.pk, []).append(row)
        for metric_id, rows in by_metric.items():
            starts = {row.period_start for row in rows}
            stored = {}
            for chunk in chunked(starts):
                for value in MetricValue.objects.filter(
                    metric_id=metric_id, period_start__in=chunk
                ).only(
                    "pk",
                    "branch_id",
                    "team_id",
                    "employee_id",
                    "period_start",
                    "period_end",
                    "value",
                ):
                    field_name = (
                        "branch" if value.branch_id else "team" if value.team_id else "employee"
                    )
                    scope_id = value.branch_id or value.team_id or value.employee_id
                    key = (metric_id, field_name, scope_id, value.period_start, value.period_end)
                    stored[key] = value
            for row in rows:
                current = stored.get(row.key)
                if current is None:
                    continue
                row.pk, row.old_value = current.pk, current.value
                row.action = UNCHANGED if current.value == row.value else UPDATE


def plan_file(*, data: bytes, file_name: str, max_rows: int) -> MetricPlan:
    """Read and check a whole file without writing anything (all errors, not just the first)."""
    plan = MetricPlan(file_name=file_name)
    try:
        sheets = read_sheets(data=data, file_name=file_name, max_rows=max_rows)
    except UnreadableFile as exc:
        plan.errors.append(RowError(line=0, column="", code=exc.code, params=exc.params))
        return plan
    planner = _Planner(plan)
    for sheet in sheets:
        planner.sheet(sheet)
    planner.resolve_employees()
    planner.duplicates()
    if not plan.errors:
        planner.compare()
    if not plan.rows_total and not plan.errors:
        plan.errors.append(RowError(line=0, column="", code=ErrorCode.EMPTY_FILE))
    plan.errors.sort(key=lambda e: (e.sheet, e.line))
    return plan
