"""Shared builders of the session tests."""

import datetime as dt

from django.utils import timezone

from hub.organisation.models import Role
from tests.factories import EmployeeFactory, SessionFactory, grant


def make_trainer(branch=None, **kwargs):
    employee = EmployeeFactory(**({"branch": branch} if branch else {}), **kwargs)
    grant(employee, Role.TRAINER)
    return employee


def session_taught_by(trainer, **kwargs):
    return SessionFactory(trainers=[trainer], **kwargs)


def live_session(trainer, minutes: int = 60, **kwargs):
    """A live session that started five minutes ago."""
    start = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=5)
    return SessionFactory(
        trainers=[trainer],
        status="live",
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        **kwargs,
    )
