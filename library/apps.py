from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = _("Library")

    def ready(self) -> None:
        from library import page_context, signals  # noqa: F401
        from library.search import indexing  # noqa: F401 - keeps the search index in step
