"""Wagtail admin registrations of the hub: the way back from the content admin to Lectern."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem


@hooks.register("register_admin_menu_item")
def register_back_to_lectern_menu_item() -> MenuItem:
    return MenuItem(
        _("Back to Lectern"),
        reverse("home"),
        name="back-to-lectern",
        icon_name="arrow-left",
        order=1,
    )
