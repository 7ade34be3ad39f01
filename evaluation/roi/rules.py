"""Pure rules of return on training (Phillips ROI): cost, benefit, ratio, ROI and payback.

No database here: the selectors gather the inputs, these functions do the arithmetic and say
in words which assumptions each figure rests on. Money is CNY, ``Decimal`` throughout; the
display values are rounded half-up (money and ratio to 2 decimals, ROI % and months to 1).

- **Cost** = trainer hours x trainer hourly cost + learner hours x learner hourly wage cost
  + venue + materials, where trainer hours = delivered hours x trainers and learner hours =
  delivered hours x attendees.
- **Improvement** (metric units, positive = better) = after - before, or before - after for
  a lower-is-better metric (the before/after of the session's lift, PRODUCT.md "Lift").
- **Benefit** = improvement x value per unit x affected units x benefit periods in the
  horizon (monthly metric: the horizon's months; quarterly: months / 3; once: 1).
- **ROI %** = (benefit - cost) / cost x 100; **benefit-cost ratio** = benefit / cost
  (shown "x : 1"); **payback (months)** = cost / (benefit / horizon months), none when the
  benefit is not positive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

ZERO = Decimal(0)
HUNDRED = Decimal(100)
MINUTES_PER_HOUR = Decimal(60)
MONTHS_PER_QUARTER = Decimal(3)
CENTS = Decimal("0.01")
TENTHS = Decimal("0.1")
TARGET_RATIO = Decimal(2)  # the customer's complaint: "return on training below 2:1"

MONTHLY, QUARTERLY, ONCE = "monthly", "quarterly", "once"
BRANCH, TEAM, EMPLOYEE = "branch", "team", "employee"

REASON_NOT_ENDED = _("The session has not ended.")
REASON_NO_SETTINGS = _("HQ has not set the hourly costs (ROI settings).")
REASON_NO_SESSION_COST = _(
    "The venue and materials costs of the session have not been entered (enter 0 if none)."
)
REASON_NO_DELIVERED = _("The delivered duration of the session is not known.")
REASON_NO_METRIC = _("The session has no linked outcome metric.")
REASON_LIFT_PENDING = _(
    "The session's lift has not been computed yet (it is refreshed when values change and by "
    "the daily refresh_lifts)."
)
REASON_NO_VALUE_PER_UNIT = _("HQ has not set the value per unit of the metric.")
REASON_NO_UNITS = _("No affected units: the branch has no staff or teams on the session's day.")
REASON_ZERO_COST = _("The cost is 0: a return on nothing has no ratio.")
REASON_NO_SESSIONS = _("None of the sessions has a computable return.")


def money(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(CENTS, ROUND_HALF_UP)


def one_decimal(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(TENTHS, ROUND_HALF_UP)


def fmt_money(value: Decimal) -> str:
    return f"{money(value):,.2f}"


def fmt_number(value: Decimal) -> str:
    """A metric value or count as typed: trailing zeros dropped (4.00 → 4, 0.50 → 0.5)."""
    value = Decimal(value).quantize(Decimal("0.0001"), ROUND_HALF_UP).normalize()
    return f"{value:f}"


# --- cost ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostBreakdown:
    """A session's (or a group's) cost, each part in CNY, with the hours behind it."""

    trainer_hours: Decimal = ZERO
    trainer_cost: Decimal = ZERO
    learner_hours: Decimal = ZERO
    learner_cost: Decimal = ZERO
    venue: Decimal = ZERO
    materials: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.trainer_cost + self.learner_cost + self.venue + self.materials

    def __add__(self, other: CostBreakdown) -> CostBreakdown:
        return CostBreakdown(
            trainer_hours=self.trainer_hours + other.trainer_hours,
            trainer_cost=self.trainer_cost + other.trainer_cost,
            learner_hours=self.learner_hours + other.learner_hours,
            learner_cost=self.learner_cost + other.learner_cost,
            venue=self.venue + other.venue,
            materials=self.materials + other.materials,
        )


def session_cost(
    *,
    delivered_minutes: int,
    trainers: int,
    attendees: int,
    trainer_hourly_cost: Decimal,
    learner_hourly_cost: Decimal,
    venue: Decimal,
    materials: Decimal,
) -> CostBreakdown:
    """Trainer hours = delivered hours x trainers (a co-trained session costs each trainer's
    time); learner hours = delivered hours x attendees."""
    hours = Decimal(delivered_minutes) / MINUTES_PER_HOUR
    trainer_hours = hours * trainers
    learner_hours = hours * attendees
    return CostBreakdown(
        trainer_hours=trainer_hours,
        trainer_cost=trainer_hours * Decimal(trainer_hourly_cost),
        learner_hours=learner_hours,
        learner_cost=learner_hours * Decimal(learner_hourly_cost),
        venue=Decimal(venue),
        materials=Decimal(materials),
    )


# --- benefit -------------------------------------------------------------------------------


def improvement(before: Decimal, after: Decimal, *, higher_is_better: bool) -> Decimal:
    """The change in metric units, positive = better (the numerator of PRODUCT.md's lift)."""
    before, after = Decimal(before), Decimal(after)
    return after - before if higher_is_better else before - after


def benefit_periods(recurrence: str, horizon_months: int) -> Decimal:
    """How many times the improvement pays within the horizon."""
    if recurrence == ONCE:
        return Decimal(1)
    if recurrence == QUARTERLY:
        return Decimal(horizon_months) / MONTHS_PER_QUARTER
    return Decimal(horizon_months)


def default_units(*, level: str, headcount: int, teams: int) -> Decimal:
    """Units one improvement applies to when HQ typed no affected volume: a per-employee
    metric's improvement is per person (the branch's headcount), a per-team metric's per team
    (the branch's teams), a per-branch metric's the branch's own (1)."""
    if level == EMPLOYEE:
        return Decimal(headcount)
    if level == TEAM:
        return Decimal(teams)
    return Decimal(1)


@dataclass(frozen=True)
class BenefitBasis:
    """What a session's benefit was computed from."""

    metric_name: str
    unit: str
    higher_is_better: bool
    before: Decimal
    after: Decimal
    value_per_unit: Decimal
    units: Decimal
    units_label: str  # what the units are ("headcount of the branch", "transactions", ...)
    recurrence: str
    periods: Decimal

    @property
    def improvement(self) -> Decimal:
        return improvement(self.before, self.after, higher_is_better=self.higher_is_better)

    @property
    def amount(self) -> Decimal:
        return self.improvement * self.value_per_unit * self.units * self.periods


# --- the figure ----------------------------------------------------------------------------


@dataclass
class RoiFigure:
    """Cost, benefit and return of a session or a group of sessions, with the assumptions in
    words. ``computable`` is false when an input is missing: ``reasons`` says which, and no
    ratio is given (never 0)."""

    cost: CostBreakdown | None = None
    benefit: Decimal | None = None
    monthly_benefit: Decimal | None = None
    basis: BenefitBasis | None = None
    horizon_months: int | None = None
    reasons: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    sessions: int = 1  # sessions in the figure
    included: int = 0  # of which computable (counted in a group's sums)
    need_id: int | None = None
    branch_id: int | None = None
    day: dt.date | None = None

    @property
    def computable(self) -> bool:
        return (
            not self.reasons
            and self.cost is not None
            and self.benefit is not None
            and self.cost.total > 0
        )

    @property
    def cost_total(self) -> Decimal | None:
        return None if self.cost is None else self.cost.total

    @property
    def ratio(self) -> Decimal | None:
        """Benefit-cost ratio (benefit / cost), read "ratio : 1"."""
        return self.benefit / self.cost.total if self.computable else None

    @property
    def roi_percent(self) -> Decimal | None:
        if not self.computable:
            return None
        return (self.benefit - self.cost.total) / self.cost.total * HUNDRED

    @property
    def payback_months(self) -> Decimal | None:
        """Months of benefit (spread evenly over the horizon) that pay the cost back; none when
        the benefit is not positive (it never pays back)."""
        if not self.computable or not self.monthly_benefit or self.monthly_benefit <= 0:
            return None
        return self.cost.total / self.monthly_benefit

    @property
    def below_target(self) -> bool:
        return self.computable and self.ratio < TARGET_RATIO

    # display values
    @property
    def cost_display(self) -> Decimal | None:
        return money(self.cost_total)

    @property
    def benefit_display(self) -> Decimal | None:
        return money(self.benefit)

    @property
    def cost_text(self) -> str:
        return "" if self.cost_total is None else fmt_money(self.cost_total)

    @property
    def benefit_text(self) -> str:
        return "" if self.benefit is None else fmt_money(self.benefit)

    @property
    def ratio_display(self) -> Decimal | None:
        return money(self.ratio)

    @property
    def roi_display(self) -> Decimal | None:
        return one_decimal(self.roi_percent)

    @property
    def payback_display(self) -> Decimal | None:
        return one_decimal(self.payback_months)


def cost_assumptions(
    cost: CostBreakdown,
    *,
    delivered_minutes: int,
    trainers: int,
    attendees: int,
    trainer_hourly_cost: Decimal,
    learner_hourly_cost: Decimal,
    effective_from: dt.date,
) -> list[str]:
    hours = fmt_number(Decimal(delivered_minutes) / MINUTES_PER_HOUR)
    return [
        gettext(
            "Trainer time: %(hours)s h delivered × %(count)s trainer(s) × CNY %(rate)s per hour "  # noqa: RUF001
            "= CNY %(cost)s"
        )
        % {
            "hours": hours,
            "count": trainers,
            "rate": fmt_money(trainer_hourly_cost),
            "cost": fmt_money(cost.trainer_cost),
        },
        gettext(
            "Learner time: %(hours)s h × %(count)s attendee(s) × CNY %(rate)s per hour "  # noqa: RUF001
            "= CNY %(cost)s"
        )
        % {
            "hours": hours,
            "count": attendees,
            "rate": fmt_money(learner_hourly_cost),
            "cost": fmt_money(cost.learner_cost),
        },
        gettext("Venue CNY %(venue)s and materials CNY %(materials)s, as entered")
        % {"venue": fmt_money(cost.venue), "materials": fmt_money(cost.materials)},
        gettext("Hourly costs in force from %(day)s") % {"day": effective_from.isoformat()},
    ]


def benefit_assumptions(basis: BenefitBasis, *, horizon_months: int) -> list[str]:
    direction = (
        gettext("higher is better") if basis.higher_is_better else gettext("lower is better")
    )
    return [
        gettext(
            "%(metric)s: before %(before)s → after %(after)s %(unit)s (%(direction)s): "
            "improvement %(change)s"
        )
        % {
            "metric": basis.metric_name,
            "before": fmt_number(basis.before),
            "after": fmt_number(basis.after),
            "unit": basis.unit,
            "direction": direction,
            "change": fmt_number(basis.improvement),
        },
        gettext(
            "Benefit: %(change)s × CNY %(value)s per unit × %(units)s (%(units_label)s) "  # noqa: RUF001
            "× %(periods)s period(s) in %(horizon)s months = CNY %(benefit)s"  # noqa: RUF001
        )
        % {
            "change": fmt_number(basis.improvement),
            "value": fmt_money(basis.value_per_unit),
            "units": fmt_number(basis.units),
            "units_label": basis.units_label,
            "periods": fmt_number(basis.periods),
            "horizon": horizon_months,
            "benefit": fmt_money(basis.amount),
        },
    ]


def session_figure(
    *,
    cost: CostBreakdown | None,
    basis: BenefitBasis | None,
    horizon_months: int | None,
    reasons: Iterable[str] = (),
    assumptions: Iterable[str] = (),
    need_id: int | None = None,
    branch_id: int | None = None,
    day: dt.date | None = None,
) -> RoiFigure:
    """One session's figure from its cost and benefit basis; a missing one leaves it not
    computable (the caller passes the reasons)."""
    reasons = [str(r) for r in reasons]
    assumptions = list(assumptions)
    benefit = monthly = None
    if basis is not None and horizon_months:
        benefit = basis.amount
        monthly = benefit / Decimal(horizon_months)
        assumptions += benefit_assumptions(basis, horizon_months=horizon_months)
    if cost is not None and benefit is not None and not reasons and cost.total <= 0:
        reasons.append(str(REASON_ZERO_COST))
    figure = RoiFigure(
        cost=cost,
        benefit=benefit,
        monthly_benefit=monthly,
        basis=basis,
        horizon_months=horizon_months,
        reasons=reasons,
        assumptions=assumptions,
        need_id=need_id,
        branch_id=branch_id,
        day=day,
    )
    figure.included = 1 if figure.computable else 0
    if figure.computable:
        figure.assumptions.append(
            gettext("Payback = cost ÷ (benefit ÷ %(horizon)s months)") % {"horizon": horizon_months}
        )
    return figure


def group_figure(figures: Iterable[RoiFigure], *, unlinked: int = 0) -> RoiFigure:
    """A course's, need's or branch's figure: the sums of the costs and benefits of its
    computable sessions. Sessions of one need move one metric at one branch, so their benefit
    counts once (the earliest session's) while all their costs count. Sessions that are not
    computable are left out and counted; none computable → not computable. ``unlinked``
    counts further sessions without a linked metric (never computable: no benefit), whose
    figures the caller did not build."""
    figures = sorted(figures, key=lambda f: f.day or dt.date.min)
    computable = [f for f in figures if f.computable]
    result = RoiFigure(sessions=len(figures) + unlinked, included=len(computable))
    if not computable:
        result.reasons = [str(REASON_NO_SESSIONS)]
        if unlinked:
            result.reasons.append(str(REASON_NO_METRIC))
        for f in figures:
            result.reasons += [r for r in f.reasons if r not in result.reasons]
        return result
    cost = CostBreakdown()
    benefit = monthly = ZERO
    counted_needs: set[int] = set()
    shared = 0
    for figure in computable:
        cost += figure.cost
        if figure.need_id is not None and figure.need_id in counted_needs:
            shared += 1
            continue
        if figure.need_id is not None:
            counted_needs.add(figure.need_id)
        benefit += figure.benefit
        monthly += figure.monthly_benefit
    horizons = {f.horizon_months for f in computable}
    result.cost, result.benefit, result.monthly_benefit = cost, benefit, monthly
    result.horizon_months = horizons.pop() if len(horizons) == 1 else None
    result.assumptions = [
        gettext("Sum over %(included)s of %(sessions)s sessions with a computable return")
        % {"included": len(computable), "sessions": len(figures) + unlinked},
        gettext(
            "Trainer time %(trainer_hours)s h, learner time %(learner_hours)s h, "
            "venue and materials CNY %(other)s"
        )
        % {
            "trainer_hours": fmt_number(cost.trainer_hours),
            "learner_hours": fmt_number(cost.learner_hours),
            "other": fmt_money(cost.venue + cost.materials),
        },
    ]
    if shared:
        result.assumptions.append(
            gettext(
                "%(count)s session(s) share a need with an earlier session: their benefit is "
                "counted once, their costs all count"
            )
            % {"count": shared}
        )
    if len(figures) > len(computable):
        result.assumptions.append(
            gettext("%(count)s session(s) left out: their return is not computable")
            % {"count": len(figures) - len(computable)}
        )
    result.assumptions.append(gettext("Payback = cost ÷ the sessions' monthly benefit"))
    return result
