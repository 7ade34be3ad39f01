from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HubConfig(AppConfig):
    name = "hub"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from hub import login_throttle  # noqa: F401 - connects the lockout audit receiver
        from hub.needs import scoping as needs_scoping  # noqa: F401 - registers the kinds
        from hub.needs import signals  # noqa: F401 - needs follow the sessions that deliver them
        from hub.organisation import permissions  # noqa: F401 - registers branches, people
        from hub.sessions import scoping as sessions_scoping  # noqa: F401 - registers the kinds
