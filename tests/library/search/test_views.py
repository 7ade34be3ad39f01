"""The library search page (/library/search/) and the library_reindex command."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from library.search.models import SearchEntry
from tests.library import search_fixtures
from tests.library.search_fixtures import module, trainer_notes

library = search_fixtures.library
trainer = search_fixtures.trainer

pytestmark = pytest.mark.django_db
URL = "/library/search/"


def test_the_url_is_named():
    assert reverse("library:search:index") == URL


def test_login_is_required(client):
    response = client.get(URL, {"q": "连带销售"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_page_without_a_query_shows_only_the_form(client_for, learner):
    response = client_for(learner).get(URL)
    assert response.status_code == 200
    assert b'name="q"' in response.content
    assert b"search-results" not in response.content
    assert b"search-error" not in response.content


def test_results_are_listed_with_links_marks_and_escaped_snippets(client_for, library, learner):
    body = [module("单元", "先讲<b>原理</b>，再练连带销售话术"), trainer_notes("秘密")]
    page = library.course("连带销售入门", body=body)
    library.course("门店陈列")
    response = client_for(learner).get(URL, {"q": "连带销售"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 result" in html
    assert f'href="{page.url}"' in html
    assert "<mark>连带销售</mark>入门" in html
    assert "先讲&lt;b&gt;原理&lt;/b&gt;，再练<mark>连带销售</mark>话术" in html
    assert "门店陈列" not in html
    assert "秘密" not in html


def test_nothing_found_says_so(client_for, library, learner):
    library.course("门店陈列")
    response = client_for(learner).get(URL, {"q": "连带销售"})
    assert "Nothing in the library contains “连带销售”." in response.content.decode()


def test_an_empty_query_gets_a_clear_message(client_for, learner):
    response = client_for(learner).get(URL, {"q": "   "})
    assert response.status_code == 200
    assert "Enter a word or phrase to search for." in response.content.decode()


def test_a_too_long_query_gets_a_clear_message(client_for, learner):
    response = client_for(learner).get(URL, {"q": "销" * 101})
    assert "Search for at most 100 characters." in response.content.decode()
    response = client_for(learner).get(URL, {"q": "销" * 100})
    assert "search-error" not in response.content.decode()


def test_a_learner_gets_no_template_tab_and_no_templates(client_for, library, learner):
    library.template("连带销售模板")
    client = client_for(learner)
    response = client.get(URL, {"q": "连带销售"})
    assert "kind=course" in response.content.decode()
    assert "kind=template" not in response.content.decode()
    response = client.get(URL, {"q": "连带销售", "kind": "template"})
    assert "连带销售模板" not in response.content.decode()


def test_a_trainer_gets_templates_and_the_kind_filter(client_for, library, trainer):
    library.template("连带销售模板")
    library.course("连带销售课程")
    response = client_for(trainer).get(URL, {"q": "连带销售", "kind": "template"})
    html = response.content.decode()
    assert "<mark>连带销售</mark>模板" in html
    assert "<mark>连带销售</mark>课程" not in html
    assert 'kind=template"' in html


def test_the_page_query_count_does_not_grow_with_results(
    client_for, library, learner, django_assert_max_num_queries
):
    for n in range(15):
        library.case(f"连带销售案例{n}")
    client = client_for(learner)
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"q": "连带销售"})
    assert response.content.decode().count("<mark>连带销售</mark>案例") == 15


def test_library_reindex_rebuilds_the_index(library):
    library.course("连带销售课程")
    library.case("连带销售案例")
    SearchEntry.objects.all().delete()
    out = StringIO()
    with translation.override("en"):
        call_command("library_reindex", stdout=out)
    assert out.getvalue().strip() == "Indexed 2 pages (case 1, course 1); removed 0 stale entries."
    assert SearchEntry.objects.count() == 2


def test_the_search_box_include_points_at_the_search_page():
    from django.template.loader import render_to_string

    html = render_to_string("library/_search_box.html")
    assert f'action="{URL}"' in html
    assert 'name="q"' in html
