"""Admin additions: a menu entry that takes trainers and HQ to the course templates."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .permissions import can_create_from_template


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
