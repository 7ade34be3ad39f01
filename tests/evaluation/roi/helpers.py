"""A hand-worked ROI world: cross-selling 22 → 26 around a session on 2026-03-15 at one
branch, 2 h delivered by one trainer to 10 attendees, rates 300 / 80 CNY, venue 500 and
materials 200 → cost 2,900, benefit 4 x 200 x 1 x 12 = 9,600."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from evaluation.metrics.services import refresh_session_lifts
from evaluation.roi.models import RoiSettings, SessionCost
from hub.sessions.models import Attendance, Enrolment
from tests.evaluation.metrics.helpers import link, make_metric, monthly, session_on
from tests.factories import EmployeeFactory
from tests.hub.needs.helpers import make_trainer

DAY = dt.date(2026, 3, 15)


def make_settings(effective_from=dt.date(2025, 1, 1), trainer="300", learner="80", months=12):
    return RoiSettings.objects.create(
        effective_from=effective_from,
        trainer_hourly_cost=Decimal(trainer),
        learner_hourly_cost=Decimal(learner),
        horizon_months=months,
    )


def attendees(session, branch, n: int, status="present") -> None:
    for _index in range(n):
        enrolment = Enrolment.objects.create(
            session=session, learner=EmployeeFactory(branch=branch), status="enrolled"
        )
        Attendance.objects.create(
            enrolment=enrolment, status=status, minutes_present=120, completed=True
        )


def roi_session(branch, *, metric=None, day=DAY, cost=True, people=10, trainers=None, need=None):
    """An ended 2-hour session at ``branch`` with ``people`` attendees (plus one absent and one
    cancelled enrolment, which cost nothing) linked to ``metric`` through a need."""
    session = session_on(day, trainers=trainers or [make_trainer(branch)], branch=branch)
    session.delivered_minutes = 120
    session.save(update_fields=["delivered_minutes"])
    attendees(session, branch, people)
    absent = Enrolment.objects.create(
        session=session, learner=EmployeeFactory(branch=branch), status="enrolled"
    )
    Attendance.objects.create(enrolment=absent, status="absent", minutes_present=0)
    Enrolment.objects.create(
        session=session, learner=EmployeeFactory(branch=branch), status="cancelled"
    )
    if metric is not None:
        if need is None:
            link(session, metric, branch)
        else:
            need.sessions.add(session)
    if cost:
        SessionCost.objects.create(session=session, venue=Decimal(500), materials=Decimal(200))
    if metric is not None:
        refresh_session_lifts(sessions=[session])  # the reports read stored lifts
    return session


def cross_sell(branch, value_per_unit="200", **kwargs):
    value = None if value_per_unit is None else Decimal(value_per_unit)
    metric = make_metric(value_per_unit=value, **kwargs)
    monthly(metric, branch, dt.date(2025, 12, 1), [22, 22, 22, None, 26, 26, 26])
    return metric
