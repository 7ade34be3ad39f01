"""hub.organisation.services.role_grant and role_revoke: HQ admins only, idempotent, audited,
in sync."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hub.organisation import permissions, services
from hub.organisation.models import AuditEvent, Role, RoleGrant
from tests.factories import BranchFactory, EmployeeFactory, make_hq_admin, make_manager

pytestmark = pytest.mark.django_db


def test_grant_trainer_adds_group_and_audit():
    admin = make_hq_admin()
    employee = EmployeeFactory()
    services.role_grant(employee=employee, role=Role.TRAINER, actor=admin.user)
    assert permissions.is_trainer(employee.user)
    assert employee.user.groups.filter(name=services.ROLE_GROUP_NAMES[Role.TRAINER]).exists()
    assert employee.user.has_perm("wagtailadmin.access_admin")
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_GRANTED)
    assert event.actor == admin.user
    assert event.data == {"employee_no": employee.employee_no, "role": "trainer", "branch": None}


def test_grant_twice_is_idempotent():
    admin = make_hq_admin()
    employee = EmployeeFactory()
    first = services.role_grant(employee=employee, role=Role.TRAINER, actor=admin.user)
    second = services.role_grant(employee=employee, role=Role.TRAINER, actor=admin.user)
    assert first.pk == second.pk
    assert RoleGrant.objects.filter(employee=employee).count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_GRANTED).count() == 1


def test_manager_cannot_grant_roles():
    manager = make_manager(BranchFactory())
    employee = EmployeeFactory(branch=manager.branch)
    with pytest.raises(PermissionDenied):
        services.role_grant(employee=employee, role=Role.TRAINER, actor=manager.user)
    assert not RoleGrant.objects.filter(employee=employee).exists()


def test_branch_manager_role_needs_branch_and_others_refuse_one():
    admin = make_hq_admin()
    employee = EmployeeFactory()
    with pytest.raises(ValidationError):
        services.role_grant(employee=employee, role=Role.BRANCH_MANAGER, actor=admin.user)
    with pytest.raises(ValidationError):
        services.role_grant(
            employee=employee, role=Role.TRAINER, branch=employee.branch, actor=admin.user
        )
    assert not RoleGrant.objects.filter(employee=employee).exists()


def test_revoke_keeps_group_while_another_branch_is_managed():
    admin = make_hq_admin()
    first, second = BranchFactory.create_batch(2)
    employee = EmployeeFactory(branch=first)
    g1 = services.role_grant(
        employee=employee, role=Role.BRANCH_MANAGER, branch=first, actor=admin.user
    )
    services.role_grant(
        employee=employee, role=Role.BRANCH_MANAGER, branch=second, actor=admin.user
    )
    group = services.ROLE_GROUP_NAMES[Role.BRANCH_MANAGER]
    services.role_revoke(grant=g1, actor=admin.user)
    assert employee.user.groups.filter(name=group).exists()
    assert set(permissions.visible_branches(employee.user)) == {second}
    services.role_revoke(grant=g1, actor=admin.user)  # repeated: nothing more happens
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_REVOKED).count() == 1
