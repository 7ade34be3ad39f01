"""The library's search index: one row per live course, template, case and guide.

The rows hold the page's plain text (for snippets) and its token strings (``tokens.py``).
Filtering is a substring test over the token strings on every database; on PostgreSQL a GIN
index over the stored ``to_tsvector('simple', tokens)`` first narrows the candidates and
``ts_rank`` orders them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.backends.ddl_references import Statement
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SearchKind(models.TextChoices):
    COURSE = "course", _("Course")
    TEMPLATE = "template", _("Course template")
    CASE = "case", _("Case")
    GUIDE = "guide", _("Process guide")


# Page model (``app_label.model_name``) → kind of search entry.
KIND_OF_MODEL = {
    "library.coursepage": SearchKind.COURSE,
    "library.coursetemplatepage": SearchKind.TEMPLATE,
    "library.casepage": SearchKind.CASE,
    "library.guidepage": SearchKind.GUIDE,
}


def search_vector() -> SearchVector:
    """Title tokens weighted A, body tokens B: what PostgreSQL stores in ``search_vector``."""
    return SearchVector("title_tokens", weight="A", config="simple") + SearchVector(
        "body_tokens", weight="B", config="simple"
    )


class PostgresOnlyGinIndex(GinIndex):
    """A GIN index on PostgreSQL and nothing elsewhere (SQLite has no GIN; it scans)."""

    _SKIPPED = "-- GIN index skipped: PostgreSQL only"

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return Statement(self._SKIPPED)
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return Statement(self._SKIPPED)
        return super().remove_sql(model, schema_editor, **kwargs)


class SearchEntry(models.Model):
    page = models.OneToOneField(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("page"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SearchKind.choices)
    title_text = models.TextField(_("title"))
    body_text = models.TextField(_("text"), blank=True)
    title_tokens = models.TextField(blank=True)
    body_tokens = models.TextField(blank=True)
    # PostgreSQL only (NULL elsewhere): the tokens as a tsvector, stored so that neither the
    # match nor ts_rank re-parses the text of every candidate row.
    search_vector = SearchVectorField(null=True, editable=False)
    indexed_at = models.DateTimeField(_("indexed at"), default=timezone.now)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        indexes = [
            PostgresOnlyGinIndex(fields=["search_vector"], name="library_search_vector"),
        ]

    def __str__(self) -> str:
        return self.title_text


class SynonymGroup(models.Model):
    """Words HQ declared equivalent for the search (e.g. 客户, 顾客): a query term that holds
    one of them also matches with each of the others (``tokens.expand_synonyms``). Edited
    only as a whole list by HQ admins (``services.synonyms_replace``, audited)."""

    words = models.CharField(_("equivalent words"), max_length=300)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")

    def __str__(self) -> str:
        return self.words
