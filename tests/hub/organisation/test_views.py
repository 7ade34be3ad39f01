"""Organisation pages: role-aware home, scoped people directory and profiles, audit, admin sites."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hub.organisation.models import AuditEvent, Employee, Role, RoleGrant
from tests.conftest import language_client
from tests.factories import (
    PASSWORD,
    BranchFactory,
    EmployeeFactory,
    PerformanceGradeFactory,
    grant,
    make_hq_admin,
    make_manager,
)

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login():
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("language", "expected"), [("zh-hans", "登录"), ("en", "Log in to Lectern")]
)
def test_login_page_in_both_languages(language, expected):
    response = language_client(language).get(reverse("login"))
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert f'lang="{language}"' in response.content.decode()


def test_login_defaults_to_chinese_whatever_the_browser_says():
    response = Client(headers={"accept-language": "en-US,en;q=0.9"}).get(reverse("login"))
    assert 'lang="zh-hans"' in response.content.decode()
    assert "登录讲坛" in response.content.decode()


def test_language_switch_sets_english(learner):
    client = Client()
    client.login(username=learner.user.username, password=PASSWORD)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    body = response.content.decode()
    assert 'lang="en"' in body
    assert "My learning" in body


@pytest.mark.parametrize(
    ("setup", "title_en", "title_zh"),
    [
        ("learner", "My learning", "我的学习"),
        ("trainer", "My teaching", "我的授课"),
        ("manager", "My branch", "我的分部"),
        ("hq", "HQ overview", "总部概览"),
    ],
)
def test_home_fits_the_role_in_both_languages(setup, title_en, title_zh):
    branch = BranchFactory()
    if setup == "manager":
        employee = make_manager(branch)
    elif setup == "hq":
        employee = make_hq_admin()
    else:
        employee = EmployeeFactory(branch=branch)
        if setup == "trainer":
            grant(employee, Role.TRAINER)
    for language, title in (("en", title_en), ("zh-hans", title_zh)):
        client = language_client(language)
        client.login(username=employee.user.username, password=PASSWORD)
        response = client.get("/")
        assert response.status_code == 200
        assert f'<h1 class="h3 mb-3">{title}</h1>' in response.content.decode()


def test_manager_home_counts_only_managed_branch():
    branch, other = BranchFactory.create_batch(2)
    manager = make_manager(branch)
    EmployeeFactory.create_batch(3, branch=branch)
    EmployeeFactory.create_batch(5, branch=other)
    client = language_client("en")
    client.login(username=manager.user.username, password=PASSWORD)
    response = client.get("/")
    assert response.context["headcount"] == 4
    assert [b.code for b in response.context["branches"]] == [branch.code]


def test_home_counts_current_trainers_only(client_for):
    branch = BranchFactory()
    manager = make_manager(branch)
    trainer, leaver = EmployeeFactory.create_batch(2, branch=branch)
    grant(trainer, Role.TRAINER)
    grant(leaver, Role.TRAINER)
    leaver.leave_date = leaver.hire_date + dt.timedelta(days=1)
    leaver.save(update_fields=["leave_date"])
    response = client_for(manager).get("/")
    assert response.context["headcount"] == 2  # the manager and the trainer
    assert response.context["trainer_count"] == 1  # the leaver keeps the grant, not the count
    assert [b.trainers for b in response.context["branches"]] == [1]


def test_people_directory_scoped_for_manager(client_for):
    branch, other = BranchFactory.create_batch(2)
    manager = make_manager(branch)
    mine = EmployeeFactory(branch=branch, name="王小明")
    theirs = EmployeeFactory(branch=other, name="李大山")
    response = client_for(manager).get(reverse("people"))
    names = [e.name for e in response.context["page"]]
    assert mine.name in names
    assert theirs.name not in names
    # Asking for the other branch explicitly gives nothing either.
    response = client_for(manager).get(reverse("people"), {"branch": other.code})
    assert list(response.context["page"]) == []


def test_manager_cannot_open_employee_of_another_branch(client_for):
    branch, other = BranchFactory.create_batch(2)
    manager = make_manager(branch)
    theirs = EmployeeFactory(branch=other)
    response = client_for(manager).get(reverse("employee", args=[theirs.employee_no]))
    assert response.status_code == 404
    mine = EmployeeFactory(branch=branch)
    assert client_for(manager).get(reverse("employee", args=[mine.employee_no])).status_code == 200


def test_learner_cannot_list_people_but_sees_own_profile(client_for, learner):
    assert client_for(learner).get(reverse("people")).status_code == 403
    colleague = EmployeeFactory(branch=learner.branch)
    assert (
        client_for(learner).get(reverse("employee", args=[colleague.employee_no])).status_code
        == 404
    )
    own = client_for(learner).get(reverse("employee", args=[learner.employee_no]))
    assert own.status_code == 200
    assert learner.name in own.content.decode()


def test_directory_search_by_chinese_name_pinyin_and_number(client_for, hq_admin):
    branch = BranchFactory()
    zhang = EmployeeFactory(branch=branch, name="张伟", employee_no="E900001")
    EmployeeFactory(branch=branch, name="李娜", employee_no="E900002")
    client = client_for(hq_admin)
    for query in ("张伟", "zhang wei", "zhangwei", "E900001"):
        page = client.get(reverse("people"), {"q": query}).context["page"]
        assert [e.pk for e in page] == [zhang.pk], query


def test_directory_sorts_chinese_names_by_pinyin(client_for, hq_admin):
    branch = BranchFactory()
    for name in ("周杰", "艾琳", "王芳", "陈晨"):
        EmployeeFactory(branch=branch, name=name)
    page = client_for(hq_admin).get(reverse("people"), {"branch": branch.code}).context["page"]
    assert [e.name for e in page] == ["艾琳", "陈晨", "王芳", "周杰"]


def test_directory_pages(client_for, hq_admin):
    branch = BranchFactory()
    EmployeeFactory.create_batch(30, branch=branch)
    client = client_for(hq_admin)
    first = client.get(reverse("people"), {"branch": branch.code})
    assert len(first.context["page"]) == 25
    second = client.get(reverse("people"), {"branch": branch.code, "page": 2})
    assert len(second.context["page"]) == 5


def test_directory_query_count_is_the_same_for_10_and_500_employees(client_for, hq_admin):
    branch = BranchFactory()
    client = client_for(hq_admin)
    counts = []
    for size in (10, 500):
        EmployeeFactory.create_batch(size - branch.employees.count(), branch=branch)
        for url in (reverse("people"), reverse("people") + "?q=E0&page=2", reverse("home")):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append((size, url, len(queries)))
    small = [n for size, _url, n in counts if size == 10]
    large = [n for size, _url, n in counts if size == 500]
    assert small == large, counts
    assert max(large) <= 8


def test_profile_shows_grades_and_roles(client_for, hq_admin):
    employee = EmployeeFactory()
    PerformanceGradeFactory(
        employee=employee,
        grade="A",
        period_start=dt.date(2026, 4, 1),
        period_end=dt.date(2026, 6, 30),
    )
    grant(employee, Role.TRAINER)
    body = (
        client_for(hq_admin).get(reverse("employee", args=[employee.employee_no])).content.decode()
    )
    assert "2026-04-01" in body
    assert "Trainer" in body


def test_hq_admin_grants_and_revokes_role_through_profile(client_for, hq_admin):
    employee = EmployeeFactory()
    client = client_for(hq_admin)
    url = reverse("employee_roles", args=[employee.employee_no])
    client.post(url, {"role": Role.BRANCH_MANAGER, "branch": employee.branch.code})
    grant_row = RoleGrant.objects.get(employee=employee)
    assert grant_row.branch == employee.branch
    client.post(url, {"revoke": grant_row.pk})
    assert not RoleGrant.objects.filter(employee=employee).exists()
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == [AuditEvent.Action.ROLE_GRANTED, AuditEvent.Action.ROLE_REVOKED]


def test_revoking_with_a_malformed_grant_id_changes_nothing(client_for, hq_admin):
    employee = EmployeeFactory()
    grant(employee, Role.TRAINER)
    url = reverse("employee_roles", args=[employee.employee_no])
    for revoke in ("1 OR 1=1", "²", str(2**70)):
        response = client_for(hq_admin).post(url, {"revoke": revoke})
        assert response.status_code == 302
    assert RoleGrant.objects.filter(employee=employee, role=Role.TRAINER).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_REVOKED).exists()


def test_role_change_refused_for_manager_and_bad_input(client_for, hq_admin):
    branch = BranchFactory()
    manager = make_manager(branch)
    employee = EmployeeFactory(branch=branch)
    url = reverse("employee_roles", args=[employee.employee_no])
    assert client_for(manager).post(url, {"role": Role.TRAINER}).status_code == 403
    client_for(hq_admin).post(url, {"role": Role.BRANCH_MANAGER})  # no branch
    client_for(hq_admin).post(url, {"role": "emperor"})
    assert not RoleGrant.objects.filter(employee=employee).exists()


def test_audit_log_visible_to_hq_only(client_for, hq_admin, manager):
    AuditEvent.objects.create(action=AuditEvent.Action.ROLE_GRANTED, summary="测试 ← 内训师")
    assert client_for(manager).get(reverse("audit")).status_code == 403
    body = client_for(hq_admin).get(reverse("audit")).content.decode()
    assert "测试 ← 内训师" in body


def test_leaver_cannot_log_in_and_loses_session(learner):
    client = Client()
    assert client.login(username=learner.user.username, password=PASSWORD)
    Employee.objects.filter(pk=learner.pk).update(leave_date=dt.date(2024, 1, 1))
    assert client.get("/").status_code == 302  # the open session no longer counts
    assert not Client().login(username=learner.user.username, password=PASSWORD)
    response = Client().post(
        reverse("login"), {"username": learner.user.username, "password": PASSWORD}
    )
    assert response.status_code == 200  # the form again, with an error


def test_django_admin_for_superusers_only(client_for, hq_admin):
    assert client_for(hq_admin).get("/django-admin/").status_code == 302
    get_user_model().objects.create_superuser("root", password=PASSWORD)
    client = Client()
    client.login(username="root", password=PASSWORD)
    assert client.get("/django-admin/").status_code == 200


def test_wagtail_admin_for_trainers_and_hq_not_learners(client_for, learner):
    from hub.organisation import services

    trainer = EmployeeFactory()
    services.role_grant(employee=trainer, role=Role.TRAINER, actor=None)
    assert client_for(trainer).get("/cms/").status_code == 200
    assert client_for(learner).get("/cms/").status_code == 302
    lead = EmployeeFactory()
    services.role_grant(employee=lead, role=Role.TRAINING_LEAD, actor=None)
    assert client_for(lead).get("/cms/").status_code == 200
    assert client_for(make_hq_admin()).get("/cms/").status_code == 200
    manager = make_manager(learner.branch)
    assert client_for(manager).get("/cms/").status_code == 302


@pytest.mark.parametrize("cookie", ["", "fr", "zh-hans"])
def test_unknown_or_missing_language_choice_falls_back_to_chinese(cookie):
    client = language_client(cookie or None)
    body = client.get(reverse("login")).content.decode()
    assert 'lang="zh-hans"' in body


def test_directory_hides_leavers_unless_asked(client_for, hq_admin):
    branch = BranchFactory()
    current = EmployeeFactory(branch=branch, name="在职者")
    gone = EmployeeFactory(branch=branch, name="离职者", leave_date=dt.date(2024, 1, 31))
    client = client_for(hq_admin)

    def names(**params):
        page = client.get(reverse("people"), {"branch": branch.code, **params}).context["page"]
        return {e.name for e in page}

    assert names() == {current.name}
    assert names(status="left") == {gone.name}
    assert names(status="all") == {current.name, gone.name}


def test_directory_filters_by_position_category(client_for, hq_admin):
    branch = BranchFactory()
    new_hire = EmployeeFactory(branch=branch, position_category="new_hire")
    EmployeeFactory(branch=branch, position_category="backbone")
    page = (
        client_for(hq_admin)
        .get(reverse("people"), {"branch": branch.code, "category": "new_hire"})
        .context["page"]
    )
    assert [e.pk for e in page] == [new_hire.pk]


def test_home_pages_show_needs_hours_and_due_work(client_for):
    """Manager: their branches' open needs only; trainer: hours from ended sessions; both the
    learner's and the trainer's home list assignments due."""
    import datetime as dt

    from django.utils import timezone

    from evaluation.models import Assignment
    from hub.sessions.models import Attendance, Enrolment, Session
    from tests.factories import EnrolmentFactory, SessionFactory
    from tests.hub.needs.helpers import make_need

    branch, other = BranchFactory.create_batch(2)
    manager = make_manager(branch)
    make_need(branch=branch, submitted_by=manager)
    make_need(branch=other, submitted_by=make_manager(other))
    assert client_for(manager).get("/").context["need_counts"] == {"open": 1}

    trainer = EmployeeFactory(branch=branch)
    grant(trainer, Role.TRAINER)
    start = timezone.now() - dt.timedelta(days=1)
    session = SessionFactory(
        trainers=[trainer],
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=90),
        status=Session.Status.ENDED,
    )
    enrolment = EnrolmentFactory(session=session, status=Enrolment.Status.ENROLLED)
    learner = enrolment.learner
    # The learner completed it, so the session counts its delivered 90 minutes.
    Attendance.objects.create(
        enrolment=enrolment, status="present", minutes_present=90, completed=True
    )
    Assignment.objects.create(
        session=session,
        title="门店复盘作业",
        instructions="写一份复盘",
        due_at=timezone.now() + dt.timedelta(days=3),
        max_score=10,
    )
    trainer_home = client_for(trainer).get("/")
    if start.year == timezone.localdate().year:
        assert trainer_home.context["hours"] == 1.5
    assert 'data-testid="home-templates"' in trainer_home.content.decode()
    learner_home = client_for(learner).get("/").content.decode()
    assert "门店复盘作业" in learner_home
