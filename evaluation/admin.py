from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from evaluation.models import (
    Assignment,
    FollowUp,
    Grade,
    RoiSettings,
    SessionCost,
    Submission,
    Survey,
    SurveyQuestion,
    SurveySection,
    SurveyTemplate,
)
from evaluation.surveys import services as survey_services


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


# --- surveys -------------------------------------------------------------------------------


class SurveyQuestionInline(admin.TabularInline):
    model = SurveyQuestion
    extra = 0
    fields = ["position", "kind", "text_zh", "text_en", "required", "in_satisfaction", "weight"]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None or not obj.template.is_frozen()

    has_add_permission = has_delete_permission = has_change_permission


@admin.register(SurveySection)
class SurveySectionAdmin(admin.ModelAdmin):
    """Questions are edited per section, only while their template version is unused."""

    list_display = ["template", "position", "title_zh"]
    inlines = [SurveyQuestionInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (
            obj is None or not obj.template.is_frozen()
        )

    has_delete_permission = has_change_permission


class SurveySectionInline(admin.TabularInline):
    model = SurveySection
    extra = 0
    fields = ["position", "title_zh", "title_en"]
    show_change_link = True

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None or not obj.is_frozen()

    has_add_permission = has_delete_permission = has_change_permission


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(admin.ModelAdmin):
    """A template version in use is read-only here: the "new version" action copies it
    (``template_revise``) and the copy is edited instead."""

    list_display = ["name", "version", "is_current", "is_default", "anonymous"]
    list_filter = ["is_current", "is_default"]
    fields = ["name", "description_zh", "description_en", "anonymous"]
    inlines = [SurveySectionInline]
    actions = ["new_version"]

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_frozen())

    has_delete_permission = has_change_permission

    @admin.action(description=_("Create a new version to edit"))
    def new_version(self, request, queryset) -> None:
        for template in queryset:
            survey_services.template_revise(template=template, actor=request.user)


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ["session", "template", "opens_at", "closes_at", "closed_at"]
    list_select_related = ["session", "template"]
    raw_id_fields = ["session"]


# ROI inputs are written by ``evaluation.roi.services`` (audited, validated) from /roi/ pages.
@admin.register(RoiSettings)
class RoiSettingsAdmin(ReadOnlyAdmin):
    list_display = [
        "effective_from",
        "trainer_hourly_cost",
        "learner_hourly_cost",
        "horizon_months",
        "updated_at",
    ]


@admin.register(SessionCost)
class SessionCostAdmin(ReadOnlyAdmin):
    list_display = ["session", "venue", "materials", "updated_at"]
    list_select_related = ["session"]


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    """Follow-ups are written by ``evaluation.followups.services`` only (dispatch, answer)."""

    list_display = ["session", "learner", "sent_at", "closes_at", "rating", "answered_at"]
    list_select_related = ["session", "learner"]
    raw_id_fields = ["session", "learner", "answered_by"]
    filter_horizontal = ["managers"]
