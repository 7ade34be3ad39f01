"""``/live/``: the live room page, recorded playback, the HQ monitor and post-session results."""

from django.urls import include, path

app_name = "live"

urlpatterns = [
    path("", include("live.room_urls")),
    path("", include("live.recordings.urls")),
    path("", include("live.monitor.urls")),
]
