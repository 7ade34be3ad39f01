"""Django admin at /django-admin/: superusers only; everyone else uses Lectern's pages and /cms/."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class SuperuserAdminSite(admin.AdminSite):
    site_header = _("Lectern")
    site_title = _("Lectern")

    def has_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser


class LecternAdminConfig(AdminConfig):
    default_site = "hub.admin_site.SuperuserAdminSite"
