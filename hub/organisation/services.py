"""Writes to the organisation. Each state change has one entry point here."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from hub.organisation.models import AuditEvent, Branch, Employee, Role, RoleGrant
from hub.organisation.permissions import CMS_ROLES, forget_access, is_hq_admin

# Django groups that carry each role's Wagtail/Django permissions; RoleGrant stays the truth.
ROLE_GROUP_NAMES = {
    Role.TRAINER: "Trainers",
    Role.HQ_ADMIN: "HQ curators",
    Role.TRAINING_LEAD: "Training leads",
    Role.BRANCH_MANAGER: "Branch managers",
}

MSG_NOT_ALLOWED = _("Only an HQ training admin may change roles.")
MSG_BRANCH_REQUIRED = _("A branch manager role needs the branch they manage.")
MSG_NO_BRANCH = _("Only the branch manager role is tied to a branch.")
MSG_HAS_LEFT = _("This employee has left the company.")


def role_group(role: str) -> Group:
    """The Django group for a role, created on first use with the permissions it needs."""
    group, created = Group.objects.get_or_create(name=ROLE_GROUP_NAMES[role])
    if created and role in CMS_ROLES:
        access_admin = Permission.objects.filter(
            content_type__app_label="wagtailadmin", codename="access_admin"
        ).first()
        if access_admin is not None:
            group.permissions.add(access_admin)
    return group


def audit_record(*, actor, action: str, summary: str, data: dict | None = None) -> AuditEvent:
    """Append one audit event (in the caller's transaction)."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        summary=summary[:300],
        data=data or {},
    )


def role_grant(*, employee: Employee, role: str, branch: Branch | None = None, actor) -> RoleGrant:
    """Give ``employee`` a role (idempotent: granting a held role returns the existing grant).

    Preconditions: ``actor`` is an HQ admin (or ``None`` for system jobs such as the seed);
    ``branch`` is given exactly when ``role`` is branch manager. Writes the grant, the group
    membership and one ``role.granted`` audit event, all in one transaction.
    """
    if actor is not None and not is_hq_admin(actor):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if role == Role.BRANCH_MANAGER and branch is None:
        raise ValidationError({"branch": MSG_BRANCH_REQUIRED})
    if role != Role.BRANCH_MANAGER and branch is not None:
        raise ValidationError({"branch": MSG_NO_BRANCH})
    if employee.has_left():
        raise ValidationError(MSG_HAS_LEFT)
    with transaction.atomic():
        grant, created = RoleGrant.objects.get_or_create(
            employee=employee, role=role, branch=branch, defaults={"granted_by": actor}
        )
        if created:
            employee.user.groups.add(role_group(role))
            audit_record(
                actor=actor,
                action=AuditEvent.Action.ROLE_GRANTED,
                summary=f"{employee} ← {grant}",
                data={
                    "employee_no": employee.employee_no,
                    "role": role,
                    "branch": branch.code if branch else None,
                },
            )
    forget_access(employee.user)
    return grant


def role_revoke(*, grant: RoleGrant, actor) -> None:
    """Take a role back. Removes the group membership when no other grant of that role is left.

    Writes one ``role.revoked`` audit event in the same transaction.
    """
    if actor is not None and not is_hq_admin(actor):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    employee = grant.employee
    with transaction.atomic():
        locked = RoleGrant.objects.select_for_update().filter(pk=grant.pk).order_by("pk").first()
        if locked is None:
            return  # already revoked: repeating the request changes nothing
        summary = f"{employee} → {locked}"
        data = {
            "employee_no": employee.employee_no,
            "role": locked.role,
            "branch": locked.branch.code if locked.branch_id else None,
        }
        locked.delete()
        if not RoleGrant.objects.filter(employee=employee, role=locked.role).exists():
            employee.user.groups.remove(role_group(locked.role))
        audit_record(actor=actor, action=AuditEvent.Action.ROLE_REVOKED, summary=summary, data=data)
    forget_access(employee.user)
