# ruff: noqa: RUF001 - full-width characters in the test texts are deliberate.
"""library.search.tokens and .snippets: pure functions, no database."""

import pytest

from library.search.snippets import highlight, snippet
from library.search.tokens import (
    MAX_QUERY_LENGTH,
    SearchQueryError,
    parse_query,
    token_string,
    tokenize,
    tsquery,
)


def terms(query: str):
    return parse_query(query, empty_message="empty", too_long_message="long")


def test_cjk_runs_become_bigrams_plus_the_last_character():
    assert tokenize("连带销售") == ["连带", "带销", "销售", "售"]
    assert tokenize("店") == ["店"]


def test_latin_words_are_lower_cased_and_split_from_chinese():
    assert tokenize("CRM系统 v2.0, Objection-Handling") == [
        "crm",
        "系统",
        "统",
        "v2",
        "0",
        "objection",
        "handling",
    ]


def test_full_width_letters_and_digits_are_normalised():
    assert tokenize("ＣＲＭ２０２６") == ["crm2026"]


def test_punctuation_breaks_a_phrase():
    assert token_string("连带，销售") == " 连带 带 销售 售 "
    assert " 连带 带销 销售" not in token_string("连带，销售")
    assert " 连带 带销 销售" in token_string("提升连带销售能力")


def test_a_phrase_query_is_its_bigrams_in_order():
    (term,) = terms("连带销售")
    assert term.pattern == " 连带 带销 销售"
    assert not term.is_prefix
    assert tsquery([term]) == "'连带' & '带销' & '销售'"


def test_a_single_character_and_a_latin_word_are_prefixes():
    single, word = terms("售 CRM")
    assert (single.pattern, single.is_prefix) == (" 售", True)
    assert (word.pattern, word.is_prefix) == (" crm", True)
    assert tsquery([single, word]) == "'售':* & 'crm':*"


def test_a_two_character_word_is_one_bigram():
    (term,) = terms("销售")
    assert term.pattern == " 销售"


def test_repeated_terms_are_searched_once():
    assert [t.text for t in terms("销售 销售 crm CRM")] == ["销售", "crm"]


@pytest.mark.parametrize("query", ["", "   ", "，。！？", "--"])
def test_an_empty_query_is_refused(query):
    with pytest.raises(SearchQueryError) as exc:
        terms(query)
    assert exc.value.message == "empty"


def test_the_query_length_boundary():
    assert terms("销" * MAX_QUERY_LENGTH)
    with pytest.raises(SearchQueryError) as exc:
        terms("销" * (MAX_QUERY_LENGTH + 1))
    assert exc.value.message == "long"


def test_snippet_marks_the_hit_and_escapes_the_rest():
    text = "开场 <script>alert(1)</script> 然后讲连带销售话术 & 练习"
    html = snippet(text, terms("连带销售"))
    assert "<mark>连带销售</mark>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&amp; 练习" in html
    assert "<script>" not in html


def test_snippet_is_a_window_around_the_first_hit():
    text = "甲" * 200 + "连带销售" + "乙" * 200
    html = snippet(text, terms("连带销售"), length=60, lead=10)
    assert html.startswith("…" + "甲" * 10 + "<mark>连带销售</mark>")
    assert html.endswith("…")


def test_snippet_without_a_hit_is_the_start_of_the_text():
    assert snippet("短文本", terms("连带")) == "短文本"


def test_latin_highlight_is_case_insensitive_at_word_starts():
    html = highlight("Objection handling: no objections", terms("objection"))
    assert html == "<mark>Objection</mark> handling: no <mark>objection</mark>s"
    assert highlight("subjection", terms("objection")) == "subjection"


def test_highlight_keeps_full_width_text_and_finds_full_width_words():
    assert highlight("用ＣＲＭ记录（连带销售）", terms("crm 连带销售")) == (
        "用<mark>ＣＲＭ</mark>记录（<mark>连带销售</mark>）"
    )
