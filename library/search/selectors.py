"""Reads of the library search: which entries a user may find, matched and ranked."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Case, Count, F, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Length, Replace, StrIndex
from django.db.models.lookups import GreaterThan
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from ..permissions import can_see_templates
from ..selectors import restricted_pages
from .models import SearchEntry, SearchKind
from .snippets import highlight, snippet
from .tokens import MAX_QUERY_LENGTH, SearchQueryError, Term, parse_query, tsquery

PER_PAGE = 20
# Relative weight of a hit in the title and in the body (PostgreSQL's ts_rank defaults
# for weights A and B; the SQLite score uses the same ratio).
TITLE_WEIGHT = 1.0
BODY_WEIGHT = 0.4

QUERY_EMPTY = _("Enter a word or phrase to search for.")
QUERY_TOO_LONG = _("Search for at most %(max)d characters.")


def searchable_kinds(user) -> list[str]:
    kinds = [SearchKind.COURSE, SearchKind.CASE, SearchKind.GUIDE]
    # Course templates are for trainers and HQ, never learners: the rule their pages follow.
    if can_see_templates(user):
        kinds.insert(1, SearchKind.TEMPLATE)
    return [str(kind) for kind in kinds]


def searchable_entries(user) -> QuerySet[SearchEntry]:
    """Entries of live pages the user may find (none for an anonymous user), leaving out
    pages that Wagtail's privacy setting restricts to a password or to groups."""
    if not user.is_authenticated:
        return SearchEntry.objects.none()
    return SearchEntry.objects.filter(kind__in=searchable_kinds(user), page__live=True).exclude(
        page_id__in=restricted_pages().values("pk")
    )


def _occurrences(column: str, pattern: str):
    """How many times ``pattern`` occurs in ``column`` (portable: LENGTH and REPLACE)."""
    return Cast(
        (Length(column) - Length(Replace(column, Value(pattern), Value("")))) / len(pattern),
        FloatField(),
    )


def _contains(column: str, pattern: str) -> GreaterThan:
    """``pattern`` occurs in ``column``: INSTR / STRPOS, a plain substring search (the
    token strings are lower-cased already), which SQLite runs several times faster than
    the case-insensitive LIKE of ``__contains``."""
    return GreaterThan(StrIndex(column, Value(pattern)), 0)


def _term_q(term: Term) -> Q:
    return Q(_contains("title_tokens", term.pattern)) | Q(_contains("body_tokens", term.pattern))


def entries_matching(entries: QuerySet[SearchEntry], terms: list[Term]) -> QuerySet[SearchEntry]:
    """``entries`` that contain every term (a phrase as consecutive tokens)."""
    for term in terms:
        entries = entries.filter(_term_q(term))
    if connection.vendor == "postgresql":
        # The GIN index over the stored vector narrows the rows before the substring recheck
        # (which keeps a phrase's bigrams in order).
        entries = entries.filter(search_vector=_ts_query(terms))
    return entries


def _ts_query(terms: list[Term]) -> SearchQuery:
    return SearchQuery(tsquery(terms), search_type="raw", config="simple")


def entries_ranked(entries: QuerySet[SearchEntry], terms: list[Term]) -> QuerySet[SearchEntry]:
    """Matching entries in rank order: more terms in the title first, then by score (more
    hits higher, a title hit weighing more than a body hit), then the latest published.

    The score is ``ts_rank`` on PostgreSQL and the same weighting of hit counts elsewhere.
    """
    title_terms = sum(
        (
            Case(
                When(_contains("title_tokens", term.pattern), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
            for term in terms
        ),
        start=Value(0),
    )
    if connection.vendor == "postgresql":
        score = SearchRank(F("search_vector"), _ts_query(terms))
    else:
        score = sum(
            (
                _occurrences("title_tokens", term.pattern) * TITLE_WEIGHT
                + _occurrences("body_tokens", term.pattern) * BODY_WEIGHT
                for term in terms
            ),
            start=Value(0.0),
        )
    return entries.annotate(title_terms=title_terms, score=score).order_by(
        "-title_terms", "-score", F("page__last_published_at").desc(nulls_last=True), "pk"
    )


@dataclass(frozen=True)
class SearchHit:
    entry: SearchEntry
    title_html: SafeString
    snippet_html: SafeString

    @property
    def page(self):
        return self.entry.page

    @property
    def kind(self) -> str:
        return self.entry.kind

    @property
    def kind_label(self) -> str:
        return SearchKind(self.entry.kind).label


@dataclass(frozen=True)
class SearchResults:
    query: str
    terms: list[Term]
    kind: str | None
    page: PaginatorPage
    hits: list[SearchHit]
    kind_counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.page.paginator.count


def library_search(
    *, user, query: str, kind: str | None = None, page: int | str = 1, per_page: int = PER_PAGE
) -> SearchResults:
    """Live library pages the user may see that contain every word of ``query``, ranked,
    one page of ``per_page`` hits with a highlighted title and snippet each.

    ``kind`` narrows to one kind (course, template, case, guide); the per-kind counts are of
    the whole match. Raises ``SearchQueryError`` for an empty or too long query.
    """
    terms = parse_query(
        query,
        empty_message=str(QUERY_EMPTY),
        too_long_message=str(QUERY_TOO_LONG) % {"max": MAX_QUERY_LENGTH},
    )
    matching = entries_matching(searchable_entries(user), terms)
    kind_counts = {
        row["kind"]: row["n"] for row in matching.values("kind").annotate(n=Count("pk")).order_by()
    }
    if kind:
        matching = matching.filter(kind=kind)
    ranked = entries_ranked(matching, terms).select_related("page")
    paginator = Paginator(ranked.defer("title_tokens", "body_tokens", "search_vector"), per_page)
    # The per-kind counts already hold the total: spare the paginator its COUNT query.
    paginator.count = kind_counts.get(kind, 0) if kind else sum(kind_counts.values())
    result_page = paginator.get_page(page)
    hits = [
        SearchHit(
            entry=entry,
            title_html=highlight(entry.title_text, terms),
            snippet_html=snippet(entry.body_text, terms),
        )
        for entry in result_page.object_list
    ]
    return SearchResults(
        query=query,
        terms=terms,
        kind=kind,
        page=result_page,
        hits=hits,
        kind_counts=kind_counts,
    )


__all__ = ["QUERY_EMPTY", "QUERY_TOO_LONG", "SearchQueryError", "library_search"]
