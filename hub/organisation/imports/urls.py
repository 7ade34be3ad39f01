from django.urls import path

from hub.organisation.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("template.csv", views.download_template_csv, name="template_csv"),
    path("template.xlsx", views.download_template_xlsx, name="template_xlsx"),
    path("<int:batch_id>/", views.detail, name="detail"),
    path("<int:batch_id>/status/", views.status, name="status"),
    path("<int:batch_id>/apply/", views.apply, name="apply"),
]
