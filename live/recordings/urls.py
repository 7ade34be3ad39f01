"""Recorded playback under /live/ (namespace ``live``)."""

from django.urls import path

from live.recordings import views

urlpatterns = [
    path("sessions/<int:pk>/recording/", views.recording, name="recording"),
    path(
        "sessions/<int:pk>/recording/progress/",
        views.recording_progress,
        name="recording_progress",
    ),
    path(
        "sessions/<int:pk>/recording/questions/",
        views.recording_questions,
        name="recording_questions",
    ),
    path("sessions/<int:pk>/recording/source/", views.recording_source, name="recording_source"),
    path("sessions/<int:pk>/recording/report/", views.recording_report, name="recording_report"),
    path("recording-questions/<int:pk>/answer/", views.recording_answer, name="recording_answer"),
]
