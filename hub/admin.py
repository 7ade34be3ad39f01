"""Model admins for /django-admin/ (superusers only, see ``hub.admin_site``)."""

from django.contrib import admin

from hub.organisation.models import (
    AuditEvent,
    Branch,
    Employee,
    ImportBatch,
    PerformanceGrade,
    Region,
    RoleGrant,
    Team,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "is_hq"]
    list_filter = ["region", "is_hq"]
    search_fields = ["code", "name"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "branch"]
    list_select_related = ["branch"]


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ["employee_no", "name", "branch", "position_category", "hire_date", "leave_date"]
    list_select_related = ["branch"]
    list_filter = ["position_category", "is_core_role"]
    search_fields = ["employee_no", "name", "name_pinyin"]
    raw_id_fields = ["user", "team"]


@admin.register(PerformanceGrade)
class PerformanceGradeAdmin(admin.ModelAdmin):
    list_display = ["employee", "period_start", "period_end", "grade", "score"]
    raw_id_fields = ["employee"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Role grants and audit events are written only by ``hub.organisation.services``
    (``role_grant`` / ``role_revoke`` write the group membership and the audit event with the
    grant): the Django admin may look, never add, change or delete."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RoleGrant)
class RoleGrantAdmin(ReadOnlyAdmin):
    list_display = ["employee", "role", "branch", "granted_at"]
    list_filter = ["role"]
    raw_id_fields = ["employee"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "actor", "summary"]
    list_filter = ["action"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["created_at", "original_name", "status", "uploaded_by"]
