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

from library.permissions import can_see_templates
from library.search.models import SearchEntry, SearchKind, SynonymGroup
from library.search.snippets import highlight, snippet
from library.search.tokens import (
    MAX_QUERY_LENGTH,
    SearchQueryError,
    Term,
    any_tsquery,
    expand_synonyms,
    parse_query,
    partial_terms,
    synonym_words,
    tsquery,
)
from library.selectors import restricted_pages

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
    """The term, in any of its forms (synonyms), occurs in the title or the body."""
    q = Q()
    for form in term.forms:
        q |= Q(_contains("title_tokens", form.pattern)) | Q(_contains("body_tokens", form.pattern))
    return q


def _full_q(terms: list[Term]) -> Q:
    q = Q()
    for term in terms:
        q &= _term_q(term)
    return q


def _any_q(segments: list[Term]) -> Q:
    q = Q()
    for segment in segments:
        q |= _term_q(segment)
    return q


def synonym_groups() -> list[list[str]]:
    """HQ's synonym list (one query)."""
    return [synonym_words(words) for words in SynonymGroup.objects.values_list("words", flat=True)]


def entries_matching(
    entries: QuerySet[SearchEntry], terms: list[Term], *, partial: bool = False
) -> QuerySet[SearchEntry]:
    """``entries`` that contain every term (a phrase as consecutive tokens, in any of its
    synonym forms), or with ``partial`` any segment of one (``tokens.partial_terms``)."""
    if partial:
        segments = partial_terms(terms)
        entries = entries.filter(_any_q(segments))
        raw = any_tsquery(segments)
    else:
        entries = entries.filter(_full_q(terms))
        raw = tsquery(terms)
    if connection.vendor == "postgresql":
        # The GIN index over the stored vector narrows the rows before the substring recheck
        # (which keeps a phrase's bigrams in order).
        entries = entries.filter(search_vector=_ts_query(raw))
    return entries


def _ts_query(raw: str) -> SearchQuery:
    return SearchQuery(raw, search_type="raw", config="simple")


def _hits(q: Q) -> Case:
    return Case(When(q, then=Value(1)), default=Value(0), output_field=IntegerField())


def entries_ranked(entries: QuerySet[SearchEntry], terms: list[Term]) -> QuerySet[SearchEntry]:
    """Matching entries in rank order: full matches (every term) before partial ones, then
    more terms in the title, then more of the query's segments, then by score (more hits
    higher, a title hit weighing more than a body hit), then the latest published.

    The score is ``ts_rank`` of the ORed segments on PostgreSQL and the same weighting of hit
    counts elsewhere. Annotates ``full`` (1 or 0) for the result list.
    """
    segments = partial_terms(terms)
    title_terms = sum(
        (
            _hits(Q(*[_contains("title_tokens", f.pattern) for f in term.forms], _connector="OR"))
            for term in terms
        ),
        start=Value(0),
    )
    segments_hit = sum((_hits(_term_q(segment)) for segment in segments), start=Value(0))
    if connection.vendor == "postgresql":
        score = SearchRank(F("search_vector"), _ts_query(any_tsquery(segments)))
    else:
        # Whole terms and their segments alike, as ts_rank counts the ORed segments.
        score = sum(
            (
                _occurrences("title_tokens", part.pattern) * TITLE_WEIGHT
                + _occurrences("body_tokens", part.pattern) * BODY_WEIGHT
                for part in [*(form for term in terms for form in term.forms), *segments]
            ),
            start=Value(0.0),
        )
    return entries.annotate(
        full=_hits(_full_q(terms)),
        title_terms=title_terms,
        segments_hit=segments_hit,
        score=score,
    ).order_by(
        "-full",
        "-title_terms",
        "-segments_hit",
        "-score",
        F("page__last_published_at").desc(nulls_last=True),
        "pk",
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
    def partial(self) -> bool:
        """Only some of the query's segments are in the page (ranked after full matches)."""
        return not getattr(self.entry, "full", 1)

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
    full_total: int = 0  # of ``total``, the pages that hold every term

    @property
    def total(self) -> int:
        return self.page.paginator.count


def library_search(
    *, user, query: str, kind: str | None = None, page: int | str = 1, per_page: int = PER_PAGE
) -> SearchResults:
    """Live library pages the user may see that contain every word of ``query`` (each also
    in its synonym forms), then those that contain only some of its segments, ranked, one
    page of ``per_page`` hits with a highlighted title and snippet each.

    ``kind`` narrows to one kind (course, template, case, guide); the per-kind counts are of
    the whole match. Raises ``SearchQueryError`` for an empty or too long query.
    """
    terms = parse_query(
        query,
        empty_message=str(QUERY_EMPTY),
        too_long_message=str(QUERY_TOO_LONG) % {"max": MAX_QUERY_LENGTH},
    )
    terms = expand_synonyms(terms, synonym_groups())
    matching = entries_matching(searchable_entries(user), terms, partial=True)
    full = _full_q(terms)
    rows = matching.values("kind").annotate(n=Count("pk"), full=Count("pk", filter=full))
    kind_counts, full_counts = {}, {}
    for row in rows.order_by():
        kind_counts[row["kind"]], full_counts[row["kind"]] = row["n"], row["full"]
    if kind:
        matching = matching.filter(kind=kind)
    ranked = entries_ranked(matching, terms).select_related("page")
    paginator = Paginator(ranked.defer("title_tokens", "body_tokens", "search_vector"), per_page)
    # The per-kind counts already hold the total: spare the paginator its COUNT query.
    paginator.count = kind_counts.get(kind, 0) if kind else sum(kind_counts.values())
    result_page = paginator.get_page(page)
    # Marked: every form of every term, and in a partial match the segments that made it.
    forms = [form for term in terms for form in term.forms]
    segments = forms + partial_terms(terms)
    hits = []
    for entry in result_page.object_list:
        marked = forms if entry.full else segments
        hits.append(
            SearchHit(
                entry=entry,
                title_html=highlight(entry.title_text, marked),
                snippet_html=snippet(entry.body_text, marked),
            )
        )
    return SearchResults(
        query=query,
        terms=terms,
        kind=kind,
        page=result_page,
        hits=hits,
        kind_counts=kind_counts,
        full_total=full_counts.get(kind, 0) if kind else sum(full_counts.values()),
    )


__all__ = ["QUERY_EMPTY", "QUERY_TOO_LONG", "SearchQueryError", "library_search"]
