"""Learner-facing pages: course catalogue filters and paging (flat query count), course detail
without trainer notes, case and guide pages."""

import pytest

from library.models import CourseIndexPage, CoursePage, GuideIndexPage, GuidePage
from library.services import course_create_from_template
from tests.factories import BranchFactory

pytestmark = pytest.mark.django_db

NOTES = "秘密提示：先让学员自己说出顾虑"


def make_course(title, *, areas=(), branch=None, live=True, **fields):
    index = CourseIndexPage.objects.get()
    values = {"category": "in_service", "audience": "backbone", "hours": 2, **fields}
    course = CoursePage(title=title, owning_branch=branch, live=live, **values)
    course.business_areas.add(*areas)
    index.add_child(instance=course)
    return course


def titles(response):
    return {course.title for course in response.context["page_obj"]}


@pytest.fixture
def catalogue(library):
    north, south = BranchFactory(name="北京分部"), BranchFactory(name="广州分部")
    make_course(
        "新员工入职（北京）",
        category="onboarding",
        audience="new_hire",
        branch=north,
        areas=["零售"],
    )
    make_course("门店连带销售", category="specialised", branch=south, areas=["零售", "门店"])
    make_course(
        "管理者辅导", category="appointment", audience="manager", branch=north, areas=["管理"]
    )
    make_course("未发布的草稿", live=False, branch=north, areas=["零售"])
    return north, south


def test_catalogue_lists_published_courses_only(client_for, learner, catalogue):
    response = client_for(learner).get("/library/courses/")
    assert response.status_code == 200
    assert titles(response) == {"新员工入职（北京）", "门店连带销售", "管理者辅导"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("category=onboarding", {"新员工入职（北京）"}),
        ("audience=manager", {"管理者辅导"}),
        ("area=零售", {"新员工入职（北京）", "门店连带销售"}),
        ("area=门店&category=specialised", {"门店连带销售"}),
        ("category=in_service", set()),
    ],
)
def test_catalogue_filters(client_for, learner, catalogue, query, expected):
    assert titles(client_for(learner).get(f"/library/courses/?{query}")) == expected


def test_branch_filter(client_for, learner, catalogue):
    north, _south = catalogue
    response = client_for(learner).get(f"/library/courses/?branch={north.code}")
    assert titles(response) == {"新员工入职（北京）", "管理者辅导"}


def test_unknown_filter_value_shows_everything_rather_than_failing(client_for, learner, catalogue):
    response = client_for(learner).get("/library/courses/?category=bogus")
    assert response.status_code == 200
    assert len(titles(response)) == 3


def test_paging_twelve_per_page(client_for, learner, library):
    for n in range(13):
        make_course(f"课程{n:02d}")
    client = client_for(learner)
    first = client.get("/library/courses/")
    assert len(first.context["page_obj"]) == 12
    assert first.context["page_obj"].paginator.num_pages == 2
    assert len(client.get("/library/courses/?page=2").context["page_obj"]) == 1
    assert len(client.get("/library/courses/?page=99").context["page_obj"]) == 1


