"""Who may see and do what in the library, on top of ``hub.organisation.permissions``.

Wagtail's group page permissions (granted by ``services.library_install``) decide what each role
may edit in the admin; these helpers decide what the learner-facing pages show.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from wagtail.permission_policies.base import ModelPermissionPolicy

from hub.organisation.models import Role
from hub.organisation.permissions import (
    AUTHOR_ROLES,
    CMS_ROLES,
    HQ_ROLES,
    access_for,
    can_author_content,
    can_use_cms,
    is_hq,
    is_hq_admin,
    is_trainer,
)

# Wagtail actions that only read; every other action writes, which the training lead may not.
READ_ACTIONS = frozenset({"view", "choose"})


def can_see_templates(user) -> bool:
    """Course templates and trainer notes: trainers, HQ curators, training leads, superusers."""
    return can_use_cms(user)


def can_create_from_template(user) -> bool:
    """Trainers build their courses from templates; HQ curators may too."""
    return is_trainer(user) or is_hq_admin(user)


def sees_derived_counts(user) -> bool:
    """HQ sees how many courses derive from each template."""
    return access_for(user).is_hq


class RolePermissionPolicy(ModelPermissionPolicy):
    """Snippet permissions that follow Lectern's roles instead of Django model permissions:
    ``actions`` maps each Wagtail action to who may do it, "cms" (trainers and HQ), "hq" (HQ
    admins and training leads) or "hq_admin" (HQ admins only). A write action ("add",
    "change", "delete"…) leaves out the read-only training lead: "cms" then means trainers and
    HQ admins, "hq" HQ admins."""

    def __init__(self, model, actions: dict[str, str]) -> None:
        super().__init__(model)
        self.actions = actions

    def user_has_permission(self, user, action):
        if not (user.is_authenticated and user.is_active):
            return False
        who = self.actions.get(action)
        reads = action in READ_ACTIONS
        if who == "cms":
            return can_use_cms(user) if reads else can_author_content(user)
        if who == "hq":
            return is_hq(user) if reads else is_hq_admin(user)
        if who == "hq_admin":
            return is_hq_admin(user)
        return False

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        roles = set()
        for action in actions:
            who = self.actions.get(action)
            reads = action in READ_ACTIONS
            if who == "cms":
                roles |= CMS_ROLES if reads else AUTHOR_ROLES
            elif who == "hq":
                roles |= HQ_ROLES if reads else {Role.HQ_ADMIN}
            elif who == "hq_admin":
                roles |= {Role.HQ_ADMIN}
        return (
            get_user_model()
            .objects.filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(employee__role_grants__role__in=roles))
            .distinct()
        )
