"""Highlighted titles and snippets: escaped text with the hits wrapped in ``<mark>``."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from library.search.tokens import Term, hit_spans

SNIPPET_LENGTH = 120
SNIPPET_LEAD = 30
ELLIPSIS = "…"


def _marked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    parts: list[str] = []
    position = start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_end <= span_start:
            continue
        parts.append(escape(text[position:span_start]))
        parts.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        position = span_end
    parts.append(escape(text[position:end]))
    return "".join(parts)


def highlight(text: str, terms: list[Term]) -> SafeString:
    """The whole of ``text`` (a title), escaped, every hit marked."""
    return mark_safe(_marked(text, hit_spans(text, terms), 0, len(text)))  # noqa: S308


def snippet(
    text: str, terms: list[Term], *, length: int = SNIPPET_LENGTH, lead: int = SNIPPET_LEAD
) -> SafeString:
    """About ``length`` characters of ``text`` around its first hit (from the start when
    nothing hits), escaped, hits marked, "…" where the text was cut."""
    spans = hit_spans(text, terms)
    start = max(0, spans[0][0] - lead) if spans else 0
    end = min(len(text), start + length)
    if end - start < length:  # near the end: show more of what comes before
        start = max(0, end - length)
    body = _marked(text, spans, start, end)
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(text) else ""
    return mark_safe(f"{prefix}{body}{suffix}")  # noqa: S308
