"""Scoping of training needs and plans (see ``hub.organisation.scoping``).

- Needs: HQ sees all; managers their branches'; trainers the open ones and those they
  claimed (a user with several roles sees the union). The claimer and HQ admins change one.
- Plans: HQ sees all; managers HQ-wide approved plans and their branches' plans; trainers
  approved plans (the plans they deliver). HQ admins edit any plan, a manager their branch's
  draft (the training lead reads).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from hub.needs.models import TrainingNeed, TrainingPlan
from hub.organisation import scoping
from hub.organisation.models import Role
from hub.organisation.permissions import Access


def _visible_needs(access: Access, qs: QuerySet) -> QuerySet:
    conditions = [scoping.branch_q(access, "branch")]
    if Role.TRAINER in access.roles and access.employee_id is not None:
        conditions.append(Q(status=TrainingNeed.Status.OPEN))
        conditions.append(scoping.own_q(access, "claimed_by"))
    return scoping.scoped(qs, access, *conditions)


def _change_need(access: Access, need: TrainingNeed) -> bool:
    return access.is_hq_admin or (
        access.employee_id is not None and need.claimed_by_id == access.employee_id
    )


def _visible_plans(access: Access, qs: QuerySet) -> QuerySet:
    conditions = []
    if access.is_manager:
        conditions.append(Q(scope=TrainingPlan.Scope.HQ, status=TrainingPlan.Status.APPROVED))
        conditions.append(scoping.branch_q(access, "branch"))
    if Role.TRAINER in access.roles:
        conditions.append(Q(status=TrainingPlan.Status.APPROVED))
    return scoping.scoped(qs, access, *conditions)


def _change_plan(access: Access, plan: TrainingPlan) -> bool:
    if access.is_hq_admin:
        return True
    return (
        plan.status == TrainingPlan.Status.DRAFT
        and plan.scope == TrainingPlan.Scope.BRANCH
        and access.manages(plan.branch_id)
    )


scoping.register(TrainingNeed, visible=_visible_needs, change=_change_need)
scoping.register(TrainingPlan, visible=_visible_plans, change=_change_plan)
