"""Video playback routes, mounted at /library/video/ (namespace ``library:video``)."""

from django.urls import path

from library.video import views

app_name = "video"
urlpatterns = [
    path("<int:pk>/", views.video_detail, name="detail"),
    path("<int:pk>/stream/", views.video_stream, name="stream"),
    path("<int:pk>/subtitles.vtt", views.video_subtitles, name="subtitles"),
]
