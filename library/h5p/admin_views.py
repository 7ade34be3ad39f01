"""Wagtail admin for H5P: the content snippet (upload through a validating form) and HQ's
allow-list of libraries. Permissions follow Lectern's roles, not Django model permissions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.views.snippets import SnippetViewSet

from ..permissions import RolePermissionPolicy
from .forms import H5PContentAdminForm
from .models import H5PAllowedLibrary, H5PContent


class H5PContentViewSet(SnippetViewSet):
    model = H5PContent
    icon = "pick"
    menu_label = _("H5P content")
    list_display = ["title", "main_library", "uploaded_by", "created"]
    search_fields = ["title"]
    edit_handler = ObjectList(
        [FieldPanel("package"), FieldPanel("title")], base_form_class=H5PContentAdminForm
    )

    def get_queryset(self, request):
        # The listing shows each row's main library and uploader: join them, one query.
        return H5PContent.objects.select_related("main_library", "uploaded_by")


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
