"""Apply a valid ``ImportPlan``: all-or-nothing, in bulk.

Everything happens in one ``transaction.atomic()``: regions, branches, teams, user accounts,
employees and the ``import.applied`` audit event. Any exception rolls all of it back.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from hub.organisation.imports.plan import CREATE, UPDATE, ImportPlan, chunked
from hub.organisation.models import (
    AuditEvent,
    Branch,
    Employee,
    ImportBatch,
    Region,
    Team,
    pinyin_key,
)
from hub.organisation.services import audit_record

BATCH_SIZE = 500  # rows per INSERT/UPDATE statement (Django lowers it further on SQLite)
EMPLOYEE_FIELDS = {
    "name": "name",
    "job_title": "job_title",
    "position_category": "position_category",
    "is_core_role": "is_core_role",
    "hire_date": "hire_date",
    "leave_date": "leave_date",
}


class PlanNotValid(Exception):
    """``plan_apply`` was given a plan with errors (or nothing to import)."""


@dataclass
class _Ids:
    branches: dict[str, int]
    teams: dict[tuple[int, str], int]


def _apply_regions(plan: ImportPlan) -> dict[str, int]:
    Region.objects.bulk_create(
        [Region(code=code, name=name) for code, name in sorted(set(plan.new_regions.values()))]
    )
    ids = dict(plan.region_ids)
    if plan.new_regions:
        by_code = dict(
            Region.objects.filter(
                code__in=[code for code, _name in plan.new_regions.values()]
            ).values_list("code", "id")
        )
        for text, (code, _name) in plan.new_regions.items():
            ids[text] = by_code[code]
    return ids


def _apply_branches(plan: ImportPlan, region_ids: dict[str, int]) -> dict[str, int]:
    """Create and update branches; a branch losing head-office status is saved first so the
    single-head-office constraint holds after every statement."""
    updates = [item for item in plan.branches if item.action == UPDATE]
    current = Branch.objects.in_bulk([item.pk for item in updates])
    losing_hq = [item for item in updates if item.values.get("is_hq") is False]
    for item in losing_hq:
        if current[item.pk].is_hq:
            current[item.pk].is_hq = False
            current[item.pk].save(update_fields=["is_hq"])
    Branch.objects.bulk_create(
        [
            Branch(
                code=item.code,
                name=item.values["name"],
                region_id=region_ids[item.values["region"]],
                is_hq=item.values["is_hq"],
            )
            for item in plan.branches
            if item.action == CREATE
        ]
    )
    changed = []
    for item in updates:
        branch = current[item.pk]
        branch.name = item.values["name"]
        branch.region_id = region_ids[item.values["region"]]
        if "is_hq" in item.values:
            branch.is_hq = item.values["is_hq"]
        changed.append(branch)
    Branch.objects.bulk_update(changed, ["name", "region", "is_hq"], batch_size=BATCH_SIZE)
    codes = {item.code for item in plan.branches}
    codes |= {item.values["branch_code"] for item in plan.employees}
    ids: dict[str, int] = {}
    for chunk in chunked(codes):
        ids.update(Branch.objects.filter(code__in=chunk).values_list("code", "id"))
    return ids


def _apply_teams(plan: ImportPlan, branch_ids: dict[str, int]) -> dict[tuple[int, str], int]:
    Team.objects.bulk_create(
        [Team(branch_id=branch_ids[code], name=name) for code, name in sorted(plan.new_teams)],
        batch_size=BATCH_SIZE,
    )
    needed = {item.values["branch_code"] for item in plan.employees if item.values.get("team")}
    ids: dict[tuple[int, str], int] = {}
    for chunk in chunked(branch_ids[code] for code in needed):
        for pk, branch_id, name in Team.objects.filter(branch_id__in=chunk).values_list(
            "id", "branch_id", "name"
        ):
            ids[(branch_id, name)] = pk
    return ids


def _team_id(values: dict, ids: _Ids) -> int | None:
    name = values.get("team")
    return ids.teams[(ids.branches[values["branch_code"]], name)] if name else None


def _apply_users(plan: ImportPlan) -> dict[str, int]:
    """Accounts for new employees: login name = employee number, no usable password until
    one is set for them. Email changes of existing accounts too."""
    user_model = get_user_model()
    creates = [item for item in plan.employees if item.action == CREATE]
    new_users = []
    for item in creates:
        if item.user_id is None:
            user = user_model(username=item.employee_no, email=item.values.get("email") or "")
            user.set_unusable_password()
            new_users.append(user)
    user_model.objects.bulk_create(new_users, batch_size=BATCH_SIZE)
    ids: dict[str, int] = {}
    for chunk in chunked(user.username for user in new_users):
        ids.update(user_model.objects.filter(username__in=chunk).values_list("username", "id"))
    emails = {
        item.user_id: item.values["email"]
        for item in plan.employees
        if item.user_id is not None
        and "email" in item.values
        and (item.action == CREATE or "email" in item.changes)
    }
    changed = []
    for chunk in chunked(emails):
        for user in user_model.objects.filter(pk__in=chunk).only("id", "email"):
            if user.email != emails[user.pk]:
                user.email = emails[user.pk]
                changed.append(user)
    user_model.objects.bulk_update(changed, ["email"], batch_size=BATCH_SIZE)
    return ids


def _apply_employees(plan: ImportPlan, ids: _Ids, user_ids: dict[str, int]) -> None:
    creates = []
    for item in plan.employees:
        if item.action != CREATE:
            continue
        values = item.values
        creates.append(
            Employee(
                user_id=item.user_id or user_ids[item.employee_no],
                employee_no=item.employee_no,
                name=values["name"],
                name_pinyin=pinyin_key(values["name"]),  # bulk_create skips Employee.save()
                branch_id=ids.branches[values["branch_code"]],
                team_id=_team_id(values, ids),
                job_title=values.get("job_title") or "",
                position_category=values["position_category"],
                is_core_role=bool(values.get("is_core_role")),
                hire_date=values["hire_date"],
                leave_date=values.get("leave_date"),
            )
        )
    Employee.objects.bulk_create(creates, batch_size=BATCH_SIZE)

    updates = {item.pk: item for item in plan.employees if item.action == UPDATE}
    fields: set[str] = set()
    changed = []
    for chunk in chunked(updates):
        for employee in Employee.objects.filter(pk__in=chunk):
            item = updates[employee.pk]
            values = item.values
            for key, attribute in EMPLOYEE_FIELDS.items():
                if key in item.changes:
                    setattr(employee, attribute, values[key])
                    fields.add(attribute)
            if "name" in item.changes:
                employee.name_pinyin = pinyin_key(values["name"])
                fields.add("name_pinyin")
            if "branch_code" in item.changes:
                employee.branch_id = ids.branches[values["branch_code"]]
                fields.add("branch")
            if "team" in item.changes or ("branch_code" in item.changes and "team" in values):
                employee.team_id = _team_id(values, ids)
                fields.add("team")
            changed.append(employee)
    if fields:
        Employee.objects.bulk_update(changed, sorted(fields), batch_size=BATCH_SIZE)


def plan_apply(
    *, plan: ImportPlan, actor, batch: ImportBatch | None = None
) -> dict[str, dict[str, int] | int]:
    """Write a valid plan in one transaction and record one ``import.applied`` audit event.

    Preconditions: ``plan`` was built by ``validation.build_plan`` and has no errors; the
    caller checked that ``actor`` (a user, or ``None`` for a system job) may import. When the
    database changed since the plan was built so that a write fails (e.g. a unique employee
    number), the exception propagates and nothing is written. Returns the plan's counts.
    """
    if not plan.is_valid:
        raise PlanNotValid
    counts = plan.counts()
    with transaction.atomic():
        region_ids = _apply_regions(plan)
        branch_ids = _apply_branches(plan, region_ids)
        team_ids = _apply_teams(plan, branch_ids)
        ids = _Ids(branches=branch_ids, teams=team_ids)
        user_ids = _apply_users(plan)
        _apply_employees(plan, ids, user_ids)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.IMPORT_APPLIED,
            summary=plan.summary(),
            data={
                "file_name": plan.file_name,
                "batch_id": batch.pk if batch is not None else None,
                "counts": counts,
            },
        )
    return counts
