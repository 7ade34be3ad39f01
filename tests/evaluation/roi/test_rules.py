"""The ROI formulas on hand-worked examples (docs/evaluation.md, "Return on training")."""

import datetime as dt
from decimal import Decimal

from django.utils import translation

from evaluation.roi import rules
from evaluation.roi.rules import BenefitBasis, CostBreakdown, group_figure, session_figure

D = Decimal


def cost(**kwargs) -> CostBreakdown:
    values = {
        "delivered_minutes": 120,
        "trainers": 1,
        "attendees": 10,
        "trainer_hourly_cost": D(300),
        "learner_hourly_cost": D(80),
        "venue": D(500),
        "materials": D(200),
    }
    return rules.session_cost(**{**values, **kwargs})


def basis(before="22", after="26", value="200", units="1", higher=True, recurrence="monthly"):
    return BenefitBasis(
        metric_name="连带销售率",
        unit="%",
        higher_is_better=higher,
        before=D(before),
        after=D(after),
        value_per_unit=D(value),
        units=D(units),
        units_label="branch",
        recurrence=recurrence,
        periods=rules.benefit_periods(recurrence, 12),
    )


def test_cost_worked_example():
    c = cost()
    # 2 h x 1 trainer x 300 = 600; 2 h x 10 attendees x 80 = 1,600; + 500 + 200
    assert (c.trainer_hours, c.trainer_cost) == (D(2), D(600))
    assert (c.learner_hours, c.learner_cost) == (D(20), D(1600))
    assert c.total == D(2900)


def test_co_trained_session_costs_each_trainers_time():
    assert cost(trainers=2, delivered_minutes=90).trainer_cost == D(900)  # 1.5 h x 2 x 300


def test_worked_example_ratio_roi_payback():
    figure = session_figure(cost=cost(), basis=basis(), horizon_months=12)
    # benefit = (26 - 22) x 200 x 1 x 12 months = 9,600
    assert figure.computable
    assert figure.benefit == D(9600)
    assert figure.ratio_display == D("3.31")  # 9,600 / 2,900
    assert figure.roi_display == D("231.0")  # (9,600 - 2,900) / 2,900 x 100 = 231.03
    assert figure.payback_display == D("3.6")  # 2,900 / (9,600 / 12) = 3.625
    assert not figure.below_target
    text = " ".join(figure.assumptions)
    assert "200.00" in text and "9,600.00" in text and "22 → " in text


def test_cost_assumptions_show_every_input():
    c = cost()
    lines = rules.cost_assumptions(
        c,
        delivered_minutes=120,
        trainers=1,
        attendees=10,
        trainer_hourly_cost=D(300),
        learner_hourly_cost=D(80),
        effective_from=dt.date(2026, 1, 1),
    )
    text = " ".join(lines)
    for part in ("300.00", "600.00", "80.00", "1,600.00", "500.00", "200.00", "2026-01-01"):
        assert part in text


def test_benefit_equal_to_cost_is_zero_percent_and_one_to_one():
    # 2,900 = 1 x value x 1 x 12 → value 241.666…; use a one-off benefit instead: 2,900 x 1
    figure = session_figure(
        cost=cost(), basis=basis("10", "11", value="2900", recurrence="once"), horizon_months=12
    )
    assert figure.benefit == D(2900)
    assert figure.roi_percent == 0 and figure.roi_display == D("0.0")
    assert figure.ratio == 1 and figure.ratio_display == D("1.00")
    assert figure.payback_months == D(12)  # the whole horizon
    assert figure.below_target


def test_ratio_exactly_two_is_not_below_target():
    figure = session_figure(
        cost=cost(), basis=basis("10", "12", value="2900", recurrence="once"), horizon_months=12
    )
    assert figure.ratio == 2 and figure.roi_display == D("100.0") and not figure.below_target


