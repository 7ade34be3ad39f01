"""URLs of sessions (filled in by its feature)."""

app_name = "sessions"
urlpatterns: list = []
