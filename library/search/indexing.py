"""Keep the search index in step with the live pages.

A page is indexed when it is published (``page_published``, also sent for a copy that is kept
live) and removed when it is unpublished or deleted. ``library_reindex`` rebuilds everything.

Indexed text: title, summary, the case fields (scenario, analysis, resolution, rich text with
its tags stripped), tags and the text typed into the StreamField body, walked from the stream's
raw data. Trainer-notes blocks are never indexed, so their text cannot leak through a search
result or its snippet to a learner.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models, transaction
from django.db.models.signals import post_delete
from django.utils import timezone
from wagtail import blocks
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished

from library.search.models import KIND_OF_MODEL, SearchEntry, search_vector
from library.search.tokens import collapse_spaces, token_string

# Fields indexed as body text when a page model has them, in this order.
TEXT_FIELDS = ("summary", "intro", "scenario", "analysis", "resolution", "body")
TAG_FIELDS = ("business_areas", "tags")
EXCLUDED_BLOCK_NAMES = frozenset({"trainer_notes"})
MAX_BODY_CHARS = 100_000

# Elements that end a line of text: their content never runs into the next element's.
_BLOCK_TAG = re.compile(r"p|div|br|li|[ou]l|h[1-6]|blockquote|t[rdh]|table|hr|pre|section")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if _BLOCK_TAG.fullmatch(tag):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if _BLOCK_TAG.fullmatch(tag):
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """Rich text as plain text; block elements become line breaks so that two paragraphs
    never run together into one phrase."""
    collector = _TextCollector()
    collector.feed(html or "")
    collector.close()
    return "".join(collector.parts)


def block_texts(block: blocks.Block, raw) -> Iterator[str]:
    """Strings typed into a block, from its raw (JSON) value; choices, numbers, chooser ids
    and trainer notes are skipped."""
    if getattr(block, "name", "") in EXCLUDED_BLOCK_NAMES or raw is None:
        return
    if isinstance(block, blocks.StreamBlock):
        for item in raw or []:
            child = block.child_blocks.get(item.get("type")) if isinstance(item, dict) else None
            if child is not None:
                yield from block_texts(child, item.get("value"))
    elif isinstance(block, blocks.StructBlock):
        if isinstance(raw, dict):
            for name, child in block.child_blocks.items():
                yield from block_texts(child, raw.get(name))
    elif isinstance(block, blocks.ListBlock):
        for item in raw or []:
            # ListBlock items are {"type": "item", "value": …, "id": …} (or bare, old format).
            is_wrapped = isinstance(item, dict) and item.get("type") == "item" and "value" in item
            yield from block_texts(block.child_block, item["value"] if is_wrapped else item)
    elif isinstance(block, blocks.RichTextBlock):
        yield html_to_text(str(raw))
    elif isinstance(block, blocks.CharBlock | blocks.TextBlock):
        yield str(raw)


def _field_texts(page: Page) -> Iterator[str]:
    for name in TEXT_FIELDS:
        try:
            field = page._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        value = getattr(page, name, None)
        if not value:
            continue
        if isinstance(field, StreamField):
            yield from block_texts(field.stream_block, list(value.raw_data))
        elif isinstance(field, RichTextField):
            yield html_to_text(str(value))
        elif isinstance(field, models.CharField | models.TextField):
            yield str(value)
    for name in TAG_FIELDS:
        manager = getattr(page, name, None)
        if manager is not None and hasattr(manager, "all"):
            names = [tag.name for tag in manager.all()]
            if names:
                yield " ".join(names)


def page_body_text(page: Page) -> str:
    """The page's indexed text, paragraphs separated by line breaks, whitespace collapsed
    inside each paragraph."""
    paragraphs: list[str] = []
    for text in _field_texts(page):
        paragraphs.extend(line for line in (collapse_spaces(p) for p in text.splitlines()) if line)
    return "\n".join(paragraphs)[:MAX_BODY_CHARS]


def kind_of(page: Page) -> str | None:
    return KIND_OF_MODEL.get(page.specific_class._meta.label_lower) if page.specific_class else None


def build_entry(page: Page):
    """An unsaved ``SearchEntry`` for a specific page of an indexed type."""
    title = collapse_spaces(page.title)
    body = page_body_text(page)
    return SearchEntry(
        page_id=page.pk,
        kind=kind_of(page),
        title_text=title,
        body_text=body,
        title_tokens=token_string(title),
        # Paragraphs are tokenised apart so that no phrase spans two of them.
        body_tokens=token_string(body.replace("\n", " \n ")),
        indexed_at=timezone.now(),
    )


def page_index(page: Page) -> bool:
    """Index ``page`` if it is a live page of an indexed type, else drop its entry.
    Returns whether the page is now in the index."""
    if kind_of(page) is None:
        return False
    page = page.specific
    if not page.live:
        page_unindex(page_id=page.pk)
        return False
    entry = build_entry(page)
    with transaction.atomic():
        SearchEntry.objects.filter(page_id=page.pk).delete()
        entry.save(force_insert=True)
        _store_vectors(SearchEntry.objects.filter(page_id=page.pk))
    return True


def _store_vectors(entries) -> None:
    """Fill the PostgreSQL tsvector column of ``entries`` from their token strings."""
    if connection.vendor == "postgresql":
        entries.update(search_vector=search_vector())


def page_unindex(*, page_id: int) -> None:
    SearchEntry.objects.filter(page_id=page_id).delete()


def indexed_models() -> list[type[Page]]:
    return [apps.get_model(label) for label in KIND_OF_MODEL]


def live_pages() -> Iterable[Page]:
    """Every live page of an indexed type, as its specific class."""
    for model in indexed_models():
        queryset = model.objects.live().order_by("pk")
        relations = [name for name in TAG_FIELDS if hasattr(model, name)]
        yield from queryset.prefetch_related(*relations).iterator(chunk_size=500)


def index_rebuild(*, batch_size: int = 500) -> dict[str, int]:
    """Rebuild the whole index from the live pages. Returns the number of entries per kind
    and under ``"removed"`` how many stale entries were dropped."""
    counts: dict[str, int] = {}
    with transaction.atomic():
        before = SearchEntry.objects.count()
        SearchEntry.objects.all().delete()
        batch = []
        for page in live_pages():
            entry = build_entry(page)
            counts[str(entry.kind)] = counts.get(str(entry.kind), 0) + 1
            batch.append(entry)
            if len(batch) >= batch_size:
                SearchEntry.objects.bulk_create(batch)
                batch = []
        SearchEntry.objects.bulk_create(batch)
        _store_vectors(SearchEntry.objects.all())
    counts["removed"] = max(0, before - sum(counts.values()))
    return counts


# --- Signals (connected on import: ``LibraryConfig.ready`` imports this module) -------------


def _on_published(sender, instance, **kwargs):
    page_index(instance)


def _on_unpublished(sender, instance, **kwargs):
    page_unindex(page_id=instance.pk)


def _on_deleted(sender, instance, **kwargs):
    # The entry's foreign key cascades; this also covers deletions that bypass the cascade
    # (raw SQL, ``QuerySet.delete`` on the specific table only).
    if isinstance(instance, Page):
        page_unindex(page_id=instance.pk)


page_published.connect(_on_published, dispatch_uid="library_search_published")
page_unpublished.connect(_on_unpublished, dispatch_uid="library_search_unpublished")
post_delete.connect(_on_deleted, sender=Page, dispatch_uid="library_search_deleted")
