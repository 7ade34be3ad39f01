"""URLs of video (filled in by its feature)."""

app_name = "video"
urlpatterns: list = []
