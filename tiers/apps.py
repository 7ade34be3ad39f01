from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TiersConfig(AppConfig):
    name = "tiers"
    verbose_name = _("Trainer tiers")

    def ready(self) -> None:
        from tiers import scoping  # noqa: F401 - registers nominations and mentor pairings
