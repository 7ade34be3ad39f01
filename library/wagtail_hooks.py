"""Wagtail registrations of the library: the H5P and video snippets, and a menu entry that takes
trainers and HQ to the course templates."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.models import Page
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from .h5p.admin_views import (
    ALLOWED_LIBRARY_POLICY,
    CONTENT_POLICY,
    H5PAllowedLibraryViewSet,
    H5PContentViewSet,
)
from .h5p.models import H5PAllowedLibrary, H5PContent
from .permissions import LibraryPagePermissionPolicy, RolePermissionPolicy, can_create_from_template
from .video.admin_views import VideoViewSet
from .video.models import Video

# Training leads read the whole library in the admin (see LibraryPagePermissionPolicy).
register_permission_policy(Page, LibraryPagePermissionPolicy(Page))
register_permission_policy(H5PContent, CONTENT_POLICY)
register_permission_policy(H5PAllowedLibrary, ALLOWED_LIBRARY_POLICY)
# Trainers and HQ upload and choose videos; only HQ deletes them.
register_permission_policy(
    Video,
    RolePermissionPolicy(
        Video, {"add": "cms", "change": "cms", "view": "cms", "choose": "cms", "delete": "hq"}
    ),
)
register_snippet(H5PContentViewSet)
register_snippet(H5PAllowedLibraryViewSet)
register_snippet(VideoViewSet)


class TemplatesMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return can_create_from_template(request.user)


@hooks.register("register_admin_menu_item")
def register_templates_menu_item() -> MenuItem:
    return TemplatesMenuItem(
        _("Start from a template"),
        reverse("library:templates"),
        icon_name="doc-full-inverse",
        order=150,
    )
