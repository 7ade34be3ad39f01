"""Wagtail admin for H5P: the content snippet (upload through a validating form) and HQ's
allow-list of libraries. Permissions follow Lectern's roles, not Django model permissions."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.snippets.views.snippets import SnippetViewSet

from hub.permissions import CMS_ROLES, HQ_ROLES, can_use_cms, is_hq

from .forms import H5PContentAdminForm
from .models import H5PAllowedLibrary, H5PContent


class RolePermissionPolicy(ModelPermissionPolicy):
    """``actions`` maps each Wagtail action to who may do it: "cms" (trainers and HQ) or
    "hq"."""

    def __init__(self, model, actions: dict[str, str]) -> None:
        super().__init__(model)
        self.actions = actions

    def user_has_permission(self, user, action):
        if not (user.is_authenticated and user.is_active):
            return False
        who = self.actions.get(action)
        if who == "cms":
            return can_use_cms(user)
        if who == "hq":
            return is_hq(user)
        return False

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        roles = set()
        for action in actions:
            who = self.actions.get(action)
            roles |= CMS_ROLES if who == "cms" else HQ_ROLES if who == "hq" else set()
        return (
            get_user_model()
            .objects.filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(employee__role_grants__role__in=roles))
            .distinct()
        )


class H5PContentViewSet(SnippetViewSet):
    model = H5PContent
    icon = "pick"
    menu_label = _("H5P content")
    list_display = ["title", "main_library", "uploaded_by", "created"]
    search_fields = ["title"]
    edit_handler = ObjectList(
        [FieldPanel("package"), FieldPanel("title")], base_form_class=H5PContentAdminForm
    )


class H5PAllowedLibraryViewSet(SnippetViewSet):
    model = H5PAllowedLibrary
    icon = "lock-open"
    menu_label = _("Allowed H5P libraries")
    list_display = ["machine_name", "note", "created"]
    search_fields = ["machine_name"]
    panels = [FieldPanel("machine_name"), FieldPanel("note")]


CONTENT_POLICY = RolePermissionPolicy(
    H5PContent,
    {"add": "cms", "change": "cms", "view": "cms", "choose": "cms", "delete": "hq"},
)
ALLOWED_LIBRARY_POLICY = RolePermissionPolicy(
    H5PAllowedLibrary, {"add": "hq", "change": "hq", "delete": "hq", "view": "hq"}
)
