"""Computed metrics (retention, coverage) and lift from stored values."""

import datetime as dt
from decimal import Decimal

import pytest

from evaluation import selectors as evaluation_selectors
from evaluation.metrics import rules, selectors, services
from evaluation.metrics.models import MetricValue
from hub.sessions.models import Attendance, Enrolment
from tests.evaluation.metrics.helpers import link, make_metric, monthly, session_on
from tests.factories import BranchFactory, EmployeeFactory, RegionFactory, TeamFactory
from tests.hub.needs.helpers import make_trainer

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 6, 30)


def days_before(n: int) -> dt.date:
    return AS_OF - dt.timedelta(days=n)


def test_retention_counts_only_hires_whose_90_days_have_passed():
    branch = BranchFactory()
    for n in (89, 90, 91):
        EmployeeFactory(branch=branch, hire_date=days_before(n))
    rows = selectors.retention_cohorts(
        as_of=AS_OF, start=dt.date(2026, 1, 1), end=AS_OF, cohort="quarter"
    )
    by_cohort = {r["cohort"]: (r["hires"], r["eligible"], r["retained"]) for r in rows}
    # 91 days ago = 31 March (Q1), 90 and 89 days ago = 1 and 2 April (Q2):
    # 89 days ago is not yet eligible; 90 and 91 are, and are still employed.
    assert by_cohort == {dt.date(2026, 1, 1): (1, 1, 1), dt.date(2026, 4, 1): (2, 1, 1)}


def test_retention_leaver_on_day_89_90_91():
    branch = BranchFactory()
    hire = dt.date(2026, 1, 5)
    for n in (89, 90, 91):
        EmployeeFactory(branch=branch, hire_date=hire, leave_date=hire + dt.timedelta(days=n))
    EmployeeFactory(branch=branch, hire_date=hire)
    [row] = selectors.retention_cohorts(as_of=AS_OF, start=hire, end=hire)
    # leaving on day 89 or 90 means not employed on day 90; leaving on day 91 is retained
    assert (row["eligible"], row["retained"]) == (4, 2)
    assert row["rate"] == Decimal(50)


def test_retention_per_branch_and_month_cohort():
    a, b = BranchFactory(), BranchFactory()
    EmployeeFactory(branch=a, hire_date=dt.date(2026, 1, 10))
    EmployeeFactory(branch=a, hire_date=dt.date(2026, 1, 11), leave_date=dt.date(2026, 2, 1))
    EmployeeFactory(branch=a, hire_date=dt.date(2026, 2, 10))
    EmployeeFactory(branch=b, hire_date=dt.date(2026, 1, 20))
    rows = selectors.retention_cohorts(
        as_of=AS_OF, start=dt.date(2026, 1, 1), end=dt.date(2026, 2, 28)
    )
    got = {(r["branch_id"], r["cohort"]): r["rate"] for r in rows}
    assert got == {
        (a.pk, dt.date(2026, 1, 1)): Decimal(50),
        (a.pk, dt.date(2026, 2, 1)): Decimal(100),
        (b.pk, dt.date(2026, 1, 1)): Decimal(100),
    }


def test_retention_cohort_not_yet_eligible_has_no_rate():
    branch = BranchFactory()
    EmployeeFactory(branch=branch, hire_date=days_before(10))
    [row] = selectors.retention_cohorts(as_of=AS_OF, start=days_before(30), end=AS_OF)
    assert row["eligible"] == 0 and row["rate"] is None


def test_training_coverage():
    branch = BranchFactory()
    trained, untrained = EmployeeFactory(branch=branch), EmployeeFactory(branch=branch)
    EmployeeFactory(branch=branch, hire_date=dt.date(2021, 1, 1), leave_date=dt.date(2026, 1, 1))
    # also a completer outside the period, and one whose attendance is not completed
    inside = session_on(dt.date(2026, 2, 10))
    outside = session_on(dt.date(2025, 12, 10))
    for session, learner, done in ((inside, trained, True), (outside, untrained, True)):
        enrolment = Enrolment.objects.create(session=session, learner=learner, status="enrolled")
        Attendance.objects.create(enrolment=enrolment, status="present", completed=done)
    [row] = selectors.training_coverage(start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31))
    assert (row["staff"], row["trained"]) == (2, 1)
    assert row["rate"] == Decimal(50)


def _region_with_branches(n):
    region = RegionFactory()
    return [BranchFactory(region=region) for _ in range(n)]


def test_session_lift_before_and_after_windows():
    [branch] = _region_with_branches(1)
    metric = make_metric()
    # Dec, Jan, Feb before; the session's month (March) is in neither; Apr, May, Jun after.
    monthly(metric, branch, dt.date(2025, 11, 1), [50, 20, 20, 20, 99, 25, 25, 25, 50])
    session = session_on(dt.date(2026, 3, 15))
    link(session, metric, branch)
    figure = evaluation_selectors.session_lift(session=session)
    assert (figure.before, figure.after) == (Decimal(20), Decimal(25))
    assert figure.lift == Decimal(25)
    assert figure.comparison_units == 0 and figure.net_lift is None and figure.small_sample


def test_session_lift_lower_is_better():
    [branch] = _region_with_branches(1)
    metric = make_metric(code="complaints", direction="lower")
    monthly(metric, branch, dt.date(2025, 12, 1), [8, 8, 8, None, 6, 6, 6])
    session = session_on(dt.date(2026, 3, 15))
    link(session, metric, branch)
    assert evaluation_selectors.session_lift(session=session).lift == Decimal(25)


