"""library.search: indexing from page signals, matching, ranking, snippets and scoping.

Runs on whichever database DATABASE_URL names; CI runs it on SQLite and PostgreSQL.
"""

import pytest
from django.db import connection
from django.utils import translation

from library.search.indexing import index_rebuild
from library.search.models import SearchEntry
from library.search.selectors import QUERY_EMPTY, library_search
from library.search.tokens import SearchQueryError
from tests.library import search_fixtures
from tests.library.search_fixtures import module, trainer_notes

library = search_fixtures.library
trainer = search_fixtures.trainer
training_lead = search_fixtures.training_lead

pytestmark = pytest.mark.django_db


def titles(user, query, **kwargs):
    return [hit.entry.title_text for hit in library_search(user=user, query=query, **kwargs).hits]


def full_titles(user, query, **kwargs):
    """Titles of the pages that hold every term (partial matches follow them)."""
    hits = library_search(user=user, query=query, **kwargs).hits
    return [hit.entry.title_text for hit in hits if not hit.partial]


def test_a_chinese_phrase_is_found_in_a_title(library, learner):
    library.course("连带销售入门")
    library.course("新员工入职培训")
    assert titles(learner.user, "连带销售") == ["连带销售入门"]


def test_a_chinese_phrase_is_found_in_every_kind_of_body(library, learner):
    library.course("课程甲", body=[module("第一单元", "讲解连带销售的三个时机")])
    library.course("课程乙", summary="本课讨论连带销售")
    library.case("案例丙", scenario="<p>顾客买了手机，店员尝试<b>连带销售</b>耳机。</p>")
    library.guide("指南丁", paragraphs=["<p>门店应每周复盘连带销售数据。</p>"])
    assert set(titles(learner.user, "连带销售")) == {"案例丙", "课程乙", "课程甲", "指南丁"}


def test_a_phrase_that_is_absent_finds_nothing(library, learner):
    library.course("连带销售入门", body=[module("单元", "异议处理")])
    assert titles(learner.user, "客户投诉") == []
    assert library_search(user=learner.user, query="客户投诉").total == 0


def test_a_two_character_word_inside_a_longer_phrase(library, learner):
    library.course("课程", body=[module("单元", "提升连带销售能力")])
    assert titles(learner.user, "销售") == ["课程"]
    assert titles(learner.user, "带销") == ["课程"]
    # Characters of the text that are not next to each other do not make a phrase (连带能力
    # is only a partial match: its segments 连带 and 能力 are there).
    assert titles(learner.user, "销能") == []
    assert full_titles(learner.user, "连带能力") == []
    assert titles(learner.user, "连带能力") == ["课程"]


def test_a_single_character_is_found_anywhere_in_a_run(library, learner):
    library.course("课程", body=[module("单元", "售后服务")])
    library.course("另一课", body=[module("单元", "连带销售")])
    assert sorted(titles(learner.user, "售")) == ["另一课", "课程"]


def test_a_phrase_does_not_span_punctuation_or_paragraphs(library, learner):
    library.case("案例", scenario="<p>先连带，销售其次</p><p>强调连带</p><p>销售技巧</p>")
    assert full_titles(learner.user, "连带销售") == []
    assert full_titles(learner.user, "连带 销售") == ["案例"]


def test_every_term_must_match_in_a_mixed_chinese_english_query(library, learner):
    library.course("CRM 系统里的连带销售记录")
    library.course("连带销售话术")
    library.course("CRM 客户管理")
    assert full_titles(learner.user, "crm 连带销售") == ["CRM 系统里的连带销售记录"]
    assert full_titles(learner.user, "连带销售CRM") == ["CRM 系统里的连带销售记录"]
    # The others hold one of the terms: partial matches, after the full one.
    assert titles(learner.user, "crm 连带销售")[0] == "CRM 系统里的连带销售记录"
    assert len(titles(learner.user, "crm 连带销售")) == 3


def test_english_words_match_case_insensitively_as_prefixes(library, learner):
    library.guide("Objection handling", paragraphs=["<p>Handling objections politely</p>"])
    library.guide("Subjective notes")
    assert titles(learner.user, "OBJECTION") == ["Objection handling"]
    assert titles(learner.user, "object") == ["Objection handling"]
    assert titles(learner.user, "jection") == []


