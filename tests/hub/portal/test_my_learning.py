"""Session pages: My learning, My teaching, session list/detail, scoping (403/404), query counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from hub.sessions import rules, services
from hub.sessions.models import Attendance, Enrolment, Session, SessionSettings
from tests.factories import BranchFactory, EmployeeFactory, EnrolmentFactory, SessionFactory
from tests.hub.needs.helpers import attend
from tests.hub.sessions.helpers import live_session, make_trainer

pytestmark = pytest.mark.django_db


def _history(learner, trainer, n):
    """n upcoming, n waitlisted and n completed sessions for ``learner``."""
    past = timezone.now() - dt.timedelta(days=10)
    for _ in range(n):
        EnrolmentFactory(learner=learner, session=SessionFactory(trainers=[trainer]))
        EnrolmentFactory(
            learner=learner, status="waitlisted", session=SessionFactory(trainers=[trainer])
        )
        done = EnrolmentFactory(
            learner=learner,
            session=SessionFactory(
                trainers=[trainer],
                status="ended",
                starts_at=past,
                ends_at=past + dt.timedelta(hours=1),
            ),
        )
        Attendance.objects.create(
            enrolment=done, minutes_present=60, status="present", completed=True
        )


def test_my_learning_lists_the_three_groups(client_for, learner):
    _history(learner, make_trainer(), 2)
    EnrolmentFactory(session=SessionFactory(title="别人的课"))
    response = client_for(learner).get(reverse("portal:learning"))
    assert response.status_code == 200
    learning = response.context["learning"]
    assert (len(learning.upcoming), len(learning.waitlisted), len(learning.completed)) == (2, 2, 2)
    html = response.content.decode()
    assert "别人的课" not in html
    assert reverse("sessions:enrolment_ics", args=[learning.upcoming[0].pk]) in html
    assert 'data-testid="assignments-due"' in html
    assert 'data-testid="my-grades"' in html
    assert "/calendar/" in html


def test_my_learning_query_count_is_flat(client_for, learner, django_assert_max_num_queries):
    trainer = make_trainer()
    _history(learner, trainer, 1)
    client = client_for(learner)
    client.get(reverse("portal:learning"))  # warm: token, settings
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("portal:learning"))
    _history(learner, trainer, 8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("portal:learning"))
    assert len(response.context["learning"].upcoming) == 9


def test_my_teaching_shows_hours_rosters_and_is_for_trainers(client_for, learner):
    trainer = make_trainer(learner.branch)
    upcoming = SessionFactory(trainers=[trainer])
    EnrolmentFactory(session=upcoming, learner=learner)
    start = timezone.now() - dt.timedelta(days=3)
    taught = SessionFactory(
        trainers=[trainer], status="ended", starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )
    attend(taught, EmployeeFactory(), "present")  # a learner completed it: it counts
    response = client_for(trainer).get(reverse("portal:teaching"))
    assert response.status_code == 200
    assert response.context["sessions"] == [upcoming]
    if start.year == timezone.localdate().year:
        assert str(response.context["hours"]) == "2.0"
    assert learner.name in response.content.decode()
    assert client_for(learner).get(reverse("portal:teaching")).status_code == 403


def test_session_list_is_scoped(client_for, learner):
    trainer = make_trainer()
    open_to_all = SessionFactory(trainers=[trainer], title="全公司课程")
    own_branch = SessionFactory(trainers=[trainer], branch=learner.branch, title="本分部课程")
    other = SessionFactory(trainers=[trainer], branch=BranchFactory(), title="外分部课程")
    response = client_for(learner).get(reverse("sessions:list"))
    shown = set(response.context["page"].object_list)
    assert shown == {open_to_all, own_branch}
    assert client_for(learner).get(reverse("sessions:detail", args=[other.pk])).status_code == 404


def test_roster_is_for_trainers_hq_and_the_branch_manager(client_for, learner, manager, hq_admin):
    trainer = make_trainer()
    session = SessionFactory(trainers=[trainer], branch=learner.branch)
    EnrolmentFactory(session=session, learner=learner)
    for person in (trainer, manager, hq_admin):
        response = client_for(person).get(reverse("sessions:detail", args=[session.pk]))
        assert response.context["can_roster"], person
        assert learner.name in response.content.decode()
    response = client_for(learner).get(reverse("sessions:detail", args=[session.pk]))
    assert not response.context["can_roster"]
    assert 'data-testid="roster"' not in response.content.decode()


def test_manager_sees_only_own_people_on_a_company_wide_roster(client_for, manager, learner):
    session = SessionFactory(trainers=[make_trainer()])
    EnrolmentFactory(session=session, learner=learner)
    outsider = EnrolmentFactory(session=session, learner__branch=BranchFactory())
    response = client_for(manager).get(reverse("sessions:detail", args=[session.pk]))
    roster = list(response.context["roster"])
    assert [e.learner for e in roster] == [learner]
    assert outsider.learner.name not in response.content.decode()


def test_other_branch_manager_gets_404_on_branch_session(client_for):
    other_branch = BranchFactory()
    session = SessionFactory(trainers=[make_trainer()], branch=other_branch)
    from tests.factories import make_manager

    outsider = make_manager(BranchFactory())
    url = reverse("sessions:detail", args=[session.pk])
    assert client_for(outsider).get(url).status_code == 404
    assert (
        client_for(outsider).get(reverse("sessions:assign", args=[session.pk])).status_code == 404
    )


def test_learner_enrols_and_cancels_through_the_page(client_for, learner):
    session = SessionFactory(trainers=[make_trainer()], capacity=1)
    client = client_for(learner)
    client.post(reverse("sessions:enrol", args=[session.pk]))
    enrolment = Enrolment.objects.get(session=session, learner=learner)
    assert enrolment.status == "enrolled"
    page = client.get(reverse("sessions:detail", args=[session.pk]))
    assert 'data-testid="cancel-enrolment"' in page.content.decode()
    client.post(reverse("sessions:enrolment_cancel", args=[enrolment.pk]))
    enrolment.refresh_from_db()
    assert enrolment.status == "cancelled"


def test_cancel_returns_to_a_local_next_but_never_off_site(client_for, learner):
    client = client_for(learner)
    local = EnrolmentFactory(session=SessionFactory(trainers=[make_trainer()]), learner=learner)
    url = reverse("sessions:enrolment_cancel", args=[local.pk])
    response = client.post(url, {"next": reverse("portal:learning")})
    assert response.url == reverse("portal:learning")
    foreign = EnrolmentFactory(session=SessionFactory(trainers=[make_trainer()]), learner=learner)
    url = reverse("sessions:enrolment_cancel", args=[foreign.pk])
    response = client.post(url, {"next": "https://evil.example/phish"})
    assert response.url == reverse("sessions:detail", args=[foreign.session_id])


def test_learner_cannot_cancel_someone_elses_enrolment(client_for, learner):
    other = EnrolmentFactory(session=SessionFactory(trainers=[make_trainer()]))
    url = reverse("sessions:enrolment_cancel", args=[other.pk])
    assert client_for(learner).post(url).status_code == 404
    other.refresh_from_db()
    assert other.status == "enrolled"


def test_manager_assigns_by_rule_on_the_page(client_for, manager, branch):
    session = SessionFactory(trainers=[make_trainer()], capacity=2)
    EmployeeFactory.create_batch(3, branch=branch, position_category="new_hire")
    EmployeeFactory(branch=BranchFactory(), position_category="new_hire")
    response = client_for(manager).post(
        reverse("sessions:assign", args=[session.pk]),
        {"rule_branch": branch.pk, "rule_category": "new_hire"},
    )
    assert response.status_code == 200
    assert response.context["report"].counts == {"enrolled": 2, "waitlisted": 1, "skipped": 0}


def test_manager_cannot_assign_another_branchs_employee(client_for, manager):
    session = SessionFactory(trainers=[make_trainer()])
    stranger = EmployeeFactory(branch=BranchFactory())
    client_for(manager).post(
        reverse("sessions:assign", args=[session.pk]), {"employee_nos": stranger.employee_no}
    )
    assert not Enrolment.objects.filter(learner=stranger).exists()


def test_learner_may_not_open_assign_create_or_code(client_for, learner):
    session = SessionFactory(trainers=[make_trainer()])
    client = client_for(learner)
    assert client.get(reverse("sessions:assign", args=[session.pk])).status_code == 403
    assert client.get(reverse("sessions:create")).status_code == 403
    assert client.get(reverse("sessions:code", args=[session.pk])).status_code == 403
    assert (
        client.post(reverse("sessions:transition", args=[session.pk, "start"])).status_code == 403
    )
    assert client.get(reverse("sessions:settings")).status_code == 403


def test_trainer_schedules_through_the_form(client_for):
    trainer = make_trainer()
    start = (timezone.localtime() + dt.timedelta(days=5)).replace(second=0, microsecond=0)
    response = client_for(trainer).post(
        reverse("sessions:create"),
        {
            "title": "网点厅堂营销流程",
            "trainers": [trainer.pk],
            "mode": "in_person",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "capacity": 12,
            "location": "三楼培训室",
            "audience": ["new_hire"],
        },
    )
    session = Session.objects.get(title="网点厅堂营销流程")
    assert response.status_code == 302
    assert session.duration_minutes == 120 and session.audience == "new_hire"


def test_trainer_check_in_code_page_and_learner_checks_in(client_for, learner):
    trainer = make_trainer()
    session = live_session(trainer)
    EnrolmentFactory(session=session, learner=learner)
    page = client_for(trainer).get(reverse("sessions:code", args=[session.pk]))
    assert page.status_code == 200
    code = page.context["code"]
    assert "<svg" in page.content.decode()
    client_for(learner).post(reverse("sessions:checkin", args=[session.pk]), {"code": code})
    assert Attendance.objects.get(enrolment__learner=learner).checked_in_at is not None


def test_trainer_corrects_attendance_on_the_page(client_for, learner):
    trainer = make_trainer()
    session = live_session(trainer)
    enrolment = EnrolmentFactory(session=session, learner=learner)
    url = reverse("sessions:attendance_correct", args=[session.pk, enrolment.pk])
    client_for(trainer).post(url, {"status": "excused", "minutes": 0, "reason": ""})
    assert not Attendance.objects.filter(enrolment=enrolment).exists()
    client_for(trainer).post(url, {"status": "excused", "minutes": 0, "reason": "公出"})
    assert Attendance.objects.get(enrolment=enrolment).status == "excused"
    assert (
        client_for(learner)
        .post(url, {"status": "present", "minutes": 60, "reason": "x"})
        .status_code
        == 403
    )


def test_hq_changes_settings_on_the_page(client_for, hq_admin):
    client_for(hq_admin).post(
        reverse("sessions:settings"),
        {
            "completion_percent": 75,
            "late_after_minutes": 5,
            "cancel_deadline_hours": 12,
            "checkin_code_minutes": 3,
            "early_start_minutes": 15,
            "end_not_before_start": "on",
        },
    )
    assert SessionSettings.load().completion_percent == 75
    assert SessionSettings.load().early_start_minutes == 15


def test_code_rule_used_by_page_matches_service():
    session = live_session(make_trainer())
    minutes = SessionSettings.load().checkin_code_minutes
    code = rules.checkin_code(session.pk, timezone.now(), minutes)
    enrolment = EnrolmentFactory(session=session)
    assert services.attendance_check_in(session=session, learner=enrolment.learner, code=code)


def test_hq_filters_sessions_by_branch(client_for, hq_admin):
    trainer = make_trainer()
    here, there = BranchFactory(), BranchFactory()
    mine = SessionFactory(trainers=[trainer], branch=here)
    SessionFactory(trainers=[trainer], branch=there)
    response = client_for(hq_admin).get(reverse("sessions:list"), {"branch": here.pk})
    assert list(response.context["page"].object_list) == [mine]


def test_session_list_counts_seats_per_session(client_for, hq_admin):
    trainer = make_trainer()
    busy, empty = SessionFactory(trainers=[trainer]), SessionFactory(trainers=[trainer])
    EnrolmentFactory.create_batch(2, session=busy)
    EnrolmentFactory(session=busy, status="waitlisted")
    EnrolmentFactory(session=busy, status="cancelled")
    response = client_for(hq_admin).get(reverse("sessions:list"))
    rows = {s.pk: s for s in response.context["page"].object_list}
    assert (rows[busy.pk].enrolled_count, rows[busy.pk].waitlisted_count) == (2, 1)
    assert (rows[empty.pk].enrolled_count, rows[empty.pk].waitlisted_count) == (0, 0)
    assert response.context["page"].paginator.count == 2


def test_branch_filter_refuses_a_branch_outside_scope(client_for, manager):
    trainer = make_trainer()
    elsewhere = BranchFactory()
    SessionFactory(trainers=[trainer], branch=elsewhere)
    response = client_for(manager).get(reverse("sessions:list"), {"branch": elsewhere.pk})
    assert response.status_code == 200
    assert all(s.branch_id != elsewhere.pk for s in response.context["page"].object_list)


def test_home_pages_show_my_sessions(client_for, learner):
    trainer = make_trainer(learner.branch)
    session = SessionFactory(trainers=[trainer], title="首页可见的课程")
    EnrolmentFactory(session=session, learner=learner)
    assert "首页可见的课程" in client_for(learner).get(reverse("home")).content.decode()
    assert "首页可见的课程" in client_for(trainer).get(reverse("home")).content.decode()
