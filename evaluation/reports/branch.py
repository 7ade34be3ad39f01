"""The branch effectiveness report (分部培训成效报告): what one branch's training programmes moved.

``branch_report`` builds every figure of the page and its export in a fixed number of queries
(about fifteen) whatever the number of needs, sessions, cohorts or metrics:

- **Programmes**: the branch's training needs with an outcome metric (``NeedMetric``) and their
  sessions, each with its measured lift around its first ended session — the figures of
  ``evaluation.selectors.need_lift`` (plain lift, net lift against the comparison group, the
  reason when undefined), computed for all needs at once (``_lifts``).
- **Headline before/after**: every metric of the trend lines, measured like a lift (plain and
  net) around the first ended session of the branch's programmes other than onboarding —
  the article's "team performance +12 %, correct handling 70 % → 90 %" for the branch.
- **Retention cohorts** (``retention_cohorts``): the pivot is the first ended session of the
  branch's needs on the 3-month new-hire retention metric (its onboarding programme). Cohorts
  that ended before the pivot, within ``RETENTION_WINDOW_MONTHS`` months, are *before*; cohorts
  that start on or after it, within as many months, are *after*; a cohort containing the pivot
  is in neither (like the lift windows). Pooled rate of a side = Σ retained ÷ Σ eligible.
- **Coverage** (``training_coverage``) for the last four quarters, **satisfaction** of the
  sessions held for the branch in the period (pooled responses, shown from 3), and the
  sessions and hours delivered (delivered duration of ended sessions with a completer).
- **Trend lines**: each imported metric's monthly values at the branch over the 12 months up
  to the period's end, with the mean of the region's untrained peers (no need on that metric
  with a session in those months).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from evaluation.metrics import rules
from evaluation.metrics.models import MetricDefinition, MetricValue
from evaluation.metrics.rules import LiftFigure, Windows
from evaluation.metrics.selectors import lift_from_means, retention_cohorts, training_coverage
from evaluation.models import SurveyResponse
from evaluation.reports.periods import Period, quarter_of
from evaluation.selectors import SatisfactionFigure
from evaluation.surveys.rules import round_half_up
from hub.needs.models import TrainingNeed
from hub.organisation.models import Branch
from hub.sessions.models import Session

RETENTION_METRIC = "retention_3m"
RETENTION_WINDOW_MONTHS = 6  # cohorts compared on each side of the pivot
COHORT_MONTHS = 24  # cohorts listed: hired in the 24 months up to the period's end
COHORT_KINDS = ("month", "quarter")
TREND_MONTHS = 12
COVERAGE_QUARTERS = 4
BEFORE, AFTER, PIVOT = "before", "after", "pivot"


@dataclass(frozen=True)
class Programme:
    """A need with an outcome metric, its sessions (by start) and its measured lift (None
    before its first ended session; for the retention metric, the pooled cohort rates)."""

    need: TrainingNeed
    metric: MetricDefinition
    sessions: tuple[Session, ...]
    first_session: Session | None
    lift: LiftFigure | None
    is_retention: bool = False


@dataclass(frozen=True)
class Cohort:
    start: dt.date
    end: dt.date
    hires: int
    eligible: int
    retained: int
    rate: Decimal | None
    side: str = ""  # BEFORE, AFTER, PIVOT (contains the pivot) or "" (outside the windows)


@dataclass(frozen=True)
class PooledRate:
    """Σ retained ÷ Σ eligible over the cohorts of one side of the pivot."""

    cohorts: int
    eligible: int
    retained: int

    @property
    def rate(self) -> Decimal | None:
        return Decimal(self.retained) * 100 / self.eligible if self.eligible else None


@dataclass(frozen=True)
class Coverage:
    period: Period
    staff: int
    trained: int
    rate: Decimal | None


@dataclass(frozen=True)
class Trend:
    """A metric's monthly values at the branch (``values``, aligned with the report's
    ``months``) and the mean of its region's untrained peers (``peer_values``; ``peers`` is
    how many peers had a value in the months shown)."""

    metric: MetricDefinition
    values: tuple[Decimal | None, ...]
    peer_values: tuple[Decimal | None, ...]
    peers: int


@dataclass(frozen=True)
class BranchReport:
    branch: Branch
    period: Period
    as_of: dt.date
    cohort_kind: str
    programmes: tuple[Programme, ...]
    pivot: Session | None
    cohorts: tuple[Cohort, ...]
    before: PooledRate
    after: PooledRate
    coverage: tuple[Coverage, ...]
    satisfaction: SatisfactionFigure
    sessions_delivered: int
    hours_delivered: Decimal
    months: tuple[dt.date, ...]
    trends: tuple[Trend, ...]
    # every trend metric's lift around the first ended session of the other programmes
    headline_session: Session | None = None
    headline: tuple[tuple[MetricDefinition, LiftFigure], ...] = ()

    @property
    def retention_lift(self) -> Decimal | None:
        return rules.lift_percent(self.before.rate, self.after.rate, higher_is_better=True)


def branch_report(
    *,
    branch: Branch,
    period: Period,
    cohort: str = "month",
    today: dt.date | None = None,
    days: int = rules.DEFAULT_WINDOW_DAYS,
) -> BranchReport:
    """Every figure of ``branch``'s effectiveness report for ``period`` (see the module
    docstring); ``cohort`` groups hires by ``month`` or ``quarter``. Figures are as of the
    period's end, or today while the period runs."""
    if cohort not in COHORT_KINDS:
        raise ValueError(f"unknown cohort kind {cohort!r}")
    today = today or timezone.localdate()
    as_of = min(today, period.end)
    region = list(
        Branch.objects.filter(region_id=branch.region_id, is_hq=False).values_list("pk", flat=True)
    )
    needs = _needs(branch)
    pivot = _pivot(needs)
    cohorts, before, after = _cohorts(branch, as_of, cohort, pivot)
    months = _months(as_of)
    trends = _trends(branch, region, months)
    # one batch of lifts: each programme's, and each trend metric's around the first programme
    measured = _measured(needs, days)
    start = _headline_session(needs)
    if start is not None:
        day = Windows(day=timezone.localdate(start.starts_at), days=days)
        measured.update({("metric", t.metric.pk): (t.metric, day) for t in trends})
    lifts = _lifts(branch, measured, region)
    programmes = _programmes(branch, needs, lifts, before, after)
    headline = tuple(
        (t.metric, lifts[("metric", t.metric.pk)]) for t in trends if start is not None
    )
    sessions_delivered, hours = _delivered(branch, period)
    return BranchReport(
        branch=branch,
        period=period,
        as_of=as_of,
        cohort_kind=cohort,
        programmes=programmes,
        pivot=pivot,
        cohorts=cohorts,
        before=before,
        after=after,
        coverage=_coverage(branch, period),
        satisfaction=_satisfaction(branch, period),
        sessions_delivered=sessions_delivered,
        hours_delivered=hours,
        months=months,
        trends=trends,
        headline_session=start,
        headline=headline,
    )


