"""Reads of the organisation, with the joins their pages need."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from hub.organisation.models import (
    AuditEvent,
    Branch,
    Employee,
    ImportBatch,
    PerformanceGrade,
    Role,
    RoleGrant,
    left_by,
)
from hub.organisation.permissions import visible_branches, visible_employees


def employee_directory(
    *,
    user,
    query: str = "",
    branch_code: str = "",
    category: str = "",
    status: str = "",
) -> QuerySet[Employee]:
    """Employees ``user`` may see, filtered by name, pinyin or employee number, branch,
    position category and employment (``""`` current staff, ``"left"`` leavers, ``"all"``).

    Sorted by pinyin so Chinese names come out in dictionary order; constant query count.
    """
    qs = visible_employees(user).select_related("branch", "team")
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(name__icontains=query)
            | Q(employee_no__icontains=query)
            | Q(name_pinyin__icontains="".join(query.lower().split()))
        )
    if branch_code:
        qs = qs.filter(branch__code=branch_code)
    if category:
        qs = qs.filter(position_category=category)
    if status == "left":
        qs = qs.leavers()
    elif status != "all":
        qs = qs.current()
    return qs.order_by("name_pinyin", "employee_no")


def employee_profile(*, employee_no: str) -> Employee | None:
    return (
        Employee.objects.select_related("user", "branch__region", "team")
        .filter(employee_no=employee_no)
        .first()
    )


def employee_grades(*, employee: Employee) -> QuerySet[PerformanceGrade]:
    return employee.grades.order_by("-period_start")


def employee_roles(*, employee: Employee) -> QuerySet[RoleGrant]:
    return employee.role_grants.select_related("branch", "granted_by").order_by("role")


def branch_overview(*, user) -> QuerySet[Branch]:
    """Visible branches with head counts and trainer counts (both of current staff: a leaver
    keeps their trainer grant for the record but no longer trains), one query."""
    current = ~left_by(timezone.localdate(), prefix="employees__")
    return (
        visible_branches(user)
        .select_related("region")
        .annotate(
            headcount=Count("employees", filter=current, distinct=True),
            trainers=Count(
                "employees__role_grants",
                filter=Q(employees__role_grants__role=Role.TRAINER) & current,
            ),
        )
        .order_by("-is_hq", "code")
    )


def audit_events() -> QuerySet[AuditEvent]:
    return AuditEvent.objects.select_related("actor__employee")


def import_batches() -> QuerySet[ImportBatch]:
    return ImportBatch.objects.select_related("uploaded_by__employee")


def import_batch_previously_applied(*, batch: ImportBatch) -> ImportBatch | None:
    """The latest other batch with the same file contents that was applied, if any."""
    return (
        ImportBatch.objects.filter(sha256=batch.sha256, status=ImportBatch.Status.APPLIED)
        .exclude(pk=batch.pk)
        .order_by("-applied_at")
        .first()
    )
