"""Rebuild the library search index from the live pages."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from library.search.indexing import index_rebuild


class Command(BaseCommand):
    help = "Rebuild the library's Chinese full-text search index from every live page."

    def handle(self, *args, **options):
        counts = index_rebuild()
        removed = counts.pop("removed")
        summary = ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items())) or _("no pages")
        self.stdout.write(
            _("Indexed %(pages)d pages (%(summary)s); removed %(removed)d stale entries.")
            % {"pages": sum(counts.values()), "summary": summary, "removed": removed}
        )
