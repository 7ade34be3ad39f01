"""URLs of the library search (mounted at /library/search/, namespace "library:search")."""

from django.urls import path

from library.search import views

app_name = "search"
urlpatterns = [
    path("", views.search, name="index"),
    path("synonyms/", views.synonyms, name="synonyms"),
]
