"""The live room page of a session and its settings."""

from django.urls import path

from live import views

urlpatterns = [
    path("sessions/<int:session_id>/", views.room, name="room"),
    path("sessions/<int:session_id>/settings/", views.room_settings, name="room_settings"),
]
