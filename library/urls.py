"""Library routes that are not Wagtail pages (pages are served by Wagtail under /library/)."""

from django.urls import include, path

from library import views

app_name = "library"
urlpatterns = [
    path("start/", views.templates_redirect, name="templates"),
    path(
        "create-from-template/<int:template_id>/",
        views.course_from_template,
        name="course_from_template",
    ),
    path("h5p/", include("library.h5p.urls")),
    path("video/", include("library.video.urls")),
    path("search/", include("library.search.urls")),
]