def test_session_lift_before_zero_is_unknown_with_reason():
    [branch] = _region_with_branches(1)
    metric = make_metric()
    monthly(metric, branch, dt.date(2025, 12, 1), [0, 0, 0, None, 5, 5, 5])
    session = session_on(dt.date(2026, 3, 15))
    link(session, metric, branch)
    figure = evaluation_selectors.session_lift(session=session)
    assert figure.lift is None and "0" in figure.reason


def test_session_lift_not_measured_yet():
    [branch] = _region_with_branches(1)
    metric = make_metric()
    monthly(metric, branch, dt.date(2025, 12, 1), [20, 20, 20])
    session = session_on(dt.date(2026, 3, 15))
    link(session, metric, branch)
    figure = evaluation_selectors.session_lift(session=session)
    assert figure.lift is None and figure.before == Decimal(20) and figure.after is None


def test_session_without_linked_metric_has_no_lift():
    assert evaluation_selectors.session_lift(session=session_on(dt.date(2026, 3, 15))) is None


def test_net_lift_against_untrained_branches_of_the_region():
    trained, peer1, peer2, peer3, also_trained = _region_with_branches(5)
    other_region = BranchFactory()
    metric = make_metric()
    start = dt.date(2025, 12, 1)
    monthly(metric, trained, start, [100, 100, 100, None, 120, 120, 120])  # +20 %
    monthly(metric, peer1, start, [100, 100, 100, None, 105, 105, 105])  # +5 %
    monthly(metric, peer2, start, [50, 50, 50, None, 55, 55, 55])  # +10 %
    monthly(metric, peer3, start, [100, 100, 100, None, 97, 97, 97])  # -3 %
    monthly(metric, also_trained, start, [100, 100, 100, None, 200, 200, 200])
    monthly(metric, other_region, start, [100, 100, 100, None, 300, 300, 300])
    session = session_on(dt.date(2026, 3, 15))
    link(session, metric, trained)
    link(session_on(dt.date(2026, 2, 1)), metric, also_trained)
    figure = evaluation_selectors.session_lift(session=session)
    assert figure.lift == Decimal(20)
    assert figure.comparison_lift == Decimal(4)
    assert figure.net_lift == Decimal(16)
    assert figure.comparison_units == 3 and figure.small_sample is False


def test_trainer_lift_is_the_mean_of_measured_sessions():
    branch_a, branch_b = _region_with_branches(2)
    metric = make_metric()
    start = dt.date(2025, 12, 1)
    monthly(metric, branch_a, start, [100, 100, 100, None, 110, 110, 110])  # +10 %
    monthly(metric, branch_b, start, [100, 100, 100, None, 130, 130, 130])  # +30 %
    trainer = make_trainer()
    for branch in (branch_a, branch_b):
        link(session_on(dt.date(2026, 3, 15), trainers=[trainer]), metric, branch)
    link(session_on(dt.date(2026, 3, 20), trainers=[trainer], status="cancelled"), metric, branch_a)
    session_on(dt.date(2026, 3, 16), trainers=[trainer])  # no metric: not measured
    services.refresh_session_lifts()  # trainer_lift reads the stored session lifts
    figure = evaluation_selectors.trainer_lift(
        trainer=trainer, start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31)
    )
    assert figure.lift == Decimal(20)
    assert figure.sessions == 2


def test_trainer_lift_unknown_without_measured_sessions():
    trainer = make_trainer()
    session_on(dt.date(2026, 3, 16), trainers=[trainer])
    figure = evaluation_selectors.trainer_lift(
        trainer=trainer, start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31)
    )
    assert figure.lift is None and figure.sessions == 0


def test_team_level_values_count_for_their_branch():
    [branch] = _region_with_branches(1)
    teams = [TeamFactory(branch=branch), TeamFactory(branch=branch)]
    metric = make_metric(code="team_perf", level="team")
    for team, (before, after) in zip(teams, ((100, 110), (200, 230)), strict=True):
        for month, value in ((dt.date(2026, 1, 1), before), (dt.date(2026, 4, 1), after)):
            MetricValue.objects.create(
                metric=metric,
                team=team,
                period_start=month,
                period_end=rules.month_end(month),
                value=value,
            )
    session = session_on(dt.date(2026, 3, 15))
    link(session, metric, branch)
    figure = evaluation_selectors.session_lift(session=session)
    # before: mean(100, 200) = 150; after: mean(110, 230) = 170 → +13.3 %
    assert (figure.before, figure.after) == (Decimal(150), Decimal(170))
    assert rules.round_percent(figure.lift) == Decimal("13.3")


def test_session_lift_query_count_does_not_grow_with_branches(django_assert_max_num_queries):
    trained, *peers = _region_with_branches(8)
    metric = make_metric()
    for branch in (trained, *peers):
        monthly(metric, branch, dt.date(2025, 12, 1), [100, 100, 100, None, 110, 110, 110])
    session = session_on(dt.date(2026, 3, 15))
    link(session, metric, trained)
    with django_assert_max_num_queries(5):
        figure = evaluation_selectors.session_lift(session=session)
    assert figure.comparison_units == 7 and figure.net_lift == Decimal(0)


def test_need_lift_uses_its_first_ended_session():
    [branch] = _region_with_branches(1)
    metric = make_metric()
    monthly(metric, branch, dt.date(2025, 12, 1), [20, 20, 20, None, 25, 25, 25])
    need = link(session_on(dt.date(2026, 3, 15)), metric, branch)
    need.sessions.add(session_on(dt.date(2026, 1, 10), status="cancelled"))
    assert evaluation_selectors.need_lift(need=need).lift == Decimal(25)
    other = link(session_on(dt.date(2026, 3, 15), status="scheduled"), metric, branch)
    assert evaluation_selectors.need_lift(need=other) is None
