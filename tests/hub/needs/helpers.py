"""Building blocks for the needs and plans tests: trainers, sessions and attendance rows made
directly from the session skeleton's fields (the sessions feature owns their services)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from hub.needs.models import TrainingNeed
from hub.organisation.models import Branch, Employee, Role
from hub.sessions.models import Attendance, Enrolment, Session
from tests.factories import EmployeeFactory, grant

NOW = timezone.now()


def make_trainer(branch: Branch | None = None, **kwargs) -> Employee:
    trainer = EmployeeFactory(**({"branch": branch} if branch else {}), **kwargs)
    grant(trainer, Role.TRAINER)
    return trainer


def make_session(
    *,
    trainers: tuple[Employee, ...] = (),
    branch: Branch | None = None,
    status: str = Session.Status.SCHEDULED,
    starts_in: dt.timedelta = dt.timedelta(days=3),
    mode: str = Session.Mode.IN_PERSON,
    course=None,
    capacity: int = 20,
    title: str = "连带销售技巧",
) -> Session:
    starts = NOW + starts_in
    session = Session.objects.create(
        title=title,
        branch=branch,
        mode=mode,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        capacity=capacity,
        status=status,
        course=course,
    )
    if trainers:
        session.trainers.set(trainers)
    return session


def attend(session: Session, learner: Employee, status: str | None) -> Enrolment:
    """Enrol ``learner``; with a status, record their attendance too."""
    enrolment = Enrolment.objects.create(
        session=session, learner=learner, status=Enrolment.Status.ENROLLED
    )
    if status is not None:
        Attendance.objects.create(
            enrolment=enrolment,
            status=status,
            minutes_present=120 if status in {"present", "late"} else 0,
            completed=status in {"present", "late"},  # what the completion rule gives
        )
    return enrolment


def make_need(*, branch: Branch, submitted_by: Employee, **kwargs) -> TrainingNeed:
    """A need saved directly (the service is tested on its own), status open by default."""
    values = {
        "title": "提升导购连带销售率",
        "problem": "顾客只买单件、导购很少推荐搭配商品。",
        "audience": "backbone",
        "metric_name": "连带销售率",
        "metric_before": Decimal("22"),
        "metric_target": Decimal("30"),
        "unit": "%",
        "due_date": dt.date(2026, 12, 31),
    }
    values.update(kwargs)
    return TrainingNeed.objects.create(branch=branch, submitted_by=submitted_by, **values)