# --- programmes and their lift ---------------------------------------------------------------


def _needs(branch: Branch) -> list[TrainingNeed]:
    """The branch's needs with an outcome metric and their sessions (two queries)."""
    return list(
        TrainingNeed.objects.filter(branch=branch, outcome_metric__isnull=False)
        .select_related("outcome_metric__metric")
        .prefetch_related(
            Prefetch("sessions", queryset=Session.objects.order_by("starts_at", "pk"))
        )
        .order_by("created_at", "pk")
    )


def _first_ended(need: TrainingNeed) -> Session | None:
    ended = [s for s in need.sessions.all() if s.status == Session.Status.ENDED]
    return ended[0] if ended else None


def _pivot(needs: list[TrainingNeed]) -> Session | None:
    """The first ended session of the branch's needs on the retention metric."""
    firsts = [
        _first_ended(need) for need in needs if need.outcome_metric.metric.code == RETENTION_METRIC
    ]
    firsts = [s for s in firsts if s is not None]
    return min(firsts, key=lambda s: (s.starts_at, s.pk)) if firsts else None


def _measured(needs: list[TrainingNeed], days: int) -> dict:
    """("need", id) → (metric, windows) of every programme measured by its metric's values:
    an imported metric, around the need's first ended session."""
    measured = {}
    for need in needs:
        first = _first_ended(need)
        metric = need.outcome_metric.metric
        if first is not None and metric.code != RETENTION_METRIC:
            day = timezone.localdate(first.starts_at)
            measured[("need", need.pk)] = (metric, Windows(day=day, days=days))
    return measured


