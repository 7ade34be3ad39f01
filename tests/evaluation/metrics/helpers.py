import datetime as dt
from decimal import Decimal

from django.utils import timezone

from evaluation.metrics.models import MetricDefinition, MetricValue, NeedMetric
from evaluation.metrics.rules import month_end
from hub.sessions.models import Session
from tests.factories import EmployeeFactory
from tests.hub.needs.helpers import make_need


def make_metric(code="cross_sell", direction="higher", level="branch", **kwargs):
    return MetricDefinition.objects.create(
        code=code,
        name_zh=kwargs.pop("name_zh", "连带销售率"),
        direction=direction,
        level=level,
        **kwargs,
    )


def monthly(metric, branch, start: dt.date, values) -> list[MetricValue]:
    """One value per month from ``start`` (the first of a month) at ``branch``."""
    created = []
    month = start
    for value in values:
        if value is not None:
            created.append(
                MetricValue.objects.create(
                    metric=metric,
                    branch=branch,
                    period_start=month,
                    period_end=month_end(month),
                    value=Decimal(str(value)),
                )
            )
        month = month_end(month) + dt.timedelta(days=1)
    return created


def session_on(day: dt.date, *, trainers=(), status=Session.Status.ENDED, branch=None) -> Session:
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    session = Session.objects.create(
        title="连带销售技巧",
        branch=branch,
        mode=Session.Mode.IN_PERSON,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        capacity=20,
        status=status,
    )
    if trainers:
        session.trainers.set(trainers)
    return session


def link(session, metric, branch):
    need = make_need(branch=branch, submitted_by=EmployeeFactory(branch=branch))
    need.sessions.add(session)
    NeedMetric.objects.create(need=need, metric=metric)
    return need
