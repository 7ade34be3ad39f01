"""URLs of tiers (filled in by its feature)."""

app_name = "tiers"
urlpatterns: list = []