def _headline_session(needs: list[TrainingNeed]) -> Session | None:
    """The first ended session of the branch's programmes other than onboarding: the day
    the headline before/after figures of every metric are measured around."""
    firsts = [
        _first_ended(need) for need in needs if need.outcome_metric.metric.code != RETENTION_METRIC
    ]
    firsts = [s for s in firsts if s is not None]
    return min(firsts, key=lambda s: (s.starts_at, s.pk)) if firsts else None


def _programmes(branch, needs, lifts, before, after) -> tuple[Programme, ...]:
    result = []
    for need in needs:
        first = _first_ended(need)
        metric = need.outcome_metric.metric
        retention = metric.code == RETENTION_METRIC
        lift = lifts.get(("need", need.pk))
        if retention and first is not None:
            lift = _retention_figure(metric, branch, before, after)
        result.append(
            Programme(
                need=need,
                metric=metric,
                sessions=tuple(need.sessions.all()),
                first_session=first,
                lift=lift,
                is_retention=retention,
            )
        )
    return tuple(result)


def _retention_figure(metric, branch, before: PooledRate, after: PooledRate) -> LiftFigure:
    lift = rules.lift_percent(before.rate, after.rate, higher_is_better=True)
    reason = ""
    if before.rate is None:
        reason = "no_before"
    elif after.rate is None:
        reason = "no_after"
    elif lift is None:
        reason = "zero_before"
    return LiftFigure(
        lift=lift,
        before=before.rate,
        after=after.rate,
        metric_code=metric.code,
        branch_id=branch.pk,
        sessions=1 if lift is not None else 0,
        reason=str(rules.REASONS[reason]) if reason else "",
        reason_code=reason,
    )


def _lifts(branch, measured: dict, region: list[int]) -> dict:
    """Key → the figure ``lift_for(metric, branch, day)`` gives, for every entry of
    ``measured`` (key → (metric, windows)) at once: two queries in all."""
    if not measured:
        return {}
    metric_ids = {metric.pk for metric, _w in measured.values()}
    first_day = min(w.before_start for _m, w in measured.values())
    last_day = max(w.after_end for _m, w in measured.values())
    start, after = _day_bounds(first_day, last_day)
    # (metric, branch, local day) of every not cancelled session of a need on these metrics
    trained_rows = [
        (metric_id, branch_id, timezone.localdate(starts_at))
        for metric_id, branch_id, starts_at in Session.objects.filter(
            starts_at__gte=start,
            starts_at__lt=after,
            training_needs__outcome_metric__metric_id__in=metric_ids,
            training_needs__branch_id__in=region,
        )
        .exclude(status=Session.Status.CANCELLED)
        .values_list(
            "training_needs__outcome_metric__metric_id", "training_needs__branch_id", "starts_at"
        )
    ]
    columns = {}
    names = {key: f"c{index}" for index, key in enumerate(measured)}
    for key, (metric, w) in measured.items():
        is_metric = Q(metric_id=metric.pk)
        columns[f"b{names[key]}"] = Avg(
            "value", filter=is_metric & Q(period_end__gte=w.before_start, period_end__lt=w.day)
        )
        columns[f"a{names[key]}"] = Avg(
            "value", filter=is_metric & Q(period_start__gt=w.day, period_start__lte=w.after_end)
        )
    rows = (
        MetricValue.objects.filter(metric_id__in=metric_ids)
        .filter(period_end__gte=first_day, period_start__lte=last_day)
        .annotate(scope_branch=Coalesce("branch_id", "team__branch_id", "employee__branch_id"))
        .filter(scope_branch__in=[*region, branch.pk])
        .values("scope_branch")
        .annotate(**columns)
        .order_by()
    )
    means = {row["scope_branch"]: row for row in rows}
    figures = {}
    for key, (metric, w) in measured.items():
        trained = {
            b
            for m, b, day in trained_rows
            if m == metric.pk and w.before_start <= day <= w.after_end
        } | {branch.pk}
        peers = [pk for pk in region if pk not in trained]
        pairs = {
            pk: (_decimal(row[f"b{names[key]}"]), _decimal(row[f"a{names[key]}"]))
            for pk, row in means.items()
        }
        figures[key] = lift_from_means(
            metric=metric, branch_id=branch.pk, windows=w, means=pairs, peers=peers
        )
    return figures


