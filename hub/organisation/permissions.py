"""Roles and scoping, in one place: every view, API and consumer asks these helpers.

Which objects of a kind a user may see or change is answered by ``hub.organisation.scoping``
(``visible(who, Model)``, ``Model.objects.visible_to(who)``, ``can_see``, ``can_change``);
branches and people register their rules at the end of this module, and the helpers here
(``visible_branches``, ``visible_employees``, ``can_view_employee``) are thin wrappers over it.

Learner is implicit (every active employee); the other roles are ``RoleGrant`` rows.
HQ roles (HQ curator / training admin, training lead) see every branch; a branch manager
sees the branches they manage; anyone else sees only their own record.

Reading and writing are apart: ``is_hq`` is "reads everything" (HQ admin, training lead,
superuser); ``is_hq_admin`` is "may change things company-wide" (HQ admin, superuser). The
training lead is a certification reviewer: every HQ page is open to them, no HQ write is.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from hub.organisation import scoping
from hub.organisation.access import NO_ACCESS, Access
from hub.organisation.models import Branch, Employee, RoleGrant
from hub.organisation.roles import (  # noqa: F401 - the role groups are part of this API
    AUTHOR_ROLES,
    CMS_ROLES,
    HQ_ROLES,
    Role,
)


def access_for(user) -> Access:
    """The user's roles and managed branches (one query, cached on ``user``). An ``Access``
    is returned as it is, so every helper taking a user takes an ``Access`` too."""
    if isinstance(user, Access):
        return user
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return NO_ACCESS
    cached = getattr(user, "_lectern_access", None)
    if cached is not None:
        return cached
    employee = Employee.objects.filter(user_id=user.pk).only("pk", "branch_id").first()
    roles: set[str] = set()
    managed: set[int] = set()
    if employee is not None:
        for role, branch_id in RoleGrant.objects.filter(employee=employee).values_list(
            "role", "branch_id"
        ):
            roles.add(role)
            if role == Role.BRANCH_MANAGER and branch_id:
                managed.add(branch_id)
    access = Access(
        employee_id=employee.pk if employee else None,
        branch_id=employee.branch_id if employee else None,
        roles=frozenset(roles),
        managed_branch_ids=frozenset(managed),
        is_superuser=bool(user.is_superuser),
    )
    user._lectern_access = access
    return access


def employee_for(user) -> Employee | None:
    """The user's employee record (branch joined), or None for an account without one, such
    as a superuser who is not on staff. One query; views and services share it."""
    employee_id = access_for(user).employee_id
    if employee_id is None:
        return None
    return Employee.objects.select_related("branch").filter(pk=employee_id).first()


def forget_access(user) -> None:
    """Drop the cached access after a role change in the same request."""
    if hasattr(user, "_lectern_access"):
        del user._lectern_access


def has_role(user, role: str) -> bool:
    return role in access_for(user).roles


def is_hq(user) -> bool:
    """HQ curator / training admin, training lead, or a superuser: READS every branch.
    A write checks ``is_hq_admin`` instead."""
    return access_for(user).is_hq


def is_hq_admin(user) -> bool:
    """HQ curator / training admin or a superuser: may change anything company-wide (sessions
    of any trainer, settings, plans, pairings, nominations, imports, roles, grading)."""
    return access_for(user).is_hq_admin


def is_trainer(user) -> bool:
    return has_role(user, Role.TRAINER)


def is_branch_manager(user) -> bool:
    return access_for(user).is_manager


def can_use_cms(user) -> bool:
    """May enter the Wagtail admin (to read, for the training lead)."""
    access = access_for(user)
    return access.is_superuser or bool(access.roles & CMS_ROLES)


def can_author_content(user) -> bool:
    """May upload or change content in the admin: trainers, HQ admins, superusers."""
    access = access_for(user)
    return access.is_superuser or bool(access.roles & AUTHOR_ROLES)


def can_browse_people(user) -> bool:
    """The people directory is for HQ (everyone) and branch managers (their branches)."""
    access = access_for(user)
    return access.is_hq or access.is_manager


def visible_branches(user) -> QuerySet[Branch]:
    """Branches whose people and figures the user may see (see ``scoping``)."""
    return scoping.visible(user, Branch)


def visible_employees(user) -> QuerySet[Employee]:
    """Employees the user may look up: all for HQ, their branches for managers, and always
    themselves (see ``scoping``)."""
    return scoping.visible(user, Employee)


def can_view_employee(user, employee: Employee) -> bool:
    return scoping.can_see(user, employee)


def home_kind(user) -> str:
    """Which home page fits the user: "hq", "manager", "trainer" or "learner"."""
    access = access_for(user)
    if access.is_hq:
        return "hq"
    if access.is_manager:
        return "manager"
    if Role.TRAINER in access.roles:
        return "trainer"
    return "learner"


# --- this layer's kinds: branches and people ---------------------------------------------------


def _visible_branches(access: Access, qs: QuerySet) -> QuerySet:
    """HQ: every branch; a manager: the branches they manage; anyone else: none."""
    return scoping.scoped(qs, access, scoping.branch_q(access, "pk"))


def _act_for_branch(access: Access, branch: Branch) -> bool:
    """Act for a branch (assign its people, plan for it): HQ admins and its managers."""
    return access.is_hq_admin or access.manages(branch.pk)


def _visible_employees(access: Access, qs: QuerySet) -> QuerySet:
    """HQ: everyone; a manager: the people of their branches; everyone: themselves."""
    return scoping.scoped(
        qs, access, scoping.branch_q(access, "branch"), scoping.own_q(access, "pk")
    )


def _see_employee(access: Access, employee: Employee) -> bool:
    return (
        access.is_hq
        or (access.employee_id is not None and employee.pk == access.employee_id)
        or access.manages(employee.branch_id)
    )


def _act_for_employee(access: Access, employee: Employee) -> bool:
    """Act for someone (enrol them, cancel their seat, nominate them): HQ admins and the
    managers of their branch."""
    return access.is_hq_admin or access.manages(employee.branch_id)


scoping.register(Branch, visible=_visible_branches, change=_act_for_branch)
scoping.register(Employee, visible=_visible_employees, change=_act_for_employee, see=_see_employee)
scoping.use_access_resolver(access_for)
