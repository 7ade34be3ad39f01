"""``roi_by_session`` and the group figures on the hand-worked world (tests/…/roi/helpers)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from evaluation.metrics import rules as metric_rules
from evaluation.metrics.services import refresh_session_lifts
from evaluation.roi import rules, selectors
from evaluation.roi.models import MetricBenefitBasis
from hub.organisation.models import Employee
from hub.sessions.models import Session
from library.models import CourseIndexPage, CoursePage
from library.services import library_install
from tests.evaluation.metrics.helpers import make_metric, monthly, session_on
from tests.evaluation.roi.helpers import DAY, cross_sell, make_settings, roi_session
from tests.factories import BranchFactory, EmployeeFactory, TeamFactory

pytestmark = pytest.mark.django_db
D = Decimal


def figure_of(session):
    return selectors.roi_by_session(sessions=[session])[session.pk]


def test_worked_example():
    branch = BranchFactory()
    make_settings()
    session = roi_session(branch, metric=cross_sell(branch))
    figure = figure_of(session)
    assert figure.computable, figure.reasons
    assert figure.cost.trainer_hours == D(2) and figure.cost.learner_hours == D(20)
    assert figure.cost_total == D(2900)
    assert (figure.basis.before, figure.basis.after, figure.basis.units) == (D(22), D(26), D(1))
    assert figure.benefit == D(9600)
    assert (figure.ratio_display, figure.roi_display, figure.payback_display) == (
        D("3.31"),
        D("231.0"),
        D("3.6"),
    )
    assert figure.branch_id == branch.pk
    text = " ".join(figure.assumptions)
    assert "10" in text and "1,600.00" in text and "2025-01-01" in text


def test_missing_inputs_give_reasons_not_zero():
    branch = BranchFactory()
    session = roi_session(branch, metric=cross_sell(branch, value_per_unit=None), cost=False)
    figure = figure_of(session)
    assert not figure.computable and figure.ratio is None
    assert set(figure.reasons) == {
        str(rules.REASON_NO_SETTINGS),
        str(rules.REASON_NO_SESSION_COST),
        str(rules.REASON_NO_VALUE_PER_UNIT),
    }


def test_no_metric_and_not_measured_yet():
    branch = BranchFactory()
    make_settings()
    plain = roi_session(branch)
    assert figure_of(plain).reasons == [str(rules.REASON_NO_METRIC)]
    # after window empty: the lift's own reason
    metric = make_metric(value_per_unit=D(200))
    monthly(metric, branch, dt.date(2025, 12, 1), [22, 22, 22])
    pending = roi_session(branch, metric=metric)
    assert figure_of(pending).reasons == [str(metric_rules.REASON_NO_AFTER)]


def test_not_ended_session():
    branch = BranchFactory()
    make_settings()
    session = roi_session(branch, metric=cross_sell(branch))
    session.status = Session.Status.SCHEDULED
    session.save(update_fields=["status"])
    assert str(rules.REASON_NOT_ENDED) in figure_of(session).reasons


def test_zero_before_still_has_a_benefit_in_units():
    """A lift in % is undefined from 0, but the improvement in units is not."""
    branch = BranchFactory()
    make_settings()
    metric = make_metric(value_per_unit=D(100))
    monthly(metric, branch, dt.date(2025, 12, 1), [0, 0, 0, None, 3, 3, 3])
    figure = figure_of(roi_session(branch, metric=metric))
    assert figure.computable and figure.benefit == D(3600)  # 3 x 100 x 1 x 12


def test_employee_level_metric_uses_headcount_on_the_day():
    branch = BranchFactory()
    make_settings()
    metric = make_metric(level="employee", value_per_unit=D(10))
    person = EmployeeFactory(branch=branch, hire_date=dt.date(2020, 1, 1))
    for month, value in [(12, 100), (1, 100), (2, 100), (4, 110), (5, 110), (6, 110)]:
        year = 2025 if month == 12 else 2026
        start = dt.date(year, month, 1)
        metric.values.create(
            employee=person,
            period_start=start,
            period_end=metric_rules.month_end(start),
            value=D(value),
        )
    session = roi_session(branch, metric=metric, people=2)
    # staff on the day: ``person``, the trainer, the need's submitter, 2 attendees, the absent
    # and the cancelled learner = 7 (factories hire in the past); a leaver and a later hire not
    EmployeeFactory(branch=branch, hire_date=dt.date(2020, 1, 1), leave_date=dt.date(2026, 3, 1))
    EmployeeFactory(branch=branch, hire_date=dt.date(2026, 4, 1))
    staff = Employee.objects.filter(branch=branch, hire_date__lte=DAY).exclude(leave_date__lte=DAY)
    figure = figure_of(session)
    assert figure.basis.units == D(staff.count())
    assert figure.benefit == D(10) * 10 * staff.count() * 12  # +10 per person per month


def test_team_level_and_typed_volume():
    branch = BranchFactory()
    make_settings()
    TeamFactory(branch=branch), TeamFactory(branch=branch)
    metric = cross_sell(branch, level="team")
    # the values above are branch values; the level only decides the default units
    session = roi_session(branch, metric=metric)
    assert figure_of(session).basis.units == D(2)
    MetricBenefitBasis.objects.create(
        metric=metric, affected_volume=D(500), volume_note="笔交易", recurrence="quarterly"
    )
    figure = figure_of(session)
    assert figure.basis.units == D(500) and figure.basis.periods == D(4)
    assert figure.benefit == D(4) * 200 * 500 * 4
    assert "笔交易" in " ".join(figure.assumptions)


def test_settings_are_effective_dated():
    branch = BranchFactory()
    make_settings(effective_from=dt.date(2025, 1, 1), trainer="300")
    make_settings(effective_from=dt.date(2026, 3, 16), trainer="600")  # after the session
    session = roi_session(branch, metric=cross_sell(branch))
    assert figure_of(session).cost.trainer_cost == D(600)  # 2 h x 300
    make_settings(effective_from=dt.date(2026, 3, 1), trainer="400")
    assert figure_of(session).cost.trainer_cost == D(800)
    # a session before the first row uses the first row
    early = roi_session(branch, day=dt.date(2024, 6, 1))
    assert figure_of(early).cost.trainer_cost == D(600)


def make_course(title="门店连带销售"):
    library_install()
    course = CoursePage(title=title, category="in_service", audience="backbone", hours=2)
    CourseIndexPage.objects.get().add_child(instance=course)
    return course


def test_need_course_and_branch_figures():
    branch = BranchFactory()
    make_settings()
    metric = cross_sell(branch)
    first = roi_session(branch, metric=metric)
    need = first.training_needs.get()
    second = roi_session(branch, metric=metric, day=DAY + dt.timedelta(days=1), need=need)
    with translation.override("en"):
        note = figure_of(second).assumptions
    assert any("The need has 2 ended sessions" in line for line in note)
    need_figure = selectors.roi_by_need(need=need)
    # two sessions' costs, the need's benefit once
    assert (need_figure.sessions, need_figure.included) == (2, 2)
    assert need_figure.cost_total == D(5800) and need_figure.benefit == D(9600)
    assert need_figure.ratio_display == D("1.66")
    assert need_figure.payback_display == D("7.3")  # 5,800 / 800 a month = 7.25
    # the branch: the same two sessions; another branch's session has no metric
    other = BranchFactory()
    session_on(DAY, branch=other)
    figures = selectors.roi_by_branches(branch_ids=[branch.pk, other.pk])
    assert figures[branch.pk].cost_total == D(5800) and figures[branch.pk].benefit == D(9600)
    assert not figures[other.pk].computable
    assert selectors.roi_by_branch(branch=branch).ratio_display == D("1.66")
    assert not selectors.roi_by_branch(branch=BranchFactory()).computable
    # a course: its sessions only (here the first one)
    course = make_course()
    Session.objects.filter(pk=first.pk).update(course=course)
    course_figure = selectors.roi_by_course(course=course)
    assert (course_figure.sessions, course_figure.cost_total) == (1, D(2900))
    assert course_figure.ratio_display == D("3.31")


def _world(n: int):
    branch = BranchFactory()
    metric = cross_sell(branch, code=f"cross_sell_{n}")
    MetricBenefitBasis.objects.create(metric=metric)
    sessions = [
        roi_session(branch, metric=metric, people=2, day=DAY + dt.timedelta(days=i))
        for i in range(n)
    ]
    refresh_session_lifts(sessions=sessions)  # the reports read stored lifts
    return Session.objects.filter(pk__in=[s.pk for s in sessions])


def _queries(sessions) -> int:
    with CaptureQueriesContext(connection) as ctx:
        figures = selectors.roi_by_session(sessions=sessions)
    assert figures and all(f.computable for f in figures.values())
    return len(ctx.captured_queries)


def test_query_count_is_fixed():
    make_settings()
    assert _queries(_world(1)) == _queries(_world(4)) == 5  # 4 + the stored lifts
