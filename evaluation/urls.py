"""URLs of online assignments (mounted at the site root, namespace "evaluation")."""

from django.urls import path

from evaluation import views
from evaluation.followups import views as followup_views
from evaluation.surveys import editor_views
from evaluation.surveys import views as survey_views

app_name = "evaluation"
urlpatterns = [
    path("assignments/", views.my_assignments, name="mine"),
    path(
        "sessions/<int:session_id>/assignments/",
        views.session_assignments,
        name="session_assignments",
    ),
    path(
        "sessions/<int:session_id>/assignments/new/",
        views.assignment_create,
        name="assignment_create",
    ),
    path("assignments/<int:assignment_id>/", views.assignment_detail, name="assignment"),
    path("assignments/<int:assignment_id>/edit/", views.assignment_edit, name="assignment_edit"),
    path("assignments/<int:assignment_id>/submit/", views.assignment_submit, name="submit"),
    path(
        "assignments/<int:assignment_id>/submissions/",
        views.assignment_submissions,
        name="submissions",
    ),
    path("submissions/<int:submission_id>/", views.submission_detail, name="submission"),
    path("submissions/<int:submission_id>/file/", views.submission_file, name="submission_file"),
    path("submissions/<int:submission_id>/grade/", views.submission_grade, name="grade"),
    path("surveys/<int:survey_id>/", survey_views.survey_answer, name="survey_answer"),
    path("surveys/<int:survey_id>/results/", survey_views.survey_results, name="survey_results"),
    path("sessions/<int:session_id>/survey/", survey_views.session_survey, name="session_survey"),
    path("surveys/settings/", survey_views.survey_settings, name="survey_settings"),
    path("surveys/templates/", editor_views.template_list, name="survey_templates"),
    path("surveys/templates/new/", editor_views.template_new, name="survey_template_new"),
    path(
        "surveys/templates/<int:template_id>/edit/",
        editor_views.template_edit,
        name="survey_template_edit",
    ),
    path(
        "surveys/templates/<int:template_id>/default/",
        editor_views.template_default,
        name="survey_template_default",
    ),
    path("surveys/templates/choose/", editor_views.template_choose, name="survey_template_choose"),
    path(
        "surveys/templates/choices/<int:choice_id>/delete/",
        editor_views.template_unchoose,
        name="survey_template_unchoose",
    ),
    path("followups/", followup_views.followups, name="followups"),
    path("followups/<int:followup_id>/", followup_views.followup_answer, name="followup_answer"),
    path(
        "surveys/templates/<int:template_id>/",
        survey_views.survey_template,
        name="survey_template",
    ),
]