# --- retention cohorts -----------------------------------------------------------------------


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _cohort_end(start: dt.date, kind: str) -> dt.date:
    return rules.month_end(start) if kind == "month" else rules.quarter_end(start)


def _cohorts(branch, as_of, kind, pivot) -> tuple[tuple[Cohort, ...], PooledRate, PooledRate]:
    """The branch's cohorts hired in the ``COHORT_MONTHS`` months up to ``as_of`` (and in the
    windows around the pivot), each marked by its side of the pivot; the pooled rates of the
    two sides. One query."""
    start = _add_months(rules.month_start(as_of), 1 - COHORT_MONTHS)
    pivot_day = timezone.localdate(pivot.starts_at) if pivot else None
    if pivot_day is not None:
        start = min(start, _add_months(rules.month_start(pivot_day), -RETENTION_WINDOW_MONTHS))
    if kind == "quarter":
        start = rules.quarter_start(start)
    rows = retention_cohorts(
        as_of=as_of, start=start, end=as_of, cohort=kind, branch_ids=[branch.pk]
    )
    cohorts = []
    for row in rows:
        end = _cohort_end(row["cohort"], kind)
        cohorts.append(
            Cohort(
                start=row["cohort"],
                end=end,
                hires=row["hires"],
                eligible=row["eligible"],
                retained=row["retained"],
                rate=row["rate"],
                side=_side(row["cohort"], end, pivot_day),
            )
        )
    return tuple(cohorts), _pooled(cohorts, BEFORE), _pooled(cohorts, AFTER)


def _side(start: dt.date, end: dt.date, pivot_day: dt.date | None) -> str:
    if pivot_day is None:
        return ""
    if start <= pivot_day <= end and start != pivot_day:
        return PIVOT
    window_start = _add_months(rules.month_start(pivot_day), -RETENTION_WINDOW_MONTHS)
    window_end = _add_months(rules.month_start(pivot_day), RETENTION_WINDOW_MONTHS)
    if end < pivot_day and start >= window_start:
        return BEFORE
    if pivot_day <= start < window_end:
        return AFTER
    return ""


def _pooled(cohorts: list[Cohort], side: str) -> PooledRate:
    chosen = [c for c in cohorts if c.side == side]
    return PooledRate(
        cohorts=len(chosen),
        eligible=sum(c.eligible for c in chosen),
        retained=sum(c.retained for c in chosen),
    )


# --- coverage, satisfaction, delivery --------------------------------------------------------


def _coverage(branch: Branch, period: Period) -> tuple[Coverage, ...]:
    """Coverage in each of the last four quarters up to the period's end (one query each)."""
    quarters = [quarter_of(period.end)]
    while len(quarters) < COVERAGE_QUARTERS:
        quarters.append(quarter_of(quarters[-1].start - dt.timedelta(days=1)))
    result = []
    for quarter in reversed(quarters):
        rows = training_coverage(start=quarter.start, end=quarter.end, branch_ids=[branch.pk])
        row = rows[0] if rows else {"staff": 0, "trained": 0, "rate": None}
        result.append(
            Coverage(period=quarter, staff=row["staff"], trained=row["trained"], rate=row["rate"])
        )
    return tuple(result)


