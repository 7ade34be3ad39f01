"""The result of a dry run: what importing a file would create, update or leave alone."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from hub.organisation.imports.cells import display_value
from hub.organisation.imports.columns import SheetKind
from hub.organisation.imports.errors import RowError

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
QUERY_CHUNK = 900  # values per ``IN (...)``: below SQLite's historic 999-parameter limit
SAMPLE_SIZE = 50  # changes kept in the report for the preview
MAX_STORED_ERRORS = 10_000  # errors kept in the report; the count is always exact


def chunked(values: Iterable, size: int = QUERY_CHUNK) -> Iterator[list]:
    """``values`` in lists of at most ``size``, for ``IN (...)`` queries."""
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass
class BranchPlan:
    """One branch row: ``values`` holds the columns the file gives (region as written)."""

    sheet: str
    line: int
    code: str
    values: dict[str, Any]
    action: str = CREATE
    pk: int | None = None
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class EmployeePlan:
    """One employee row. ``user_id`` is an existing account to reuse for a new employee."""

    sheet: str
    line: int
    employee_no: str
    values: dict[str, Any]
    action: str = CREATE
    pk: int | None = None
    user_id: int | None = None
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class ImportPlan:
    """What importing a file would do, or why it cannot be imported."""

    file_name: str = ""
    rows_total: int = 0
    sheets: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # region as written in the file → existing id, or (code, name) of a region to create
    region_ids: dict[str, int] = field(default_factory=dict)
    new_regions: dict[str, tuple[str, str]] = field(default_factory=dict)
    branches: list[BranchPlan] = field(default_factory=list)
    employees: list[EmployeePlan] = field(default_factory=list)
    new_teams: set[tuple[str, str]] = field(default_factory=set)

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.branches or self.employees)

    @property
    def error_rows(self) -> int:
        return len({(e.sheet, e.line) for e in self.errors})

    def counts(self) -> dict[str, Any]:
        def tally(items) -> dict[str, int]:
            result = {CREATE: 0, UPDATE: 0, UNCHANGED: 0}
            for item in items:
                result[item.action] += 1
            return result

        return {
            "rows": self.rows_total,
            "branches": tally(self.branches),
            "employees": tally(self.employees),
            "regions_created": len(set(self.new_regions.values())),
            "teams_created": len(self.new_teams),
            "errors": len(self.errors),
            "error_rows": self.error_rows,
        }

    def summary(self) -> str:
        """One line for the command's output and the audit log (in the active language)."""
        counts = self.counts()
        branches, employees = counts["branches"], counts["employees"]
        return _(
            "%(file)s: employees %(e_new)s new, %(e_upd)s updated, %(e_same)s unchanged; "
            "branches %(b_new)s new, %(b_upd)s updated, %(b_same)s unchanged; "
            "%(regions)s new regions, %(teams)s new teams."
        ) % {
            "file": self.file_name,
            "e_new": employees[CREATE],
            "e_upd": employees[UPDATE],
            "e_same": employees[UNCHANGED],
            "b_new": branches[CREATE],
            "b_upd": branches[UPDATE],
            "b_same": branches[UNCHANGED],
            "regions": counts["regions_created"],
            "teams": counts["teams_created"],
        }

    def changes_sample(self, limit: int = SAMPLE_SIZE) -> list[dict]:
        """The first ``limit`` creates and updates, branches first, for the preview."""
        sample: list[dict] = []
        for kind, items, key in (
            (SheetKind.BRANCHES, self.branches, "code"),
            (SheetKind.EMPLOYEES, self.employees, "employee_no"),
        ):
            for item in items:
                if len(sample) >= limit:
                    return sample
                if item.action == UNCHANGED:
                    continue
                if item.action == CREATE:
                    changes = {
                        k: ["", display_value(v)]
                        for k, v in item.values.items()
                        if v not in (None, "")
                    }
                else:
                    changes = {k: list(v) for k, v in item.changes.items()}
                sample.append(
                    {
                        "kind": str(kind),
                        "sheet": item.sheet,
                        "line": item.line,
                        "key": getattr(item, key),
                        "name": display_value(item.values.get("name", "")),
                        "action": item.action,
                        "changes": changes,
                    }
                )
        return sample

    def report(self) -> dict[str, Any]:
        """JSON for ``ImportBatch.report``: counts, the errors (capped) and a change sample."""
        return {
            "file_name": self.file_name,
            "sheets": self.sheets,
            "counts": self.counts(),
            "errors": [e.as_json() for e in self.errors[:MAX_STORED_ERRORS]],
            "errors_truncated": len(self.errors) > MAX_STORED_ERRORS,
            "changes": self.changes_sample() if not self.errors else [],
        }
