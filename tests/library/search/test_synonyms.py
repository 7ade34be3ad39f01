"""Library search: partial matches ranked below full ones, and HQ's synonym list
(library.search.tokens, selectors, services.synonyms_replace, the /library/search/synonyms/ page).
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hub.organisation.models import AuditEvent
from library.search.models import SynonymGroup
from library.search.selectors import library_search
from library.search.services import MSG_ONE_WORD, synonyms_replace
from library.search.tokens import expand_synonyms, parse_query, partial_terms, synonym_words
from tests.library import search_fixtures
from tests.library.search_fixtures import module

library = search_fixtures.library
trainer = search_fixtures.trainer
training_lead = search_fixtures.training_lead

pytestmark = pytest.mark.django_db
URL = "/library/search/synonyms/"


def ranked(user, query):
    """(title, partial?) of every hit, in rank order."""
    return [(h.entry.title_text, h.partial) for h in library_search(user=user, query=query).hits]


def terms(query):
    return parse_query(query, empty_message="e", too_long_message="l")


# --- pure: tokens ----------------------------------------------------------------------------


def test_synonym_words_split_on_commas_and_spaces():
    assert synonym_words(" 客户，顾客、消费者, CRM  crm ") == ["客户", "顾客", "消费者", "crm"]


def test_a_term_expands_to_its_synonym_forms():
    [term] = expand_synonyms(terms("客户投诉"), [["客户", "顾客"], ["投诉", "抱怨"]])
    assert [form.text for form in term.forms] == ["客户投诉", "顾客投诉", "客户抱怨", "顾客抱怨"]
    [word] = expand_synonyms(terms("CRM"), [["crm", "客户关系管理"]])
    assert [form.text for form in word.forms] == ["CRM", "客户关系管理"]
    [other] = expand_synonyms(terms("连带销售"), [["客户", "顾客"]])
    assert other.forms == (other,)


def test_partial_segments_are_each_bigram_and_word_once():
    segments = partial_terms(terms("客户投诉 CRM 投诉"))
    assert [s.text for s in segments] == ["客户", "户投", "投诉", "crm"]


# --- matching and ranking --------------------------------------------------------------------


def test_a_query_with_a_missing_word_finds_partial_matches_below_full_ones(library, learner):
    """客户投诉 used to find nothing while 顾客投诉 and 投诉 found items."""
    library.course("顾客投诉处理")
    library.case("投诉升级流程", scenario="<p>投诉，投诉，再投诉</p>")
    library.course("客户投诉的三个原因")
    library.course("连带销售入门")
    assert ranked(learner.user, "客户投诉") == [
        ("客户投诉的三个原因", False),
        ("投诉升级流程", True),  # more hits of a segment (投诉) rank higher
        ("顾客投诉处理", True),
    ]
    results = library_search(user=learner.user, query="客户投诉")
    assert (results.total, results.full_total) == (3, 1)


def test_synonyms_make_a_full_match(library, learner, hq_admin):
    library.course("顾客投诉处理")
    library.case("投诉升级流程", scenario="<p>投诉，投诉，再投诉</p>")
    library.guide("客户投诉", paragraphs=["<p>客户投诉的处理步骤</p>"])
    synonyms_replace(actor=hq_admin.user, text="客户，顾客")
    found = ranked(learner.user, "客户投诉")
    assert sorted(found[:2]) == [("客户投诉", False), ("顾客投诉处理", False)]
    assert found[2:] == [("投诉升级流程", True)]
    hit = library_search(user=learner.user, query="客户投诉").hits[1]
    assert "<mark>顾客投诉</mark>" in hit.title_html


def test_a_partial_match_is_marked_on_its_segments(library, learner):
    library.course("课程", body=[module("单元", "提升连带销售能力")])
    [hit] = library_search(user=learner.user, query="连带能力").hits
    assert hit.partial
    assert "<mark>连带</mark>" in hit.snippet_html and "<mark>能力</mark>" in hit.snippet_html


def test_search_queries_stay_bounded_with_synonyms(
    library, learner, hq_admin, django_assert_max_num_queries
):
    synonyms_replace(actor=hq_admin.user, text="客户，顾客\n投诉，抱怨")
    for n in range(12):
        library.case(f"顾客投诉案例{n}", scenario=f"<p>第{n}次抱怨</p>")
    with django_assert_max_num_queries(7):
        results = library_search(user=learner.user, query="客户投诉")
        assert len(results.hits) == 12


# --- the synonym list: service ---------------------------------------------------------------


def test_an_hq_admin_replaces_the_list_and_it_is_audited(hq_admin):
    synonyms_replace(actor=hq_admin.user, text="客户，顾客\n\n投诉 抱怨 ")
    assert list(SynonymGroup.objects.values_list("words", flat=True)) == [
        "客户, 顾客",
        "投诉, 抱怨",
    ]
    event = AuditEvent.objects.get(action=AuditEvent.Action.SEARCH_SYNONYMS_CHANGED)
    assert event.actor == hq_admin.user
    assert event.data == {"before": [], "after": [["客户", "顾客"], ["投诉", "抱怨"]]}
    synonyms_replace(actor=hq_admin.user, text="客户、顾客\n投诉，抱怨")  # the same list
    assert AuditEvent.objects.filter(action="search.synonyms").count() == 1


def test_only_hq_admins_may_edit_the_list(training_lead, trainer, hq_admin):
    synonyms_replace(actor=hq_admin.user, text="客户，顾客")
    for someone in (training_lead, trainer):
        with pytest.raises(PermissionDenied):
            synonyms_replace(actor=someone.user, text="")
    assert SynonymGroup.objects.count() == 1


def test_a_bad_line_is_refused_and_changes_nothing(hq_admin):
    synonyms_replace(actor=hq_admin.user, text="客户，顾客")
    with pytest.raises(ValidationError) as refused:
        synonyms_replace(actor=hq_admin.user, text="投诉，抱怨\n客户")
    assert refused.value.messages == [str(MSG_ONE_WORD % {"line": 2})]
    with pytest.raises(ValidationError):
        synonyms_replace(actor=hq_admin.user, text="客户 投诉，顾客-投诉")
    assert list(SynonymGroup.objects.values_list("words", flat=True)) == ["客户, 顾客"]


# --- the synonym list: page ------------------------------------------------------------------


def test_the_page_is_for_hq_admins_only(client_for, hq_admin, training_lead, learner):
    assert client_for(training_lead).get(URL).status_code == 403
    assert client_for(learner).post(URL, {"text": "客户，顾客"}).status_code == 403
    assert not SynonymGroup.objects.exists()
    client = client_for(hq_admin)
    assert 'name="text"' in client.get(URL).content.decode()
    response = client.post(URL, {"text": "客户，顾客"})
    assert response.status_code == 302
    assert SynonymGroup.objects.get().words == "客户, 顾客"
    assert "客户, 顾客" in client.get(URL).content.decode()
    assert b"synonyms-link" in client.get("/library/search/").content
    assert b"synonyms-link" not in client_for(learner).get("/library/search/").content


def test_the_page_shows_a_bad_line_and_keeps_the_list(client_for, hq_admin):
    response = client_for(hq_admin).post(URL, {"text": "客户"})
    assert response.status_code == 200
    assert b"synonyms-error" in response.content
    assert "Line 1" in response.content.decode()
    assert not SynonymGroup.objects.exists()


def test_a_long_query_with_synonyms_stays_within_the_segment_cap(library, learner, hq_admin):
    from library.search.tokens import MAX_QUERY_LENGTH, MAX_SEGMENTS

    library.course("顾客投诉处理")
    synonyms_replace(actor=hq_admin.user, text="客户，顾客，消费者，用户\n投诉，抱怨，意见")
    distinct = "".join(chr(0x4E00 + 7 * n) for n in range(MAX_QUERY_LENGTH))
    query = ("客户投诉" + distinct)[:MAX_QUERY_LENGTH]  # 99 different bigrams
    assert len(partial_terms(expand_synonyms(terms(query), [["客户", "顾客"]]))) == MAX_SEGMENTS
    results = library_search(user=learner.user, query=query)
    assert [hit.entry.title_text for hit in results.hits] == ["顾客投诉处理"]
