"""evaluation.selectors: what each list holds, and that its query count does not grow."""

import datetime as dt

import pytest
from django.utils import timezone

from evaluation import selectors, services
from hub.sessions.models import Enrolment, Session
from tests.evaluation.helpers import enrol, make_assignment, make_session, make_trainer
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def test_assignments_due_for_lists_open_work_of_enrolled_sessions(session, learner):
    enrol(session, learner)
    open_one = make_assignment(session, title="开放")
    closed = make_assignment(session, title="已截止", due_in=-dt.timedelta(hours=1))
    late_ok = make_assignment(
        session, title="可迟交", due_in=-dt.timedelta(hours=1), allow_late=True
    )
    waitlisted = make_session(trainers=session.trainers.all())
    enrol(waitlisted, learner, Enrolment.Status.WAITLISTED)
    make_assignment(waitlisted, title="候补课程")
    cancelled = make_session(status=Session.Status.CANCELLED)
    enrol(cancelled, learner)
    make_assignment(cancelled, title="取消的课")
    make_assignment(make_session(), title="别人的课")

    due = list(selectors.assignments_due_for(learner))
    assert due == [late_ok, open_one]
    assert closed not in due
    assert all(a.my_version is None for a in due)


def test_due_list_shows_my_latest_version_and_drops_late_work_once_submitted(session, learner):
    enrol(session, learner)
    open_one = make_assignment(session, title="开放")
    late_ok = make_assignment(
        session, title="可迟交", due_in=-dt.timedelta(hours=1), allow_late=True
    )
    for text in ("v1", "v2"):
        services.submission_create(assignment=open_one, actor=learner.user, text=text)
    services.submission_create(assignment=late_ok, actor=learner.user, text="迟交")
    (row,) = selectors.assignments_due_for(learner)
    assert row == open_one
    assert row.my_version == 2
    assert row.my_graded is False


def test_assignments_due_for_query_count_is_flat(django_assert_num_queries, learner):
    trainer = make_trainer()

    def add_sessions(count):
        for _ in range(count):
            session = make_session(trainers=[trainer])
            enrol(session, learner)
            assignment = make_assignment(session)
            services.submission_create(assignment=assignment, actor=learner.user, text="答")
            make_assignment(session)

    add_sessions(2)
    with django_assert_num_queries(1):
        rows = [
            (a.title, a.session.title, a.my_version) for a in selectors.assignments_due_for(learner)
        ]
    assert len(rows) == 4
    add_sessions(8)
    with django_assert_num_queries(1):
        rows = [
            (a.title, a.session.title, a.my_version) for a in selectors.assignments_due_for(learner)
        ]
    assert len(rows) == 20


def test_grades_for_holds_only_my_grades_and_is_flat(django_assert_num_queries, learner):
    trainer = make_trainer()
    other = EmployeeFactory()

    def add_graded(count):
        for _ in range(count):
            session = make_session(trainers=[trainer])
            assignment = make_assignment(session)
            for person in (learner, other):
                enrol(session, person)
                submission = services.submission_create(
                    assignment=assignment, actor=person.user, text="答"
                )
                services.submission_grade(
                    submission=submission, actor=trainer.user, score=80, feedback="好"
                )

    add_graded(2)
    with django_assert_num_queries(1):
        grades = [
            (g.score, g.assignment.session.title, g.submission.version, g.graded_by.name)
            for g in selectors.grades_for(learner)
        ]
    assert len(grades) == 2
    add_graded(6)
    with django_assert_num_queries(1):
        grades = [
            (g.score, g.assignment.session.title, g.submission.version, g.graded_by.name)
            for g in selectors.grades_for(learner)
        ]
    assert len(grades) == 8


def test_submissions_to_grade_for(session, trainer, learner):
    second = EmployeeFactory(branch=learner.branch)
    third = EmployeeFactory(branch=learner.branch)
    for person in (learner, second, third):
        enrol(session, person)
    assignment = make_assignment(session)
    ungraded = services.submission_create(assignment=assignment, actor=learner.user, text="答")
    graded = services.submission_create(assignment=assignment, actor=second.user, text="答")
    services.submission_grade(submission=graded, actor=trainer.user, score=60)
    regraded_old = services.submission_create(assignment=assignment, actor=third.user, text="v1")
    services.submission_grade(submission=regraded_old, actor=trainer.user, score=60)
    resubmitted = services.submission_create(assignment=assignment, actor=third.user, text="v2")
    # Another trainer's session does not show up.
    other_session = make_session(trainers=[make_trainer()])
    enrol(other_session, learner)
    services.submission_create(
        assignment=make_assignment(other_session), actor=learner.user, text="答"
    )

    assert list(selectors.submissions_to_grade_for(trainer)) == [ungraded, resubmitted]


def test_submissions_to_grade_for_is_flat(django_assert_num_queries, trainer):
    def add(count):
        session = make_session(trainers=[trainer, make_trainer()])
        assignment = make_assignment(session)
        for _ in range(count):
            person = EmployeeFactory()
            enrol(session, person)
            services.submission_create(assignment=assignment, actor=person.user, text="答")

    add(2)
    with django_assert_num_queries(1):
        rows = [
            (s.learner.branch.name, s.assignment.session.title)
            for s in selectors.submissions_to_grade_for(trainer)
        ]
    assert len(rows) == 2
    add(10)
    with django_assert_num_queries(1):
        rows = [
            (s.learner.branch.name, s.assignment.session.title)
            for s in selectors.submissions_to_grade_for(trainer)
        ]
    assert len(rows) == 12


def test_assignment_roster_is_flat(django_assert_num_queries, session, trainer):
    assignment = make_assignment(session)

    def add(count):
        for _ in range(count):
            person = EmployeeFactory()
            enrol(session, person)
            s = services.submission_create(assignment=assignment, actor=person.user, text="答")
            services.submission_grade(submission=s, actor=trainer.user, score=50)

    add(2)
    with django_assert_num_queries(3):
        assert (
            len(
                [
                    (r.learner.branch.name, r.learner.current, r.learner.grade_list)
                    for r in selectors.assignment_roster(assignment)
                ]
            )
            == 2
        )
    add(8)
    with django_assert_num_queries(3):
        rows = list(selectors.assignment_roster(assignment))
        assert all(r.learner.current[0].version == 1 for r in rows)
        assert all(r.learner.grade_list[0].score == 50 for r in rows)
    assert len(rows) == 10


def test_roster_keeps_cancelled_learners_who_submitted(session, learner):
    enrol(session, learner)
    assignment = make_assignment(session)
    services.submission_create(assignment=assignment, actor=learner.user, text="答")
    Enrolment.objects.filter(learner=learner).update(status=Enrolment.Status.CANCELLED)
    dropped = EmployeeFactory()
    enrol(session, dropped, Enrolment.Status.CANCELLED)
    assert [r.learner for r in selectors.assignment_roster(assignment)] == [learner]
    assert timezone.now() < assignment.due_at
