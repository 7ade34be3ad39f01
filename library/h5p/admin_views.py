"""Wagtail admin for H5P: the content snippet (upload through a validating form) and HQ's
allow-list of libraries. Permissions follow Lectern's roles, not Django model permissions."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.views.snippets import CreateView, SnippetViewSet

from library.h5p.forms import H5PContentAdminForm, pending_message
from library.h5p.models import H5PAllowedLibrary, H5PContent
from library.permissions import RolePermissionPolicy


class H5PContentCreateView(CreateView):
    """An upload that needs unapproved library versions made no content: say so and go back
    to the listing (it waits in HQ's approval queue)."""

    def form_valid(self, form):
        if form.pending is not None:
            messages.warning(self.request, pending_message(form.pending))
            return redirect(self.index_url_name)
        return super().form_valid(form)


class H5PContentViewSet(SnippetViewSet):
    model = H5PContent
    add_view_class = H5PContentCreateView
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
    list_display = ["machine_name", "major", "minor", "note", "created"]
    search_fields = ["machine_name"]
    panels = [
        FieldPanel("machine_name"),
        FieldPanel("major"),
        FieldPanel("minor"),
        FieldPanel("note"),
    ]


CONTENT_POLICY = RolePermissionPolicy(
    H5PContent,
    {"add": "cms", "change": "cms", "view": "cms", "choose": "cms", "delete": "hq"},
)
# HQ admins decide which code runs; the training lead only reads the list.
ALLOWED_LIBRARY_POLICY = RolePermissionPolicy(
    H5PAllowedLibrary,
    # "hq": the training lead reads the allow-list, only HQ admins change it.
    {"add": "hq", "change": "hq", "delete": "hq", "view": "hq"},
)
