"""The manager's "My branch" page and the HQ plans and sessions overview."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page

from hub.needs import services
from hub.needs.models import TrainingNeed
from hub.organisation.models import PositionCategory
from hub.sessions.models import Enrolment, Session
from library.models import CourseIndexPage, CoursePage, LibraryIndexPage
from tests.factories import BranchFactory, EmployeeFactory, make_manager
from tests.hub.needs.helpers import attend, make_need, make_session, make_trainer

pytestmark = pytest.mark.django_db

Status = TrainingNeed.Status


# --- My branch -----------------------------------------------------------------------------


@pytest.fixture
def branch_page_data(manager, branch):
    other = BranchFactory()
    make_need(branch=branch, submitted_by=manager, title="开放需求")
    make_need(
        branch=branch,
        submitted_by=manager,
        title="交付中需求",
        status=Status.IN_DELIVERY,
        claimed_by=make_trainer(),
    )
    make_need(branch=other, submitted_by=make_manager(other), title="外店需求")
    ours, theirs = EmployeeFactory(branch=branch, name="张伟"), EmployeeFactory(branch=other)
    ended = make_session(
        status=Session.Status.ENDED, starts_in=dt.timedelta(days=-7), title="已结课程"
    )
    attend(ended, ours, "present")
    attend(ended, theirs, "present")
    absent = EmployeeFactory(branch=branch, name="缺席者")
    attend(ended, absent, "absent")
    make_session(branch=branch, title="本店即将开课")
    make_session(branch=None, title="全公司直播课", mode=Session.Mode.LIVE_ONLINE)
    make_session(branch=other, title="外店课程")
    make_session(branch=branch, title="已取消课程", status=Session.Status.CANCELLED)
    return other


def test_my_branch_shows_needs_trained_and_upcoming(branch_page_data, manager, client_for):
    response = client_for(manager).get(reverse("portal:my_branch"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "开放需求" in body and "交付中需求" in body
    assert "外店需求" not in body
    trained = [a.enrolment.learner.name for a in response.context["trained"]]
    assert trained == ["张伟"]
    assert response.context["trained_count"] == 1
    upcoming = {s.title for s in response.context["upcoming"]}
    assert upcoming == {"本店即将开课", "全公司直播课"}
    assert 'data-testid="nominations-panel"' in body  # this year's trainer nominations


def test_my_branch_forbidden_for_non_managers(hq_admin, learner, client_for):
    assert client_for(hq_admin).get(reverse("portal:my_branch")).status_code == 403
    assert client_for(make_trainer()).get(reverse("portal:my_branch")).status_code == 403


def test_my_branch_of_an_unmanaged_branch_is_404(branch_page_data, manager, client_for):
    url = reverse("portal:my_branch") + f"?branch={branch_page_data.code}"
    assert client_for(manager).get(url).status_code == 404


def test_my_branch_switches_between_managed_branches(manager, branch, client_for):
    second = BranchFactory()
    from tests.factories import grant

    grant(manager, "branch_manager", second)
    make_need(branch=second, submitted_by=manager, title="第二家店的需求")
    response = client_for(manager).get(reverse("portal:my_branch") + f"?branch={second.code}")
    assert response.context["branch"] == second
    assert "第二家店的需求" in response.content.decode()


# --- HQ overview ---------------------------------------------------------------------------


@pytest.fixture
def courses(db):
    root = Page.get_first_root_node()
    library = root.add_child(instance=LibraryIndexPage(title="资料库", slug="lib-test"))
    index = library.add_child(instance=CourseIndexPage(title="课程", slug="courses-test"))
    onboarding = index.add_child(
        instance=CoursePage(
            title="新员工入职",
            slug="onboarding-test",
            category="onboarding",
            audience=PositionCategory.NEW_HIRE,
        )
    )
    specialised = index.add_child(
        instance=CoursePage(
            title="连带销售",
            slug="cross-sell-test",
            category="specialised",
            audience=PositionCategory.BACKBONE,
        )
    )
    return {"onboarding": onboarding, "specialised": specialised}


def overview(client, **params):
    response = client.get(reverse("portal:overview"), params)
    assert response.status_code == 200
    return response


def test_overview_is_hq_only(manager, client_for):
    assert client_for(manager).get(reverse("portal:overview")).status_code == 403
    assert client_for(make_trainer()).get(reverse("portal:overview")).status_code == 403


def test_overview_filters_sessions(hq_admin, courses, client_for):
    b1, b2 = BranchFactory(), BranchFactory()
    make_session(branch=b1, title="b1-线下", course=courses["onboarding"])
    make_session(
        branch=b2,
        title="b2-直播",
        mode=Session.Mode.LIVE_ONLINE,
        course=courses["specialised"],
    )
    make_session(branch=b1, title="b1-旧", starts_in=dt.timedelta(days=-60))
    client = client_for(hq_admin)

    def titles(**params):
        return {s.title for s in overview(client, **params).context["page"]}

    assert titles() == {"b1-线下", "b2-直播", "b1-旧"}
    assert titles(branch=b1.code) == {"b1-线下", "b1-旧"}
    assert titles(mode="live_online") == {"b2-直播"}
    assert titles(category="onboarding") == {"b1-线下"}
    today = timezone.localdate()
    assert titles(start=str(today - dt.timedelta(days=1))) == {"b1-线下", "b2-直播"}
    assert titles(end=str(today - dt.timedelta(days=30))) == {"b1-旧"}


def test_overview_period_bounds_are_local_days(hq_admin, client_for):
    """From and To are whole local days: from 00:00 on From up to 24:00 on To, inclusive."""
    tz = timezone.get_current_timezone()

    def at(day, hour, minute, title):
        starts = dt.datetime(2026, 11, day, hour, minute, tzinfo=tz)
        session = make_session(title=title)
        Session.objects.filter(pk=session.pk).update(
            starts_at=starts, ends_at=starts + dt.timedelta(hours=1)
        )

    at(9, 23, 59, "前一天深夜")
    at(10, 0, 0, "首日零点")
    at(12, 23, 59, "末日深夜")
    at(13, 0, 0, "次日零点")
    response = overview(client_for(hq_admin), start="2026-11-10", end="2026-11-12")
    assert {s.title for s in response.context["page"]} == {"首日零点", "末日深夜"}
    counts = dict(response.context["status_counts"])
    assert counts[Session.Status.SCHEDULED.label] == 2


def test_overview_counts_enrolled_and_waitlisted_per_session(hq_admin, client_for):
    full = make_session(title="满员", capacity=1)
    attend(full, EmployeeFactory(), None)
    Enrolment.objects.create(
        session=full, learner=EmployeeFactory(), status=Enrolment.Status.WAITLISTED
    )
    Enrolment.objects.create(
        session=full, learner=EmployeeFactory(), status=Enrolment.Status.CANCELLED
    )
    make_session(title="空场")
    rows = {s.title: s for s in overview(client_for(hq_admin)).context["page"]}
    assert (rows["满员"].enrolled, rows["满员"].waitlisted) == (1, 1)
    assert (rows["空场"].enrolled, rows["空场"].waitlisted) == (0, 0)


def test_overview_invalid_period_shows_nothing(hq_admin, client_for):
    make_session()
    response = overview(client_for(hq_admin), start="2026-12-01", end="2026-11-01")
    assert response.context["page"].paginator.count == 0
    assert "end" in response.context["form"].errors


def test_overview_filters_plans(hq_admin, courses, client_for):
    b1, b2 = BranchFactory(), BranchFactory()
    period = {"period_start": dt.date(2026, 10, 1), "period_end": dt.date(2026, 12, 31)}
    live = make_session(branch=b1, mode=Session.Mode.LIVE_ONLINE, course=courses["specialised"])
    b1_plan = services.plan_create(
        actor=hq_admin.user, title="b1计划", scope="branch", branch=b1, **period
    )
    b1_plan.sessions.add(live)
    services.plan_create(actor=hq_admin.user, title="b2计划", scope="branch", branch=b2, **period)
    services.plan_create(actor=hq_admin.user, title="全公司计划", scope="hq", **period)
    services.plan_create(
        actor=hq_admin.user, title="面向b2", scope="hq", target_branches=[b2], **period
    )
    services.plan_create(
        actor=hq_admin.user,
        title="上半年",
        scope="hq",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 6, 30),
    )
    client = client_for(hq_admin)

    def titles(**params):
        return {p.title for p in overview(client, **params).context["plan_page"]}

    assert titles(branch=b1.code) == {"b1计划", "全公司计划", "上半年"}
    assert titles(branch=b2.code) == {"b2计划", "全公司计划", "面向b2", "上半年"}
    assert titles(start="2026-09-01") == {"b1计划", "b2计划", "全公司计划", "面向b2"}
    assert titles(end="2026-03-01") == {"上半年"}
    assert titles(mode="live_online") == {"b1计划"}
    assert titles(category="onboarding") == set()
    assert titles(category="specialised") == {"b1计划"}


def test_overview_paginates_sessions(hq_admin, client_for):
    for i in range(30):
        make_session(starts_in=dt.timedelta(days=i + 1))
    client = client_for(hq_admin)
    assert len(overview(client).context["page"].object_list) == 25
    assert len(overview(client, page=2).context["page"].object_list) == 5


def _grow(n, hq_admin, trainer, branch):
    period = {"period_start": dt.date(2026, 10, 1), "period_end": dt.date(2026, 12, 31)}
    for i in range(n):
        session = make_session(
            branch=branch,
            trainers=(trainer,),
            status=Session.Status.ENDED,
            starts_in=dt.timedelta(days=-i - 1),
        )
        attend(session, EmployeeFactory(branch=branch), "present")
        attend(session, EmployeeFactory(branch=branch), None)
        plan = services.plan_create(
            actor=hq_admin.user, title=f"计划{i}", scope="branch", branch=branch, **period
        )
        plan.sessions.add(session)
        plan.needs.add(make_need(branch=branch, submitted_by=hq_admin, metric_before=Decimal(10)))


def test_overview_query_count_is_flat(hq_admin, client_for, django_assert_max_num_queries):
    branch, trainer = BranchFactory(), make_trainer()
    client = client_for(hq_admin)
    _grow(2, hq_admin, trainer, branch)
    overview(client, branch=branch.code)  # warm the session and caches
    with django_assert_max_num_queries(16) as small:  # + learners trained of the plans
        overview(client, branch=branch.code)
    _grow(25, hq_admin, trainer, branch)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = overview(client, branch=branch.code)
    assert response.context["page"].paginator.count == 27


def test_my_branch_query_count_is_flat(manager, branch, client_for, django_assert_max_num_queries):
    trainer = make_trainer()
    client = client_for(manager)

    def grow(n):
        for i in range(n):
            ended = make_session(status=Session.Status.ENDED, starts_in=dt.timedelta(days=-i - 1))
            attend(ended, EmployeeFactory(branch=branch), "present")
            make_session(branch=branch, trainers=(trainer,), starts_in=dt.timedelta(days=i + 1))
            make_need(
                branch=branch, submitted_by=manager, status=Status.CLAIMED, claimed_by=trainer
            )

    grow(2)
    client.get(reverse("portal:my_branch"))
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("portal:my_branch"))
    grow(15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("portal:my_branch")).status_code == 200
