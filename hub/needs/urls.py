"""URLs of the needs pool and training plans."""

from django.urls import path

from hub.needs import views

app_name = "needs"
urlpatterns = [
    path("needs/", views.need_list, name="needs"),
    path("needs/new/", views.need_create, name="need_create"),
    path("needs/<int:pk>/", views.need_detail, name="need"),
    path("needs/<int:pk>/<slug:action>/", views.need_action, name="need_action"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/<slug:action>/", views.plan_action, name="plan_action"),
]
