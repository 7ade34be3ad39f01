"""Ended sessions with completers and branch managers for the follow-up tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from evaluation.followups import services
from evaluation.followups.models import FollowUp
from hub.sessions.models import Attendance, Enrolment, Session
from tests.evaluation.helpers import enrol
from tests.factories import EmployeeFactory

DAY = dt.timedelta(days=1)


def ended_session(*, days_ago: float, branch=None, trainers=(), course=None) -> Session:
    """An ENDED session whose ``ended_at`` was exactly ``days_ago`` days before now."""
    ended = timezone.now().replace(microsecond=0) - dt.timedelta(days=days_ago)
    session = Session.objects.create(
        title="客户沟通技巧",
        branch=branch,
        course=course,
        mode=Session.Mode.IN_PERSON,
        starts_at=ended - dt.timedelta(hours=2),
        ends_at=ended,
        ended_at=ended,
        capacity=30,
        status=Session.Status.ENDED,
    )
    session.trainers.set(trainers)
    return session


def completer(session: Session, learner=None, **employee):
    learner = learner or EmployeeFactory(**employee)
    enrolment = enrol(session, learner)
    Attendance.objects.create(enrolment=enrolment, status="present", completed=True)
    return learner


def non_completer(session: Session, learner=None, **employee):
    learner = learner or EmployeeFactory(**employee)
    enrolment = enrol(session, learner)
    Attendance.objects.create(enrolment=enrolment, status="absent", completed=False)
    return learner


def cancelled(session: Session, **employee):
    learner = EmployeeFactory(**employee)
    enrol(session, learner, status=Enrolment.Status.CANCELLED)
    return learner


def sent_followup(session: Session, learner, managers, *, now=None) -> FollowUp:
    """A follow-up sent ``now`` (default: now), open for 21 days, addressed to ``managers``."""
    now = now or timezone.now()
    followup = FollowUp.objects.create(
        session=session, learner=learner, sent_at=now, closes_at=now + 21 * DAY
    )
    followup.managers.set(managers)
    return followup


def answered(session: Session, learner, manager, rating: int, comment: str = "") -> FollowUp:
    followup = sent_followup(session, learner, [manager])
    return services.followup_answer(
        followup=followup, manager=manager, rating=rating, comment=comment
    )
