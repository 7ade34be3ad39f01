"""Scoping of outcome metric values (see ``hub.organisation.scoping``).

A value of a branch, of one of its teams or of one of its employees is seen by HQ (HQ admins
and the training lead read all) and by the managers of that branch; only HQ admins change one.
"""

from __future__ import annotations

from django.db.models import QuerySet

from evaluation.metrics.models import MetricValue
from hub.organisation import scoping
from hub.organisation.access import Access

SCOPE_BRANCH_PATHS = ("branch", "team__branch", "employee__branch")


def _visible_values(access: Access, qs: QuerySet) -> QuerySet:
    return scoping.scoped(qs, access, *(scoping.branch_q(access, p) for p in SCOPE_BRANCH_PATHS))


def value_branch_id(value: MetricValue) -> int | None:
    if value.branch_id is not None:
        return value.branch_id
    if value.team_id is not None:
        return value.team.branch_id
    return value.employee.branch_id if value.employee_id is not None else None


scoping.register(
    MetricValue,
    visible=_visible_values,
    change=lambda access, value: access.is_hq_admin,
    see=lambda access, value: access.is_hq or access.manages(value_branch_id(value)),
)
