"""The demo's outcome metrics: the seed's figures come out of the real selectors."""

from decimal import Decimal

import pytest
from django.db.models import F
from django.utils import timezone

from evaluation.metrics import rules, selectors
from evaluation.metrics.models import MetricDefinition, MetricValue, NeedMetric
from evaluation.metrics.seeding import COHORTS, _quarter, seed_metrics, seed_retention
from evaluation.selectors import lift_by_session, session_lift
from hub.organisation.models import Employee, PerformanceGrade, RoleGrant
from hub.organisation.roles import Role
from hub.seeding import demo_seed
from hub.sessions.models import Session

pytestmark = pytest.mark.django_db


def _mean(metric, branch, start, end):
    values = MetricValue.objects.filter(
        metric=metric, branch=branch, period_start__gte=start, period_end__lte=end
    ).values_list("value", flat=True)
    return rules.mean(values)


def test_demo_metrics_show_the_briefs_figures():
    today = timezone.localdate()
    demo_seed(seed=1)
    branch = RoleGrant.objects.get(
        role=Role.BRANCH_MANAGER, employee__user__username="manager"
    ).branch

    # retention: 60 % in the cohort before the onboarding programme, 6 of 7 in the two after
    first, _ = _quarter(today, max(COHORTS))
    _, last = _quarter(today, min(COHORTS))
    rows = selectors.retention_cohorts(
        as_of=today, start=first, end=last, cohort="quarter", branch_ids=[branch.pk]
    )
    rates = [rules.round_percent(row["rate"]) for row in rows]
    assert rates == [Decimal("60.0"), Decimal("85.7"), Decimal("85.7")]
    # the re-dated people stay consistent with the rest of the demo
    grades = PerformanceGrade.objects.filter(employee__branch=branch)
    assert not grades.filter(period_end__lt=F("employee__hire_date")).exists()
    assert not grades.filter(period_end__gte=F("employee__leave_date")).exists()
    early_leavers = Employee.objects.filter(
        branch=branch, hire_date__gte=first, hire_date__lte=last, leave_date__isnull=False
    )
    assert early_leavers.count() == sum(gone for _hires, gone in COHORTS.values())
    assert not early_leavers.filter(enrolments__isnull=False).exists()
    leavers = Employee.objects.filter(leave_date__isnull=False)
    assert 0.02 * Employee.objects.count() <= leavers.count() <= 0.04 * Employee.objects.count()
    assert not RoleGrant.objects.filter(employee__leave_date__isnull=False).exists()

    # before/after on the imported metrics, around the pivot
    handling = MetricDefinition.objects.get(code="correct_handling")
    values = list(
        MetricValue.objects.filter(metric=handling, branch=branch).order_by("period_start")
    )
    assert values[0].value.quantize(Decimal(1)) == 70
    assert values[-1].value.quantize(Decimal(1)) == 90
    team = MetricDefinition.objects.get(code="team_performance")
    cross = MetricDefinition.objects.get(code="cross_sell")
    team_values = list(
        MetricValue.objects.filter(metric=team, branch=branch).order_by("period_start")
    )
    cross_values = list(
        MetricValue.objects.filter(metric=cross, branch=branch).order_by("period_start")
    )
    team_lift = rules.lift_percent(
        team_values[0].value, team_values[-1].value, higher_is_better=True
    )
    cross_lift = rules.lift_percent(
        cross_values[0].value, cross_values[-1].value, higher_is_better=True
    )
    assert abs(team_lift - 12) < 1
    assert abs(cross_lift - 18) < 1
    assert NeedMetric.objects.exists()
    # the demo branch's first ended session on a need with a metric is the pivot: its lift
    session = (
        Session.objects.filter(
            status=Session.Status.ENDED,
            training_needs__branch=branch,
            training_needs__outcome_metric__isnull=False,
        )
        # the branch report's onboarding programme (retention, a computed metric) is not one
        .exclude(training_needs__outcome_metric__metric__code="retention_3m")
        .order_by("starts_at")
        .first()
    )
    if session is not None:
        figure = session_lift(session=session)
        expected = {"cross_sell": 18, "complaint_rate": 20}[figure.metric_code]
        assert abs(figure.lift - expected) < 2
        assert figure.net_lift is not None and figure.comparison_units >= 1
        # the seed's last metric step stored it: the reports read the same figure
        assert lift_by_session(sessions=[session])[session.pk] == figure

    # idempotent
    counts = (MetricValue.objects.count(), NeedMetric.objects.count(), Employee.objects.count())
    again = seed_metrics(seed=1, today=today)
    assert again["metric values"] == 0 and again["need metrics"] == 0
    assert seed_retention(today=today)["people re-dated for retention"] == 0
    assert (
        MetricValue.objects.count(),
        NeedMetric.objects.count(),
        Employee.objects.count(),
    ) == counts
