"""URLs of search (filled in by its feature)."""

app_name = "search"
urlpatterns: list = []