def test_catalogue_query_count_does_not_grow(
    client_for, learner, library, django_assert_max_num_queries
):
    branches = [BranchFactory() for _ in range(3)]
    for n in range(5):
        make_course(f"课程{n}", branch=branches[n % 3], areas=["零售", f"领域{n}"])
    client = client_for(learner)
    client.get("/library/courses/")  # warm the session and site caches
    with django_assert_max_num_queries(20) as small:
        client.get("/library/courses/")
    for n in range(5, 30):
        make_course(f"课程{n}", branch=branches[n % 3], areas=["零售", f"领域{n}"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/library/courses/")
    assert len(response.context["page_obj"]) == 12


def test_course_detail_hides_trainer_notes_from_learners(
    client_for, learner, trainer, hq_admin, course_template
):
    course = course_create_from_template(template=course_template, actor=trainer.user)
    course.save_revision(user=trainer.user).publish()
    learner_html = client_for(learner).get(course.url).content.decode()
    assert NOTES not in learner_html
    assert "data-trainer-notes" not in learner_html
    assert "认识异议" in learner_html  # the module
    assert "45 minutes" in learner_html
    assert "顾客嫌贵转身要走" in learner_html  # the case reference
    assert "讲义" in learner_html  # the document
    assert "情景演练" in learner_html  # the assessment
    for staff in (trainer, hq_admin):
        html = client_for(staff).get(course.url).content.decode()
        assert NOTES in html
        assert "data-trainer-notes" in html


def test_unpublished_course_is_not_served(client_for, learner, trainer, course_template):
    course = course_create_from_template(template=course_template, actor=trainer.user)
    assert client_for(learner).get(course.url or "/library/courses/x/").status_code == 404


def test_case_page_shows_scenario_analysis_resolution_and_tags(client_for, learner, case_page):
    html = client_for(learner).get(case_page.url).content.decode()
    for text in (
        "顾客看中一件外套",
        "价值没讲清楚",
        "连带销售",
        "异议处理",
        "Scenario",
        "Analysis",
        "Resolution",
    ):
        assert text in html
    listing = client_for(learner).get("/library/cases/?tag=异议处理")
    assert [c.pk for c in listing.context["page_obj"]] == [case_page.pk]
    assert list(client_for(learner).get("/library/cases/?tag=无此标签").context["page_obj"]) == []


def test_guide_pages(client_for, learner, library):
    guide = GuidePage(
        title="年度培训计划怎么做",
        summary="从需求调研到计划发布。",
        body=[
            {"type": "heading", "value": "第一步：需求调研"},
            {"type": "paragraph", "value": "<p>访谈门店店长。</p>"},
        ],
    )
    GuideIndexPage.objects.get().add_child(instance=guide)
    client = client_for(learner)
    assert "年度培训计划怎么做" in client.get("/library/guides/").content.decode()
    html = client.get(guide.url).content.decode()
    assert "第一步：需求调研" in html and "访谈门店店长" in html


def test_library_home_in_chinese_by_default(client_for, learner, library):
    html = client_for(learner, language="zh-hans").get("/library/").content.decode()
    assert "课程资源库" in html
    assert "案例库" in html


def test_case_page_query_count_does_not_grow_with_its_tags(
    client_for, learner, case_page, django_assert_max_num_queries
):
    client = client_for(learner)
    client.get(case_page.url)  # warm the session and site caches
    with django_assert_max_num_queries(30) as few:
        client.get(case_page.url)
    baseline = len(few.captured_queries)  # read now: the next request clears the log
    case_page.tags.add(*(f"标签{n}" for n in range(8)))
    case_page.save_revision().publish()
    client.get(case_page.url)
    with django_assert_max_num_queries(baseline):
        html = client.get(case_page.url).content.decode()
    assert html.count('href="/library/cases/?tag=') == 9


def test_courses_and_guides_under_a_group_restriction_are_left_out_of_listings(
    client_for, learner, catalogue
):
    from django.contrib.auth.models import Group
    from wagtail.models import PageViewRestriction

    hidden = CoursePage.objects.get(title="管理者辅导")
    restriction = PageViewRestriction.objects.create(
        page=hidden, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.create(name="管理层"))
    guide = GuidePage(title="内部指南", summary="仅限管理层")
    GuideIndexPage.objects.get().add_child(instance=guide)
    PageViewRestriction.objects.create(
        page=guide, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    client = client_for(learner)
    assert titles(client.get("/library/courses/")) == {"新员工入职（北京）", "门店连带销售"}
    assert "内部指南" not in client.get("/library/guides/").content.decode()
    # "Logged in only" is what every library page asks anyway: such a page stays listed.
    restriction.restriction_type = PageViewRestriction.LOGIN
    restriction.save()
    assert "管理者辅导" in titles(client.get("/library/courses/"))
