"""Trainer nominations and the mentor programme (mounted at the site root, namespace "tiers")."""

from django.urls import path

from tiers import views

app_name = "tiers"
urlpatterns = [
    path("nominations/", views.nomination_list, name="nominations"),
    path("nominations/new/", views.nomination_create, name="nomination_new"),
    path("nominations/<int:pk>/", views.nomination_detail, name="nomination"),
    path(
        "nominations/<int:pk>/approve/",
        views.nomination_decide,
        {"decision": "approve"},
        name="nomination_approve",
    ),
    path(
        "nominations/<int:pk>/decline/",
        views.nomination_decide,
        {"decision": "decline"},
        name="nomination_decline",
    ),
    path("mentoring/", views.mentoring, name="mentoring"),
    path("mentoring/pairs/", views.pairing_list, name="pairings"),
    path("mentoring/rules/", views.programme_update, name="programme_update"),
    path("mentoring/pairs/<int:pk>/end/", views.pairing_end, name="pairing_end"),
    path("mentoring/pairs/<int:pk>/logs/", views.mentoring_log_create, name="log_create"),
    path("mentoring/pairs/<int:pk>/rate/", views.mentor_rate, name="rate"),
    path("mentoring/logs/<int:pk>/confirm/", views.mentoring_log_confirm, name="log_confirm"),
]
