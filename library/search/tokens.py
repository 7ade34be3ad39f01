"""Chinese-aware tokens for the library search: pure functions, no database.

Chinese is written without spaces, so a word cannot be found by splitting on them, and
PostgreSQL's parsers do not segment it. We index every run of CJK characters as overlapping
character bigrams (the scheme of Lucene's CJK analyzer), plus the run's last character alone:

    连带销售  →  连带 带销 销售 售

Every character then starts exactly one token, so:

* a phrase of two or more characters is found exactly when its bigrams appear as consecutive
  tokens (" 连带 带销 销售" is a substring of the token string) — no dictionary needed, so
  product names and jargon that a segmenter would cut wrongly are found too;
* a single character is a token prefix ("售" matches "售" and "售后").

Latin letters and digits form words, lower-cased and matched as prefixes. Text is NFKC-normalised
first, so full-width letters and digits match their ASCII forms.

A query term also matches in its synonym forms (``expand_synonyms``: HQ's groups of equivalent
words, 客户 = 顾客, so 客户投诉 also finds 顾客投诉), and a page that holds only some of a query's
segments (``partial_terms``: each bigram of a phrase, each word) is a partial match, ranked
below the pages that hold every term.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Han (with extensions and compatibility ideographs), kana and hangul.
_CJK_RANGES = (
    "\u3005\u3007\u3021-\u3029\u3038-\u303b"
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\U00020000-\U0003134f"
)
_SEGMENT = re.compile(rf"(?P<cjk>[{_CJK_RANGES}]+)|(?P<word>[^\W_{_CJK_RANGES}]+)")
_WORD_CHAR = rf"[^\W_{_CJK_RANGES}]"

MAX_QUERY_LENGTH = 100
MAX_TERMS = 10
MAX_FORMS = 8  # a term and its synonym forms
# Segments a partial match is looked for with (the first ones of the query): each is a
# condition and a ranking term, and SQLite caps an expression's depth.
MAX_SEGMENTS = 48
# Longer Latin "words" (hashes, URLs run together) are cut; the cut form is still a prefix.
MAX_WORD_LENGTH = 60


def normalize(text: str) -> str:
    """NFKC with runs of whitespace collapsed (full-width letters and digits become ASCII)."""
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


def collapse_spaces(text: str) -> str:
    """Runs of whitespace as one space; the characters themselves are kept for display."""
    return " ".join((text or "").split())


# Full-width ASCII variants and the ideographic space → ASCII, one character for one, so that
# positions in the folded text are positions in the original.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def fold(text: str) -> str:
    return text.translate(_FOLD)


def _cjk_tokens(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def tokenize(text: str) -> list[str]:
    """The index tokens of ``text``, in order."""
    tokens: list[str] = []
    for match in _SEGMENT.finditer(normalize(text).lower()):
        if match.lastgroup == "cjk":
            tokens.extend(_cjk_tokens(match.group()))
        else:
            tokens.append(match.group()[:MAX_WORD_LENGTH])
    return tokens


def token_string(text: str) -> str:
    """Tokens joined by single spaces, padded with a space at both ends.

    The padding lets a term match as the LIKE pattern ``" " + term.pattern`` anywhere, and
    PostgreSQL's ``simple`` text-search configuration reads the same string as its lexemes.
    """
    tokens = tokenize(text)
    return f" {' '.join(tokens)} " if tokens else " "


@dataclass(frozen=True)
class Term:
    """One word or phrase of a query; every term of a query must match for a full match."""

    text: str  # as the user typed it (normalised), for highlighting
    tokens: tuple[str, ...]  # index tokens it must hit, for the PostgreSQL prefilter
    is_prefix: bool  # a single CJK character or a Latin word: matches the start of a token
    is_cjk: bool
    # The same term in other words (synonyms): a hit of any of them is a hit of the term.
    alternatives: tuple[Term, ...] = ()

    @property
    def forms(self) -> tuple[Term, ...]:
        return (self, *self.alternatives)

    @property
    def pattern(self) -> str:
        """Substring of a token string that holds exactly where the term occurs."""
        return " " + " ".join(self.tokens)

    def tsquery(self) -> str:
        """The term as a raw tsquery (``'连带' & '带销'`` or ``'crm':*``)."""
        suffix = ":*" if self.is_prefix else ""
        return " & ".join(f"'{token}'{suffix}" for token in self.tokens)


def _term(segment: str, *, cjk: bool) -> Term:
    if cjk:
        if len(segment) == 1:
            return Term(segment, (segment,), is_prefix=True, is_cjk=True)
        return Term(segment, tuple(_cjk_tokens(segment)[:-1]), is_prefix=False, is_cjk=True)
    word = segment[:MAX_WORD_LENGTH]
    return Term(word, (word.lower(),), is_prefix=True, is_cjk=False)


def single_term(text: str) -> Term | None:
    """``text`` as one term, or None when it is not exactly one word or CJK run."""
    matches = list(_SEGMENT.finditer(normalize(text)))
    if len(matches) != 1 or matches[0].group() != normalize(text):
        return None
    return _term(matches[0].group(), cjk=matches[0].lastgroup == "cjk")


class SearchQueryError(ValueError):
    """A query that cannot be searched; ``message`` says why, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def parse_query(raw: str, *, empty_message: str, too_long_message: str) -> list[Term]:
    """The distinct terms of a query, in order (at most ``MAX_TERMS``).

    Raises ``SearchQueryError`` with ``empty_message`` when there is nothing to search for
    (only spaces or punctuation), ``too_long_message`` above ``MAX_QUERY_LENGTH`` characters.
    """
    text = normalize(raw)
    if len(text) > MAX_QUERY_LENGTH:
        raise SearchQueryError(too_long_message)
    terms: list[Term] = []
    for match in _SEGMENT.finditer(text):
        term = _term(match.group(), cjk=match.lastgroup == "cjk")
        if term.tokens not in {t.tokens for t in terms}:
            terms.append(term)
    if not terms:
        raise SearchQueryError(empty_message)
    return terms[:MAX_TERMS]


