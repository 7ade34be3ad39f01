"""Demo onboarding programme (seed step 57): the pivot of the demo branch's retention cohorts.

The outcome-metrics seed (``evaluation.metrics.seeding``) gives the demo branch hiring cohorts
of 60 % retention before its onboarding programme and 6 of 7 in the two quarters after it.
This step writes that programme, so the branch report can place the cohorts around it: a
training need on the 3-month new-hire retention metric, submitted by the branch's manager and
delivered by the demo trainer, and its first session, ended on the first day of the first
cohort after (its completers: staff of the branch employed that day and still employed, at most
twelve, so the cohorts' early leavers stay never enrolled). It runs after the needs (50) and
before the assignments and surveys (60, 63), which then treat the session like any other
ended one; the metric definitions are created here if the metrics step has not run yet.

Only when the demo cohorts hold (a branch too small to hold them gets nothing); idempotent:
a branch that already has a need on the retention metric gets nothing new.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from evaluation.metrics.models import NeedMetric
from evaluation.metrics.seeding import (
    COHORTS,
    _cohorts_hold,
    _definitions,
    _demo_branch,
    _quarter,
)
from evaluation.reports.branch import RETENTION_METRIC
from hub.needs.models import NeedEvent, TrainingNeed
from hub.organisation.models import Employee, PositionCategory, Role, RoleGrant
from hub.registry import seed_step
from hub.sessions.models import Attendance, Enrolment, Session

TITLE = "新员工入职培训项目：降低三个月流失率"
SESSION_TITLE = "新员工入职第一课：企业文化与门店制度"
MINUTES = 120
LEARNERS = 12
STEPS = [
    TrainingNeed.Status.OPEN,
    TrainingNeed.Status.CLAIMED,
    TrainingNeed.Status.IN_DELIVERY,
    TrainingNeed.Status.DELIVERED,
]


def seed_onboarding(*, today: dt.date) -> Counter[str]:
    created: Counter[str] = Counter()
    with transaction.atomic():
        branch = _demo_branch()
        metric = _definitions().get(RETENTION_METRIC)
        if branch is None or metric is None or not _cohorts_hold(branch, today):
            return created
        if NeedMetric.objects.filter(metric=metric, need__branch=branch).exists():
            return created
        manager = (
            RoleGrant.objects.filter(role=Role.BRANCH_MANAGER, branch=branch)
            .select_related("employee")
            .order_by("-employee__user__username")  # the "manager" login first when present
            .first()
        )
        trainer = Employee.objects.filter(user__username="trainer").first()
        if manager is None or trainer is None:
            return created
        day, _end = _quarter(today, max(COHORTS) - 1)
        starts = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
        ends = starts + dt.timedelta(minutes=MINUTES)
        session = Session.objects.create(
            title=SESSION_TITLE,
            branch=branch,
            mode=Session.Mode.IN_PERSON,
            starts_at=starts,
            ends_at=ends,
            capacity=30,
            location="三楼培训室",
            audience=PositionCategory.NEW_HIRE,
            status=Session.Status.ENDED,
            started_at=starts,
            ended_at=ends,
            delivered_minutes=MINUTES,
        )
        session.trainers.set([trainer])
        need = TrainingNeed.objects.create(
            branch=branch,
            submitted_by=manager.employee,
            title=TITLE,
            problem="新员工三个月内流失偏高：入职第一周没有系统培训，也没有指定带教师傅。",
            audience=PositionCategory.NEW_HIRE,
            metric_name=metric.name_zh,
            metric_before=Decimal(60),
            metric_target=Decimal(85),
            unit="%",
            due_date=day + dt.timedelta(days=90),
            status=TrainingNeed.Status.DELIVERED,
            claimed_by=trainer,
            created_at=starts - dt.timedelta(days=30),
        )
        need.sessions.add(session)
        NeedMetric.objects.create(need=need, metric=metric)
        NeedEvent.objects.bulk_create(
            NeedEvent(
                need=need,
                from_status=STEPS[index - 1] if index else "",
                to_status=status,
                actor=trainer if index else manager.employee,
                at=starts - dt.timedelta(days=30 - 7 * index) if index < 3 else ends,
            )
            for index, status in enumerate(STEPS)
        )
        learners = list(
            Employee.objects.filter(branch=branch, hire_date__lte=day, leave_date__isnull=True)
            .exclude(pk__in=[trainer.pk, manager.employee_id])
            .order_by("employee_no")[:LEARNERS]
        )
        enrolments = Enrolment.objects.bulk_create(
            Enrolment(session=session, learner=learner, status=Enrolment.Status.ENROLLED)
            for learner in learners
        )
        Attendance.objects.bulk_create(
            Attendance(
                enrolment=enrolment,
                minutes_present=MINUTES,
                status=Attendance.Status.PRESENT,
                checked_in_at=starts,
                completed=True,
            )
            for enrolment in enrolments
        )
        created["onboarding programme sessions"] = 1
        created["onboarding programme completers"] = len(enrolments)
    return created


@seed_step(order=57, name="onboarding programme")
def seed_onboarding_step(*, seed: int, today: dt.date | None = None, **kwargs) -> Counter[str]:
    return seed_onboarding(today=today or timezone.localdate())
