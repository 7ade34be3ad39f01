"""URLs of the effectiveness reports (mounted at /reports/, namespace "reports")."""

from django.urls import path

from evaluation.reports.views import branch, course, index, overview, session, trainer

app_name = "reports"
urlpatterns = [
    path("", index.index, name="index"),
    path("sessions/<int:session_id>/", session.report, name="session"),
    path("courses/<int:course_id>/", course.report, name="course"),
    path("trainers/<int:employee_id>/", trainer.report, name="trainer"),
    path("branches/<int:branch_id>/", branch.report, name="branch"),
    path("overview/", overview.report, name="overview"),
]
