"""URLs of return on training (mounted at /roi/, namespace "roi")."""

from django.urls import path

from evaluation.roi import views

app_name = "roi"
urlpatterns = [
    path("settings/", views.roi_settings, name="settings"),
    path("metrics/<int:metric_id>/", views.metric_benefit, name="metric"),
    path("sessions/<int:session_id>/costs/", views.session_costs, name="session_costs"),
]
