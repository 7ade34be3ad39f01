"""Run daily (and after bulk changes): recompute every stored session lift and move the needs
whose lift became measurable to *evaluated* (``evaluation.metrics.services``)."""

from django.core.management.base import BaseCommand

from evaluation.metrics.services import refresh_session_lifts


class Command(BaseCommand):
    help = "Recompute the stored session lifts; needs whose lift is measured become evaluated."

    def handle(self, *args, **options) -> None:
        counts = refresh_session_lifts()
        self.stdout.write(
            f"refreshed {counts['refreshed']} session lift(s), deleted {counts['deleted']}, "
            f"{counts['needs evaluated']} need(s) evaluated"
        )
