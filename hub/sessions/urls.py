"""URLs of sessions, enrolment, attendance, calendars and notifications."""

from django.urls import path, re_path

from hub.sessions import views

app_name = "sessions"
urlpatterns = [
    path("sessions/", views.session_list, name="list"),
    path("sessions/new/", views.session_create, name="create"),
    path("sessions/settings/", views.session_settings, name="settings"),
    path("sessions/<int:pk>/", views.session_detail, name="detail"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="edit"),
    path("sessions/<int:pk>/enrol/", views.session_enrol, name="enrol"),
    path("sessions/<int:pk>/assign/", views.session_assign, name="assign"),
    path("sessions/<int:pk>/check-in/", views.session_checkin, name="checkin"),
    path("sessions/<int:pk>/code/", views.session_code, name="code"),
    path("sessions/<int:pk>/recording/", views.session_recording, name="recording"),
    path(
        "sessions/<int:pk>/attendance/<int:enrolment_pk>/",
        views.attendance_correct,
        name="attendance_correct",
    ),
    # Only the transition verbs: other apps add their own pages under sessions/<id>/.
    re_path(
        r"^sessions/(?P<pk>[0-9]+)/(?P<verb>start|end|cancel)/$",
        views.session_transition,
        name="transition",
    ),
    path("enrolments/<int:pk>/cancel/", views.enrolment_cancel, name="enrolment_cancel"),
    path("enrolments/<int:pk>.ics", views.enrolment_calendar, name="enrolment_ics"),
    path("calendar/regenerate/", views.calendar_regenerate, name="calendar_regenerate"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="feed"),
    path("notifications/", views.notification_list, name="notifications"),
]
