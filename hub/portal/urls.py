"""URLs of the pages that combine apps (the home page is the site root, in hub.urls)."""

from django.urls import path

from hub.portal import views

app_name = "portal"

urlpatterns = [
    path("learning/", views.my_learning, name="learning"),
    path("teaching/", views.my_teaching, name="teaching"),
    path("branch/", views.my_branch, name="my_branch"),
    path("overview/", views.overview, name="overview"),
]
