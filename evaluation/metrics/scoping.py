"""Scoping of outcome metric values and stored session lifts (see
``hub.organisation.scoping``).

A value of a branch, of one of its teams or of one of its employees is seen by HQ (HQ admins
and the training lead read all) and by the managers of that branch; only HQ admins change one.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from evaluation.metrics.models import MetricValue, SessionLift
from hub.organisation import scoping
from hub.organisation.access import Access
from hub.sessions.scoping import taught_session_ids

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


def _visible_lifts(access: Access, qs: QuerySet) -> QuerySet:
    conditions = [scoping.branch_q(access, "branch"), scoping.branch_q(access, "session__branch")]
    if access.employee_id is not None:
        conditions.append(Q(session_id__in=taught_session_ids(access)))
    return scoping.scoped(qs, access, *conditions)


# A stored session lift: seen like the session's report (its trainers, the managers of its
# branch or of the need's branch, HQ); written only by ``services.refresh_session_lifts``.
scoping.register(SessionLift, visible=_visible_lifts, change=lambda access, lift: False)
