"""One meaning of "completed training" (``Attendance.objects.completed()`` /
``Enrolment.objects.completed()``): My learning, My branch, plan progress and the trainer's
report agree, whatever the attendance status says."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from hub.needs import selectors as needs_selectors
from hub.needs import services as needs_services
from hub.needs.models import TrainingPlan
from hub.sessions import services
from hub.sessions.models import Attendance, Enrolment
from hub.sessions.selectors import recently_taught
from tests.factories import EmployeeFactory, EnrolmentFactory, SessionFactory
from tests.hub.sessions.helpers import make_trainer

pytestmark = pytest.mark.django_db


@pytest.fixture
def corrected(manager, hq_admin):
    """An ended 60-minute session two days ago, linked to a branch plan: ``half`` corrected to
    present with 30 minutes (50 %), ``full`` corrected to present with 60 minutes."""
    trainer = make_trainer()
    start = (timezone.now() - dt.timedelta(days=2)).replace(microsecond=0)
    session = SessionFactory(
        trainers=[trainer], starts_at=start, ends_at=start + dt.timedelta(minutes=60)
    )
    half = EnrolmentFactory(session=session, learner=EmployeeFactory(branch=manager.branch))
    full = EnrolmentFactory(session=session, learner=EmployeeFactory(branch=manager.branch))
    plan = needs_services.plan_create(
        actor=hq_admin.user,
        title="门店销售提升计划",
        scope=TrainingPlan.Scope.BRANCH,
        branch=manager.branch,
        period_start=start.date() - dt.timedelta(days=30),
        period_end=start.date() + dt.timedelta(days=30),
    )
    plan.sessions.add(session)
    services.session_start(session=session, actor=trainer.user, now=start)
    services.session_end(session=session, actor=trainer.user, now=session.ends_at)
    for enrolment, minutes in ((half, 30), (full, 60)):
        services.attendance_correct(
            enrolment=Enrolment.objects.select_related("session").get(pk=enrolment.pk),
            actor=trainer.user,
            status=Attendance.Status.PRESENT,
            minutes=minutes,
            reason="按签到表更正",
        )
    return {"half": half, "full": full, "plan": plan, "trainer": trainer, "session": session}


def test_present_with_half_the_minutes_is_not_completed_anywhere(client_for, manager, corrected):
    half, full = corrected["half"], corrected["full"]
    assert Attendance.objects.get(enrolment=half).status == Attendance.Status.PRESENT

    def my_learning(enrolment):
        learning = client_for(enrolment.learner).get(reverse("portal:learning"))
        return learning.context["learning"]

    assert my_learning(half).completed == []
    assert my_learning(half).past == [half]
    assert my_learning(full).completed == [full]

    branch_page = client_for(manager).get(reverse("portal:my_branch")).context
    assert branch_page["trained_count"] == 1
    assert [a.enrolment_id for a in branch_page["trained"]] == [full.pk]

    plans = needs_selectors.with_progress(
        plans=TrainingPlan.objects.filter(pk=corrected["plan"].pk)
    )
    (plan,) = needs_selectors.attach_targets(plans=list(plans))
    assert plan.learners_trained == 1

    report = recently_taught(employee=corrected["trainer"]).get()
    assert (report.completed_count, report.enrolled_count) == (1, 2)


def test_the_two_querysets_are_one_definition(corrected):
    assert list(Enrolment.objects.completed()) == [corrected["full"]]
    assert [a.enrolment for a in Attendance.objects.completed()] == [corrected["full"]]
