"""Wagtail registrations of the library: the H5P and video snippets, and a menu entry that takes
trainers and HQ to the course templates."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.models import Page
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from hub.organisation.models import AuditEvent
from hub.organisation.permissions import is_hq_admin
from library.h5p.admin_views import (
    ALLOWED_LIBRARY_POLICY,
    CONTENT_POLICY,
    H5PAllowedLibraryViewSet,
    H5PContentViewSet,
)
from library.h5p.approvals import allowed_library_data, h5p_allowed_library_audit
from library.h5p.models import H5PAllowedLibrary, H5PContent
from library.page_policy import LibraryPagePermissionPolicy
from library.permissions import RolePermissionPolicy, can_create_from_template
from library.video.admin_views import VideoViewSet
from library.video.models import Video

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


class H5PApprovalsMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return is_hq_admin(request.user)


@hooks.register("register_admin_menu_item")
def register_h5p_approvals_menu_item() -> MenuItem:
    return H5PApprovalsMenuItem(
        _("H5P approvals"), reverse("library:h5p:approvals"), icon_name="lock-open", order=160
    )


# Every change to HQ's allow-list of H5P libraries made in the snippet admin is audited (the
# approval queue audits its own additions in library.h5p.approvals).


@hooks.register("before_edit_snippet")
def remember_allowed_library(request, instance):
    if isinstance(instance, H5PAllowedLibrary):
        request.h5p_allowed_before = allowed_library_data(instance)


@hooks.register("after_create_snippet")
def audit_allowed_library_created(request, instance):
    if isinstance(instance, H5PAllowedLibrary):
        action = AuditEvent.Action.H5P_LIBRARY_ALLOWED
        h5p_allowed_library_audit(actor=request.user, action=action, row=instance)


@hooks.register("after_edit_snippet")
def audit_allowed_library_changed(request, instance):
    if isinstance(instance, H5PAllowedLibrary):
        before = getattr(request, "h5p_allowed_before", None)
        action = AuditEvent.Action.H5P_LIBRARY_CHANGED
        h5p_allowed_library_audit(actor=request.user, action=action, row=instance, before=before)


@hooks.register("after_delete_snippet")
def audit_allowed_library_removed(request, instances):
    for instance in instances:
        if isinstance(instance, H5PAllowedLibrary):
            action = AuditEvent.Action.H5P_LIBRARY_REMOVED
            h5p_allowed_library_audit(actor=request.user, action=action, row=instance)