def test_a_title_hit_ranks_above_body_hits(library, learner):
    library.course("门店陈列", body=[module("单元", "连带销售 连带销售 连带销售 连带销售")])
    library.course("连带销售技巧")
    library.case("案例", scenario="<p>一次连带销售</p>")
    found = titles(learner.user, "连带销售")
    assert found[0] == "连带销售技巧"
    assert found[1:] == ["门店陈列", "案例"]


def test_more_hits_rank_higher(library, learner):
    library.course("一次", body=[module("单元", "连带销售")])
    library.course("三次", body=[module("单元", "连带销售，连带销售", "再谈连带销售")])
    library.course("两次", body=[module("单元", "连带销售"), module("单元二", "连带销售")])
    assert titles(learner.user, "连带销售") == ["三次", "两次", "一次"]


def test_more_terms_in_the_title_rank_higher(library, learner):
    library.course("CRM 入门", body=[module("单元", "连带销售")])
    library.course("CRM 连带销售")
    assert titles(learner.user, "CRM 连带销售") == ["CRM 连带销售", "CRM 入门"]


def test_hits_carry_a_highlighted_title_and_an_escaped_snippet(library, learner):
    library.course(
        "连带销售 <入门>",
        body=[module("单元", "开场白<script>alert(1)</script>，然后练习连带销售话术。")],
    )
    (hit,) = library_search(user=learner.user, query="连带销售").hits
    assert hit.title_html == "<mark>连带销售</mark> &lt;入门&gt;"
    assert "<mark>连带销售</mark>话术" in hit.snippet_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hit.snippet_html
    assert "<script>" not in hit.snippet_html


def test_trainer_notes_are_not_indexed(library, learner, trainer):
    library.course("课程", body=[module("单元", "正文"), trainer_notes("机密提示：压价底线")])
    assert titles(learner.user, "压价底线") == []
    assert titles(trainer.user, "压价底线") == []
    assert "压价" not in SearchEntry.objects.get().body_text


def test_choice_values_and_numbers_are_not_indexed(library, learner):
    library.course("课程", body=[module("单元", "正文")])
    assert titles(learner.user, "lecture") == []
    assert titles(learner.user, "30") == []


def test_a_draft_is_not_found_until_published(library, learner):
    draft = library.course("连带销售草稿", publish=False)
    assert titles(learner.user, "连带销售") == []
    draft.save_revision().publish()
    assert titles(learner.user, "连带销售") == ["连带销售草稿"]


def test_unpublished_changes_of_a_live_page_are_not_found(library, learner):
    page = library.course("门店课程")
    page.title = "门店课程（连带销售修订中）"
    page.save_revision()
    assert titles(learner.user, "连带销售") == []
    assert titles(learner.user, "门店课程") == ["门店课程"]


def test_an_unpublished_page_disappears(library, learner):
    page = library.course("连带销售入门")
    assert titles(learner.user, "连带销售") == ["连带销售入门"]
    page.unpublish()
    assert titles(learner.user, "连带销售") == []
    assert not SearchEntry.objects.filter(page_id=page.pk).exists()


def test_unpublishing_a_section_with_its_pages_empties_it(library, learner):
    from wagtail.actions.unpublish_page import UnpublishPageAction

    from tests.factories import UserFactory

    library.course("连带销售课程")
    library.case("连带销售案例")
    admin = UserFactory(is_superuser=True)
    UnpublishPageAction(library.courses, user=admin, include_descendants=True).execute()
    assert titles(learner.user, "连带销售") == ["连带销售案例"]
    assert SearchEntry.objects.count() == 1


def test_a_deleted_page_leaves_the_index(library, learner):
    page = library.case("连带销售案例")
    assert SearchEntry.objects.filter(page_id=page.pk).exists()
    page.delete()
    assert not SearchEntry.objects.exists()


def test_a_page_in_a_private_section_is_not_found(library, learner):
    from django.contrib.auth.models import Group
    from wagtail.models import PageViewRestriction

    library.case("连带销售公开案例")
    private = library.case("连带销售内部案例")
    library.course("连带销售课程")
    restriction = PageViewRestriction.objects.create(
        page=library.courses, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.create(name="总部"))
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    results = library_search(user=learner.user, query="连带销售")
    assert [hit.entry.title_text for hit in results.hits] == ["连带销售公开案例"]
    assert results.kind_counts == {"case": 1}


