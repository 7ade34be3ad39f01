from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        from evaluation import (
            panels,  # noqa: F401 - registers its portal panels
            scoping,  # noqa: F401 - registers assignments and submissions
        )
        from evaluation.metrics import scoping as metric_scoping  # noqa: F401 - metric values
        from evaluation.metrics import signals as metric_signals  # noqa: F401 - lift refresh
        from evaluation.surveys import signals  # noqa: F401 - surveys follow session_delivered
