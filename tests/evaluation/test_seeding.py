"""evaluation.seeding.seed_assignments: deterministic, idempotent demo assignments."""

import datetime as dt

import pytest
from django.utils import timezone

from evaluation.models import Assignment, Grade, Submission
from evaluation.seeding import seed_assignments
from hub.sessions.models import Enrolment, Session
from tests.evaluation.helpers import enrol, make_session, make_trainer
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def build_history(count: int = 30, learners: int = 12) -> list:
    trainer = make_trainer()
    people = [EmployeeFactory() for _ in range(learners)]
    sessions = []
    for index in range(count):
        # Sessions ended between 1 and 60 days ago: some assignments still open, most closed.
        session = make_session(trainers=[trainer], days_ago=1 + 2 * index)
        for person in people:
            enrol(session, person)
        sessions.append(session)
    enrol(make_session(trainers=[trainer], status=Session.Status.SCHEDULED, days_ago=-3), people[0])
    # A waitlisted learner never submits.
    enrol(sessions[0], EmployeeFactory(), Enrolment.Status.WAITLISTED)
    return sessions


def test_no_sessions_creates_nothing():
    created = seed_assignments(seed=1, today=timezone.localdate())
    assert created == {"assignments": 0, "submissions": 0, "assignment grades": 0}
    assert not Assignment.objects.exists()


def test_seed_creates_assignments_submissions_and_grades_once():
    build_history()
    today = timezone.localdate()
    created = seed_assignments(seed=1, today=today)
    assert created["assignments"] == Assignment.objects.count() > 0
    assert created["submissions"] == Submission.objects.count() > 0
    assert created["assignment grades"] == Grade.objects.count() > 0
    # Only ended sessions get assignments; only enrolled learners submit.
    assert not Assignment.objects.exclude(session__status=Session.Status.ENDED).exists()
    enrolled = set(
        Enrolment.objects.filter(status=Enrolment.Status.ENROLLED).values_list(
            "session_id", "learner_id"
        )
    )
    submitted = set(Submission.objects.values_list("assignment__session_id", "learner_id"))
    assert submitted <= enrolled
    # Some late, some resubmitted, and late only where late work is accepted.
    assert Submission.objects.filter(is_late=True).exists()
    assert not Submission.objects.filter(is_late=True, assignment__allow_late=False).exists()
    assert Submission.objects.filter(version__gt=1).exists()
    # Exactly one current version per learner and assignment; grades point at it.
    pairs = Submission.objects.values_list("assignment_id", "learner_id").distinct().count()
    assert Submission.objects.filter(is_current=True).count() == pairs
    assert not Grade.objects.exclude(submission__is_current=True).exists()
    assert all(
        g.score <= g.assignment.max_score for g in Grade.objects.select_related("assignment")
    )
    # Nothing is dated after the start of today; some assignments are still open.
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    assert not Submission.objects.filter(submitted_at__gt=start).exists()
    assert not Grade.objects.filter(graded_at__gt=start).exists()
    assert Assignment.objects.filter(due_at__gt=start).exists()
    # A second run adds nothing.
    again = seed_assignments(seed=1, today=today)
    assert sum(again.values()) == 0
    assert Submission.objects.count() == created["submissions"]


def test_seed_is_deterministic():
    build_history(count=10, learners=5)
    today = timezone.localdate()
    seed_assignments(seed=7, today=today)
    first = list(
        Submission.objects.order_by("pk").values_list("learner_id", "version", "text", "is_late")
    )
    Assignment.objects.all().delete()
    seed_assignments(seed=7, today=today)
    second = list(
        Submission.objects.order_by("pk").values_list("learner_id", "version", "text", "is_late")
    )
    assert first == second


def test_demo_seed_runs_the_assignment_step():
    from hub.seeding import demo_seed
    from hub.seeding.shape import SeedScale

    tiny = SeedScale("tiny", branches=3, employees=40, hq_employees=10, trainers=3)
    result = demo_seed(seed=3, scale=tiny)
    # The demo's ended sessions get assignments from this step.
    assert result.created["assignments"] == Assignment.objects.count() > 0
