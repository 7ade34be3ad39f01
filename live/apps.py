from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "live"
    verbose_name = _("Live sessions")

    def ready(self) -> None:
        from live import scoping, signals  # noqa: F401 - receivers; scoping registers kinds
