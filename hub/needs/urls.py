"""URLs of needs (filled in by its feature)."""

app_name = "needs"
urlpatterns: list = []
