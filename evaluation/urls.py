"""URLs of evaluation (filled in by its feature)."""

app_name = "evaluation"
urlpatterns: list = []
