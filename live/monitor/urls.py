from django.urls import path, re_path

from live.monitor import views

urlpatterns = [
    path("monitor/", views.monitor, name="monitor"),
    path("sessions/<int:session_id>/results/", views.session_results, name="results"),
    re_path(
        r"^sessions/(?P<session_id>[0-9]+)/questions\.(?P<fmt>csv|xlsx)$",
        views.questions_export,
        name="questions_export",
    ),
]
