"""Library routes that are not Wagtail pages (pages are served by Wagtail under /library/)."""

from django.urls import include, path

app_name = "library"
urlpatterns = [
    path("h5p/", include("library.h5p.urls")),
    path("video/", include("library.video.urls")),
    path("search/", include("library.search.urls")),
]
