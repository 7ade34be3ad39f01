"""URLs of outcome metrics (mounted at /metrics/, namespace "metrics")."""

from django.urls import path

from evaluation.metrics import views

app_name = "metrics"
urlpatterns = [
    path("", views.values, name="values"),
    path("values/<int:pk>/edit/", views.value_edit, name="value_edit"),
    path("import/", views.import_upload, name="imports"),
    path("import/template.csv", views.template_csv, name="template_csv"),
    path("import/<int:batch_id>/", views.import_detail, name="import_detail"),
    path("import/<int:batch_id>/apply/", views.import_apply, name="import_apply"),
]