def test_lower_is_better_metric():
    # complaint rate 8 → 6.4: improvement 1.6 points; 1.6 x 2 CNY x 600 tickets x 12 = 23,040
    figure = session_figure(
        cost=cost(),
        basis=basis("8", "6.4", value="2", units="600", higher=False),
        horizon_months=12,
    )
    assert figure.basis.improvement == D("1.6")
    assert figure.benefit == D("23040.0")
    assert figure.ratio_display == D("7.94")
    # rising to 10 is a loss: negative benefit, negative ROI, never paid back
    worse = session_figure(
        cost=cost(), basis=basis("8", "10", value="2", units="600", higher=False), horizon_months=12
    )
    assert worse.benefit == D(-28800)
    assert worse.roi_display == D("-1093.1")  # (-28,800 - 2,900) / 2,900 x 100
    assert worse.payback_months is None


def test_quarterly_metric_counts_four_periods_in_a_year():
    assert rules.benefit_periods("quarterly", 12) == D(4)
    assert rules.benefit_periods("once", 12) == D(1)
    assert rules.benefit_periods("monthly", 6) == D(6)


def test_default_units_by_level():
    assert rules.default_units(level="employee", headcount=25, teams=3) == D(25)
    assert rules.default_units(level="team", headcount=25, teams=3) == D(3)
    assert rules.default_units(level="branch", headcount=25, teams=3) == D(1)


def test_missing_input_is_not_computable_never_zero():
    no_benefit = session_figure(
        cost=cost(), basis=None, horizon_months=12, reasons=[rules.REASON_NO_VALUE_PER_UNIT]
    )
    assert not no_benefit.computable
    assert no_benefit.ratio is None and no_benefit.roi_percent is None
    assert no_benefit.reasons == [str(rules.REASON_NO_VALUE_PER_UNIT)]
    no_cost = session_figure(
        cost=None, basis=basis(), horizon_months=12, reasons=[rules.REASON_NO_SESSION_COST]
    )
    assert not no_cost.computable and no_cost.ratio_display is None
    assert no_cost.benefit == D(9600)  # the benefit is still shown with its basis


def test_zero_cost_is_not_computable():
    free = rules.session_cost(
        delivered_minutes=60,
        trainers=0,
        attendees=0,
        trainer_hourly_cost=D(300),
        learner_hourly_cost=D(80),
        venue=D(0),
        materials=D(0),
    )
    figure = session_figure(cost=free, basis=basis(), horizon_months=12)
    assert not figure.computable and figure.reasons == [str(rules.REASON_ZERO_COST)]


def test_group_sums_and_counts_a_needs_benefit_once():
    day = dt.date(2026, 3, 1)
    first = session_figure(cost=cost(), basis=basis(), horizon_months=12, need_id=1, day=day)
    second = session_figure(
        cost=cost(), basis=basis(), horizon_months=12, need_id=1, day=day + dt.timedelta(days=7)
    )
    other = session_figure(
        cost=cost(), basis=basis("22", "23"), horizon_months=12, need_id=2, day=day
    )
    missing = session_figure(
        cost=None, basis=None, horizon_months=12, reasons=[rules.REASON_NO_SESSION_COST]
    )
    with translation.override("en"):
        group = group_figure([second, missing, other, first])
    assert (group.sessions, group.included) == (4, 3)
    assert group.cost_total == D(8700)  # all three computable sessions' costs
    assert group.benefit == D(9600 + 2400)  # need 1 once, need 2 (1 x 200 x 12)
    assert group.ratio_display == D("1.38")  # 12,000 / 8,700
    assert group.payback_display == D("8.7")  # 8,700 / 1,000 a month
    assert any("counted once" in line for line in group.assumptions)


def test_group_without_a_computable_session_says_why():
    missing = session_figure(
        cost=None, basis=None, horizon_months=None, reasons=[rules.REASON_NO_SETTINGS]
    )
    group = group_figure([missing])
    assert not group.computable
    assert group.reasons == [str(rules.REASON_NO_SESSIONS), str(rules.REASON_NO_SETTINGS)]
    assert not group_figure([]).computable