def test_a_republished_page_is_indexed_with_its_new_text(library, learner):
    page = library.course("旧标题")
    page.title = "连带销售新标题"
    page.save_revision().publish()
    assert titles(learner.user, "连带销售") == ["连带销售新标题"]
    assert full_titles(learner.user, "旧标题") == []  # 标题 is still a partial match


def test_templates_are_hidden_from_learners(library, learner):
    library.template("连带销售课程模板")
    library.course("连带销售课程")
    assert titles(learner.user, "连带销售") == ["连带销售课程"]
    assert titles(learner.user, "连带销售", kind="template") == []
    assert "template" not in library_search(user=learner.user, query="连带销售").kind_counts


def test_templates_are_found_by_trainers_and_hq(library, trainer, training_lead, hq_admin):
    library.template("连带销售课程模板")
    library.course("连带销售课程")
    for employee in (trainer, training_lead, hq_admin):
        assert sorted(titles(employee.user, "连带销售")) == ["连带销售课程", "连带销售课程模板"]
        assert titles(employee.user, "连带销售", kind="template") == ["连带销售课程模板"]


def test_a_branch_manager_is_not_shown_templates(library, manager):
    library.template("连带销售课程模板")
    assert titles(manager.user, "连带销售") == []


def test_kind_narrows_and_counts_cover_the_whole_match(library, learner):
    library.course("连带销售课程")
    library.case("连带销售案例甲")
    library.case("连带销售案例乙")
    results = library_search(user=learner.user, query="连带销售", kind="case")
    assert sorted(h.entry.title_text for h in results.hits) == ["连带销售案例乙", "连带销售案例甲"]
    assert results.kind_counts == {"course": 1, "case": 2}


def test_results_are_paged(library, learner):
    for n in range(5):
        library.case(f"连带销售案例{n}")
    first = library_search(user=learner.user, query="连带销售", per_page=2)
    last = library_search(user=learner.user, query="连带销售", per_page=2, page=3)
    assert (first.total, len(first.hits), len(last.hits)) == (5, 2, 1)


def test_an_empty_query_is_refused_with_a_message(learner):
    with pytest.raises(SearchQueryError) as exc, translation.override("en"):
        library_search(user=learner.user, query="  ，。")
    with translation.override("en"):
        assert str(exc.value.message) == str(QUERY_EMPTY)


def test_a_too_long_query_is_refused_with_a_message(learner):
    with pytest.raises(SearchQueryError) as exc, translation.override("en"):
        library_search(user=learner.user, query="销" * 101)
    assert exc.value.message == "Search for at most 100 characters."


def test_rebuild_restores_the_index_and_drops_stale_entries(library, learner):
    library.course("连带销售课程")
    library.case("连带销售案例")
    gone = library.guide("连带销售指南")
    SearchEntry.objects.filter(page_id__in=[gone.pk]).delete()
    SearchEntry.objects.exclude(page_id=gone.pk).update(title_tokens=" ", body_tokens=" ")
    gone.live = False
    gone.save(update_fields=["live"])  # unpublished without the signal
    counts = index_rebuild()
    assert counts == {"course": 1, "case": 1, "removed": 0}
    assert sorted(titles(learner.user, "连带销售")) == ["连带销售案例", "连带销售课程"]


def test_search_queries_do_not_grow_with_the_results(
    library, learner, django_assert_max_num_queries
):
    for n in range(12):
        library.case(f"连带销售案例{n}", scenario=f"<p>第{n}次连带销售</p>")
    with django_assert_max_num_queries(7):  # 6 + HQ's synonym list
        results = library_search(user=learner.user, query="连带销售")
        assert len(results.hits) == 12


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN index is PostgreSQL only")
def test_postgresql_uses_the_gin_index(library, learner):
    from library.search.selectors import entries_matching
    from library.search.tokens import parse_query

    library.course("连带销售课程")
    terms = parse_query("连带销售", empty_message="", too_long_message="")
    queryset = entries_matching(SearchEntry.objects.all(), terms)
    with connection.cursor() as cursor:
        # A tiny table is cheaper to scan: make the planner show whether the index applies.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = queryset.explain()
    assert "library_search_vector" in plan, plan