def tsquery(terms: list[Term]) -> str:
    """All terms ANDed (each as any of its forms), for ``SearchQuery(..., search_type="raw",
    config="simple")``."""
    return " & ".join(_forms_tsquery(term) for term in terms)


def any_tsquery(terms: list[Term]) -> str:
    """Any of the terms (a partial match), ORed."""
    return " | ".join(f"({term.tsquery()})" for term in terms)


def _forms_tsquery(term: Term) -> str:
    if not term.alternatives:
        return term.tsquery()
    return "(" + " | ".join(f"({form.tsquery()})" for form in term.forms) + ")"


# --- Synonyms and partial matches -------------------------------------------------------------


def synonym_words(text: str) -> list[str]:
    """The distinct words of one synonym group as an editor typed them: separated by commas
    (ASCII or Chinese), 、, semicolons or spaces; normalised and lower-cased."""
    words = re.split(r"[,，、;；\s]+", normalize(text).lower())
    return list(dict.fromkeys(word for word in words if word))


def expand_synonyms(terms: list[Term], groups: Iterable[Sequence[str]]) -> list[Term]:
    """``terms`` with their synonym forms as ``alternatives``: a CJK term containing a word
    of a group also matches with that word replaced by each other word of the group (客户投诉
    → 顾客投诉); a Latin term matches another word of a group it equals. At most
    ``MAX_FORMS`` forms per term; a replacement that is not one term is skipped."""
    groups = [[word for word in group if word] for group in groups]
    expanded: list[Term] = []
    for term in terms:
        texts = [term.text.lower()]
        for group in groups:
            for word in group:
                if not (word in term.text.lower() if term.is_cjk else word == texts[0]):
                    continue
                for text in list(texts)[:MAX_FORMS]:
                    texts += [text.replace(word, other) for other in group if other != word]
        forms: list[Term] = []
        for text in dict.fromkeys(texts[1:]):
            form = single_term(text)
            if form is not None and form.tokens != term.tokens and form not in forms:
                forms.append(form)
        expanded.append(
            Term(
                term.text,
                term.tokens,
                is_prefix=term.is_prefix,
                is_cjk=term.is_cjk,
                alternatives=tuple(forms[: MAX_FORMS - 1]),
            )
        )
    return expanded


def partial_terms(terms: list[Term]) -> list[Term]:
    """The segments of a query, any of which makes a partial match: every token of every
    form of every term (a phrase's bigrams, a single character, a word), each once, at most
    ``MAX_SEGMENTS`` (the original wording before synonym forms)."""
    segments: list[Term] = []
    seen: set[tuple[str, bool]] = set()
    forms = [*terms, *(form for term in terms for form in term.alternatives)]
    for form in forms:
        for token in form.tokens:
            if (token, form.is_prefix) not in seen:
                seen.add((token, form.is_prefix))
                segments.append(Term(token, (token,), is_prefix=form.is_prefix, is_cjk=form.is_cjk))
    return segments[:MAX_SEGMENTS]


# --- Highlighting ----------------------------------------------------------------------------


def _term_regex(term: Term) -> re.Pattern[str]:
    if term.is_cjk:
        return re.compile(re.escape(term.text))
    return re.compile(rf"(?<!{_WORD_CHAR}){re.escape(term.text)}", re.IGNORECASE)


def hit_spans(text: str, terms: list[Term]) -> list[tuple[int, int]]:
    """Sorted, merged (start, end) spans of ``text`` where any term occurs (full-width
    letters in the text match their ASCII forms in a term)."""
    folded = fold(text)
    spans = sorted(
        (m.start(), m.end()) for term in terms for m in _term_regex(term).finditer(folded)
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
