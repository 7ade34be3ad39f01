"""H5P routes, mounted at /library/h5p/ (namespace ``library:h5p``)."""

from django.urls import path

from library.h5p import views

app_name = "h5p"
urlpatterns = [
    path("upload/", views.upload, name="upload"),
    path("approvals/", views.approvals, name="approvals"),
    path(
        "approvals/<int:pk>/approve/",
        views.approval_decide,
        {"decision": "approve"},
        name="approval_approve",
    ),
    path(
        "approvals/<int:pk>/reject/",
        views.approval_decide,
        {"decision": "reject"},
        name="approval_reject",
    ),
    path("approvals/<int:pk>/package.h5p", views.approval_package, name="approval_package"),
    path("<int:pk>/", views.preview, name="preview"),
    path("<int:pk>/player/", views.player, name="player"),
    path("<int:pk>/xapi/", views.xapi, name="xapi"),
    path("<int:pk>/score/", views.score, name="score"),
    path("<int:pk>/files/<str:token>/", views.files_root, name="files"),
    path("<int:pk>/files/<str:token>/h5p.json", views.h5p_json, name="h5p_json"),
    path("<int:pk>/files/<str:token>/content/<path:path>", views.content_file, name="content"),
    path(
        "<int:pk>/files/<str:token>/libraries/<str:folder>/<path:path>",
        views.library_file,
        name="library_file",
    ),
]