def _held(branch: Branch, period: Period):
    first, after = period.bounds()
    return Session.objects.filter(
        branch=branch, status=Session.Status.ENDED, starts_at__gte=first, starts_at__lt=after
    )


def _satisfaction(branch: Branch, period: Period) -> SatisfactionFigure:
    """Pooled satisfaction of every scored response to the ended sessions held for the branch
    in the period (not a mean of session means). One query."""
    row = SurveyResponse.objects.filter(
        satisfaction__isnull=False, survey__session__in=_held(branch, period).values("pk")
    ).aggregate(count=Count("pk"), mean=Avg("satisfaction"))
    count, mean = row["count"] or 0, row["mean"]
    if not count or mean is None:
        return SatisfactionFigure(count=count, mean=None)
    return SatisfactionFigure(count=count, mean=round_half_up(Decimal(str(mean))))


def _delivered(branch: Branch, period: Period) -> tuple[int, Decimal]:
    """Ended sessions held for the branch in the period, and their hours taught (delivered
    duration; a session without a completer counts 0 h, PRODUCT.md). One query."""
    row = (
        _held(branch, period)
        .with_credit()
        .aggregate(n=Count("pk"), minutes=Sum("credited_minutes"))
    )
    hours = Decimal(row["minutes"] or 0) / 60
    return row["n"], hours.quantize(rules.ONE_DECIMAL, rounding=ROUND_HALF_UP)


# --- trend lines -----------------------------------------------------------------------------


def _months(as_of: dt.date) -> tuple[dt.date, ...]:
    last = rules.month_start(as_of)
    return tuple(_add_months(last, back) for back in range(1 - TREND_MONTHS, 1))


def _trends(branch: Branch, region: list[int], months: tuple[dt.date, ...]) -> tuple[Trend, ...]:
    """Every imported metric with values at the branch in ``months``; three queries."""
    first, last = months[0], rules.month_end(months[-1])
    start, after = _day_bounds(first, last)
    values = MetricValue.objects.filter(period_start__gte=first, period_start__lte=last).annotate(
        scope_branch=Coalesce("branch_id", "team__branch_id", "employee__branch_id")
    )
    own = (
        values.filter(scope_branch=branch.pk)
        .values("metric_id", "period_start")
        .annotate(mean=Avg("value"))
        .order_by()
    )
    trained = Session.objects.filter(
        training_needs__branch_id=OuterRef("scope_branch"),
        training_needs__outcome_metric__metric_id=OuterRef("metric_id"),
        starts_at__gte=start,
        starts_at__lt=after,
    ).exclude(status=Session.Status.CANCELLED)
    peers = (
        values.filter(scope_branch__in=[pk for pk in region if pk != branch.pk])
        .exclude(Exists(trained))
        .values("metric_id", "period_start")
        .annotate(mean=Avg("value"), branches=Count("scope_branch", distinct=True))
        .order_by()
    )
    mine: dict[int, dict] = defaultdict(dict)
    for row in own:
        mine[row["metric_id"]][row["period_start"]] = _decimal(row["mean"])
    theirs: dict[int, dict] = defaultdict(dict)
    for row in peers:
        theirs[row["metric_id"]][row["period_start"]] = (_decimal(row["mean"]), row["branches"])
    metrics = MetricDefinition.objects.filter(pk__in=list(mine)).order_by("code")
    return tuple(
        Trend(
            metric=metric,
            values=tuple(mine[metric.pk].get(month) for month in months),
            peer_values=tuple(theirs[metric.pk].get(month, (None, 0))[0] for month in months),
            peers=max((n for _v, n in theirs[metric.pk].values()), default=0),
        )
        for metric in metrics
    )


def _day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    first = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    after = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    return first, after


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))
