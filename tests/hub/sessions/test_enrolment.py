"""hub.sessions.services enrolment: self-enrolment, assignment, capacity, waitlist, cancelling."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from hub.organisation.models import PositionCategory
from hub.sessions import services
from hub.sessions.models import Enrolment, SessionSettings
from tests.factories import BranchFactory, EmployeeFactory, EnrolmentFactory, SessionFactory
from tests.hub.sessions.helpers import make_trainer


@pytest.fixture(autouse=True)
def _english():
    """These tests match the services' English messages (the default language is Chinese)."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db


def test_self_enrol_in_company_wide_session(learner):
    session = SessionFactory(trainers=[make_trainer()])
    enrolment = services.enrolment_create(session=session, learner=learner, actor=learner.user)
    assert enrolment.status == Enrolment.Status.ENROLLED
    assert enrolment.assigned_by is None


def test_self_enrol_refused_outside_branch_or_audience(learner):
    trainer = make_trainer()
    other_branch = SessionFactory(trainers=[trainer], branch=BranchFactory())
    with pytest.raises(ValidationError, match="not open"):
        services.enrolment_create(session=other_branch, learner=learner, actor=learner.user)
    managers_only = SessionFactory(trainers=[trainer], audience=PositionCategory.MANAGER)
    with pytest.raises(ValidationError, match="not open"):
        services.enrolment_create(session=managers_only, learner=learner, actor=learner.user)
    own = SessionFactory(trainers=[trainer], branch=learner.branch, audience="new_hire,backbone")
    assert services.enrolment_create(session=own, learner=learner, actor=learner.user)


def test_no_enrolment_when_not_scheduled_or_started(learner):
    trainer = make_trainer()
    for session in (
        SessionFactory(trainers=[trainer], status="live"),
        SessionFactory(trainers=[trainer], status="cancelled"),
        SessionFactory(
            trainers=[trainer],
            starts_at=timezone.now() - dt.timedelta(minutes=1),
            ends_at=timezone.now() + dt.timedelta(hours=1),
        ),
    ):
        with pytest.raises(ValidationError):
            services.enrolment_create(session=session, learner=learner, actor=learner.user)


def test_trainer_cannot_enrol_in_own_session(branch):
    trainer = make_trainer(branch)
    session = SessionFactory(trainers=[trainer])
    with pytest.raises(ValidationError):
        services.enrolment_create(session=session, learner=trainer, actor=trainer.user)


def test_learner_cannot_enrol_someone_else(learner, branch):
    colleague = EmployeeFactory(branch=branch)
    session = SessionFactory(trainers=[make_trainer()])
    with pytest.raises(PermissionDenied):
        services.enrolment_create(session=session, learner=colleague, actor=learner.user)


def test_manager_assigns_own_branch_only(manager, learner):
    session = SessionFactory(trainers=[make_trainer()], audience=PositionCategory.MANAGER)
    # A manager may assign beyond the self-enrol audience, within their branch.
    enrolment = services.enrolment_create(session=session, learner=learner, actor=manager.user)
    assert enrolment.assigned_by == manager.user
    stranger = EmployeeFactory(branch=BranchFactory())
    with pytest.raises(PermissionDenied):
        services.enrolment_create(session=session, learner=stranger, actor=manager.user)


def test_manager_cannot_assign_to_another_branch_session(manager, learner):
    session = SessionFactory(trainers=[make_trainer()], branch=BranchFactory())
    with pytest.raises(ValidationError, match="not open"):
        services.enrolment_create(session=session, learner=learner, actor=manager.user)


def test_hq_assigns_anyone_anywhere(hq_admin, learner):
    session = SessionFactory(trainers=[make_trainer()], branch=BranchFactory())
    enrolment = services.enrolment_create(session=session, learner=learner, actor=hq_admin.user)
    assert enrolment.status == Enrolment.Status.ENROLLED


def test_bulk_by_rule_reports_counts(manager, branch):
    session = SessionFactory(trainers=[make_trainer()], capacity=2, branch=branch)
    new_hires = EmployeeFactory.create_batch(
        3, branch=branch, position_category=PositionCategory.NEW_HIRE
    )
    leaver = EmployeeFactory(
        branch=branch,
        position_category=PositionCategory.NEW_HIRE,
        hire_date=dt.date(2020, 1, 1),
        leave_date=dt.date(2021, 1, 1),
    )
    services.enrolment_create(session=session, learner=new_hires[0], actor=manager.user)
    report = services.enrolment_bulk_create(
        session=session, learners=[*new_hires, leaver], actor=manager.user
    )
    assert report.counts == {"enrolled": 1, "waitlisted": 1, "skipped": 2}
    assert [e.learner for e in report.enrolled] == [new_hires[1]]
    assert [e.learner for e in report.waitlisted] == [new_hires[2]]
    assert [(who, str(why)) for who, why in report.skipped] == [
        (new_hires[0], str(services.MSG_ALREADY)),
        (leaver, str(services.MSG_HAS_LEFT)),
    ]


