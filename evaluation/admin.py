from django.contrib import admin

from evaluation.models import Assignment, Grade, Submission


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["title", "session", "due_at", "max_score", "allow_late"]
    list_select_related = ["session"]
    raw_id_fields = ["session", "created_by"]
    search_fields = ["title", "session__title"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Versions and grades are written only by ``evaluation.services`` (version numbering, the
    current-version flag, the score range); the Django admin may look, not write."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "learner", "version", "is_current", "submitted_at", "is_late"]
    list_select_related = ["assignment", "learner"]
    raw_id_fields = ["assignment", "learner"]
    # Files are private: the admin shows their metadata, downloads go through the app's view.
    exclude = ["file"]
    readonly_fields = ["original_filename", "content_type", "size"]


@admin.register(Grade)
class GradeAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "learner", "score", "graded_by", "graded_at"]
    list_select_related = ["assignment", "learner", "graded_by"]
    raw_id_fields = ["assignment", "learner", "submission", "graded_by"]
