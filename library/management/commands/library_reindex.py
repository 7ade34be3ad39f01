"""Rebuild the library search index from the live pages."""

from django.core.management.base import BaseCommand

from library.search.indexing import index_rebuild


class Command(BaseCommand):
    help = "Rebuild the library's Chinese full-text search index from every live page."

    def handle(self, *args, **options):
        counts = index_rebuild()
        removed = counts.pop("removed")
        summary = ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items())) or "nothing"
        self.stdout.write(
            f"Indexed {sum(counts.values())} pages ({summary}); removed {removed} stale entries."
        )
