"""Wagtail's page permission policy for the library (registered in ``wagtail_hooks``): above
the page models, which it reads to find the library home; ``library.permissions`` stays below
them."""

from __future__ import annotations

from wagtail.permission_policies.pages import PagePermissionPolicy

from hub.organisation.models import Role
from hub.organisation.permissions import has_role
from library.models.pages import LibraryIndexPage

EXPLORE_ACTIONS = frozenset({"add", "change", "publish", "bulk_delete", "lock", "unlock"})


class LibraryPagePermissionPolicy(PagePermissionPolicy):
    """Wagtail's page policy, plus reading for training leads: they read everything and write
    nothing, so they explore the whole library tree in the admin (listings, history) with no
    page permission — editing, publishing and moderation still need one."""

    def _reads_library(self, user) -> bool:
        return (
            user.is_authenticated
            and user.is_active
            and not user.is_superuser
            and has_role(user, Role.TRAINING_LEAD)
        )

    def user_has_any_permission(self, user, actions):
        # Wagtail asks for "any of the six page permissions" where it means "may explore"
        # (explorer, page search, site history); narrower questions keep Wagtail's answer.
        if (
            set(actions) >= EXPLORE_ACTIONS
            and self._reads_library(user)
            and self._library_home() is not None
        ):
            return True
        return super().user_has_any_permission(user, actions)

    def _library_home(self):
        home = LibraryIndexPage.objects.order_by("path").first()
        return None if home is None else home.page_ptr

    def instances_with_direct_explore_permission(self, user):
        pages = super().instances_with_direct_explore_permission(user)
        home = self._library_home() if self._reads_library(user) else None
        return pages if home is None else [*pages, home]

    def explorable_instances(self, user):
        home = self._library_home() if self._reads_library(user) else None
        if home is None:
            return super().explorable_instances(user)
        pages = self.model._default_manager.descendant_of(home, inclusive=True)
        if self.get_cached_permissions_for_user(user):
            pages = pages | super().explorable_instances(user)
        return pages