def test_bulk_enrolment_reads_trainers_and_earlier_seats_once(hq_admin, branch):
    """Each extra learner costs one write, not a trainer and an enrolment lookup too."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hub.organisation.permissions import access_for

    def queries_for(n: int) -> int:
        session = SessionFactory(trainers=[make_trainer()], capacity=100)
        people = EmployeeFactory.create_batch(n, branch=branch)
        access_for(hq_admin.user)  # warm the cached access
        with CaptureQueriesContext(connection) as ctx:
            services.enrolment_bulk_create(session=session, learners=people, actor=hq_admin.user)
        return len(ctx.captured_queries)

    assert queries_for(6) - queries_for(3) == 3


def test_a_learner_twice_in_one_batch_is_enrolled_once(hq_admin, learner):
    session = SessionFactory(trainers=[make_trainer()])
    report = services.enrolment_bulk_create(
        session=session, learners=[learner, learner], actor=hq_admin.user
    )
    assert report.counts == {"enrolled": 1, "waitlisted": 0, "skipped": 1}
    assert Enrolment.objects.filter(session=session, learner=learner).count() == 1


def test_last_seat_then_waitlist(learner, branch):
    session = SessionFactory(trainers=[make_trainer()], capacity=1)
    first = services.enrolment_create(session=session, learner=learner, actor=learner.user)
    other = EmployeeFactory(branch=branch)
    second = services.enrolment_create(session=session, learner=other, actor=other.user)
    assert (first.status, second.status) == ("enrolled", "waitlisted")
    with pytest.raises(ValidationError):
        services.enrolment_create(session=session, learner=other, actor=other.user)


def test_cancel_promotes_oldest_waitlisted(branch, django_capture_on_commit_callbacks):
    session = SessionFactory(trainers=[make_trainer()], capacity=1)
    seat = EnrolmentFactory(session=session, learner__branch=branch)
    now = timezone.now()
    younger = EnrolmentFactory(session=session, status="waitlisted", queued_at=now)
    older = EnrolmentFactory(
        session=session, status="waitlisted", queued_at=now - dt.timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_cancel(enrolment=seat, actor=seat.learner.user)
    older.refresh_from_db()
    younger.refresh_from_db()
    assert (older.status, younger.status) == ("enrolled", "waitlisted")
    assert older.learner.notifications.filter(kind="promoted").count() == 1


def test_leaving_the_waitlist_promotes_nobody():
    session = SessionFactory(trainers=[make_trainer()], capacity=1)
    EnrolmentFactory(session=session)
    a = EnrolmentFactory(session=session, status="waitlisted")
    b = EnrolmentFactory(session=session, status="waitlisted")
    services.enrolment_cancel(enrolment=a, actor=a.learner.user)
    b.refresh_from_db()
    assert b.status == "waitlisted"


def test_re_enrolment_after_cancel_joins_queue_end():
    session = SessionFactory(trainers=[make_trainer()], capacity=1)
    seat = EnrolmentFactory(session=session)
    services.enrolment_cancel(enrolment=seat, actor=seat.learner.user)
    again = services.enrolment_create(
        session=session, learner=seat.learner, actor=seat.learner.user
    )
    assert again.pk == seat.pk and again.status == "enrolled" and again.cancelled_at is None


def test_cancellation_deadline_boundary(learner):
    start = (timezone.now() + dt.timedelta(days=2)).replace(microsecond=0)
    session = SessionFactory(
        trainers=[make_trainer()], starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )
    hours = SessionSettings.load().cancel_deadline_hours
    deadline = start - dt.timedelta(hours=hours)
    late = EnrolmentFactory(session=session, learner=learner)
    with pytest.raises(ValidationError, match="deadline"):
        services.enrolment_cancel(
            enrolment=late, actor=learner.user, now=deadline + dt.timedelta(seconds=1)
        )
    # Exactly at the deadline is still allowed.
    services.enrolment_cancel(enrolment=late, actor=learner.user, now=deadline)
    late.refresh_from_db()
    assert late.status == "cancelled"


def test_manager_and_hq_may_cancel_after_deadline(manager, hq_admin, branch):
    start = timezone.now() + dt.timedelta(hours=2)
    session = SessionFactory(
        trainers=[make_trainer()], starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )
    mine = EnrolmentFactory(session=session, learner__branch=branch)
    other = EnrolmentFactory(session=session, learner__branch=BranchFactory())
    with pytest.raises(ValidationError):
        services.enrolment_cancel(enrolment=mine, actor=mine.learner.user)
    services.enrolment_cancel(enrolment=mine, actor=manager.user)
    with pytest.raises(PermissionDenied):
        services.enrolment_cancel(enrolment=other, actor=manager.user)
    services.enrolment_cancel(enrolment=other, actor=hq_admin.user)
