"""The demo library (library.demo.seed_library), written by the demo seed after the company."""

import datetime as dt
from collections import Counter

import pytest
from django.urls import reverse
from wagtail.models import WorkflowState

from hub.seeding import DEMO_PASSWORD, SeedScale, demo_seed
from library.demo import seed_library
from library.models import CasePage, CoursePage, CourseTemplatePage, GuidePage, H5PContent, Video

pytestmark = pytest.mark.django_db

TINY = SeedScale("tiny", branches=3, employees=40, hq_employees=5, trainers=6)
TODAY = dt.date(2026, 11, 28)


@pytest.fixture
def seeded():
    return demo_seed(seed=1, scale=TINY, today=TODAY)


def test_demo_library_counts_content_and_pages(seeded, client):
    """One seeding (it takes seconds) checked from every side."""
    assert CourseTemplatePage.objects.live().count() >= 6
    titles = set(CourseTemplatePage.objects.values_list("title", flat=True))
    assert {
        "新员工入职培训",
        "客户异议处理",
        "门店导购连带销售",
        "门店运营标准作业流程",
        "管理者辅导技能",
        "内训师基础",
    } <= titles
    courses = CoursePage.objects.all()
    assert courses.count() >= 20
    assert courses.filter(derived_from__isnull=True).count() == 0
    assert courses.values("author").distinct().count() == 6  # every trainer wrote some
    assert courses.live().count() > courses.count() / 2
    assert courses.filter(is_standard=True, live=True).exists()
    assert courses.filter(live=False).count() >= 3
    assert WorkflowState.objects.filter(status=WorkflowState.STATUS_IN_PROGRESS).count() >= 1
    assert CasePage.objects.live().count() >= 15
    assert GuidePage.objects.live().count() == 3
    assert seeded.created["course templates"] == 6
    # Something for the Chinese search to find.
    assert CoursePage.objects.live().filter(title__contains="连带销售").exists()
    assert CasePage.objects.filter(resolution__contains="连带销售").count() >= 3

    # The pages render for a learner (no templates, no trainer notes) and a trainer.
    assert client.login(username="learner", password=DEMO_PASSWORD)
    course = CoursePage.objects.live().filter(title__contains="连带销售").first()
    for url in (
        "/library/",
        "/library/courses/",
        "/library/cases/",
        "/library/guides/",
        course.url,
    ):
        assert client.get(url).status_code == 200
    html = client.get(course.url).content.decode()
    assert "data-trainer-notes" not in html
    # The cross-selling courses carry the demo video and the demo H5P quick check.
    video, h5p = Video.objects.get(), H5PContent.objects.get()
    assert reverse("library:video:stream", args=[video.pk]) in html
    assert 'sandbox="allow-scripts"' in html
    assert f"/library/h5p/{h5p.pk}/player/" in html
    assert client.get("/library/templates/").status_code == 404
    client.logout()
    assert client.login(username="trainer", password=DEMO_PASSWORD)
    assert client.get("/library/templates/").status_code == 200
    draft = CoursePage.objects.filter(owner__username="trainer", live=False).order_by("pk")[0]
    assert client.get(f"/cms/pages/{draft.pk}/edit/").status_code == 200


def test_demo_library_is_idempotent(seeded):
    counts = (CoursePage.objects.count(), CasePage.objects.count(), GuidePage.objects.count())
    assert seed_library(seed=1, today=TODAY) == Counter()
    again = demo_seed(seed=1, scale=TINY, today=TODAY)
    assert again.already_seeded
    assert (
        CoursePage.objects.count(),
        CasePage.objects.count(),
        GuidePage.objects.count(),
    ) == counts


def test_the_demo_search_knows_hqs_synonyms(seeded):
    """客户投诉 finds the cases about 顾客 … 投诉 as full matches (客户 = 顾客 in HQ's list)."""
    from django.contrib.auth import get_user_model

    from library.search.selectors import library_search

    learner = get_user_model().objects.get(username="learner")
    results = library_search(user=learner, query="客户投诉")
    assert results.full_total >= 1
    assert not results.hits[0].partial
