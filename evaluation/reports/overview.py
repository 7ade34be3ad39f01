"""The HQ overview: every branch (not the head office) side by side for a period, ranked.

Per branch:

- **staff**: staff on the as-of day (the period's last day, or today while it runs: hired by
  then, not left), and **trainers**: those of them holding a trainer role granted by then;
  the **trainer sign-up rate** = trainers ÷ staff x 100 (the brief: under 15 % before the
  programme, 45 % its target);
- **coverage**: ``evaluation.metrics.selectors.training_coverage`` (staff employed in P who
  completed ≥ 1 session that started in P ÷ those staff);
- **sessions** held for the branch (``Session.branch``) that ended in P, and their **hours**:
  Σ delivered duration of those with a completer (the teaching-hours rule: none → 0 h);
- **satisfaction**: the pooled mean of all responses to those sessions, shown with ≥ 3;
- **retention**: the latest monthly hiring cohort whose 90 days have passed by the as-of day
  (``retention_cohorts``).

The company row pools the branches' inputs (Σ parts ÷ Σ wholes, not a mean of rates).
Company-wide sessions (no branch) belong to no branch and are not counted here. The sign-up
trend counts, at each quarter end, staff then and those holding a trainer role granted by
then (a revoked grant leaves no row, so past quarters count today's grants only).

Every figure is one SQL aggregate over all branches: a fixed number of queries (8) whatever
the number of branches.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils import timezone

from evaluation.metrics.selectors import retention_cohorts, training_coverage
from evaluation.models import SurveyResponse
from evaluation.reports.periods import Period, quarter_of
from evaluation.selectors import SatisfactionFigure
from evaluation.surveys.rules import round_half_up
from hub.organisation.models import Branch, Employee, Region, RoleGrant, left_by
from hub.organisation.roles import Role
from hub.sessions.models import Session

HUNDRED = Decimal(100)
ONE_DECIMAL = Decimal("0.1")
SIGNUP_BASELINE = Decimal(15)  # the brief: trainer sign-up rate "under 15 %" before
SIGNUP_TARGET = Decimal(45)  # the brief: the programme's target
TREND_QUARTERS = 8
RETENTION_LOOKBACK_DAYS = 730  # hiring cohorts considered for "latest"

# ?sort= values: the branch by code ascending, every figure descending (best first).
SORTS = (
    "branch",
    "staff",
    "coverage",
    "sessions",
    "hours",
    "satisfaction",
    "retention",
    "trainers",
    "signup",
)
DEFAULT_SORT = "satisfaction"


def percent(part: int, whole: int) -> Decimal | None:
    """part ÷ whole x 100, half-up to 1 decimal; None without a whole."""
    return round_half_up(Decimal(part) * HUNDRED / Decimal(whole), ONE_DECIMAL) if whole else None


def _satisfaction(count: int, total) -> SatisfactionFigure:
    if not count or total is None:
        return SatisfactionFigure(count=count or 0, mean=None)
    return SatisfactionFigure(count=count, mean=round_half_up(Decimal(str(total)) / count))


@dataclass(frozen=True)
class OverviewRow:
    """One branch's figures (or the company's, ``branch`` None) with their inputs."""

    branch: Branch | None
    staff: int = 0
    trainers: int = 0
    coverage_staff: int = 0
    coverage_trained: int = 0
    sessions: int = 0
    credited_minutes: int = 0
    responses: int = 0
    satisfaction_total: Decimal | None = None
    retention_cohort: dt.date | None = None
    retention_eligible: int = 0
    retention_retained: int = 0
    rank: int | None = None

    @property
    def signup_rate(self) -> Decimal | None:
        return percent(self.trainers, self.staff)

    @property
    def coverage(self) -> Decimal | None:
        return percent(self.coverage_trained, self.coverage_staff)

    @property
    def hours(self) -> Decimal:
        return round_half_up(Decimal(self.credited_minutes) / 60, ONE_DECIMAL)

    @property
    def satisfaction(self) -> SatisfactionFigure:
        return _satisfaction(self.responses, self.satisfaction_total)

    @property
    def shown_satisfaction(self) -> Decimal | None:
        figure = self.satisfaction
        return figure.mean if figure.enough else None

    @property
    def retention(self) -> Decimal | None:
        return percent(self.retention_retained, self.retention_eligible)

    def sort_value(self, key: str):
        return {
            "branch": self.branch.code if self.branch else "",
            "staff": self.staff,
            "coverage": self.coverage,
            "sessions": self.sessions,
            "hours": self.hours,
            "satisfaction": self.shown_satisfaction,
            "retention": self.retention,
            "trainers": self.trainers,
            "signup": self.signup_rate,
        }[key]


@dataclass(frozen=True)
class TrendPoint:
    period: Period
    staff: int
    trainers: int

    @property
    def rate(self) -> Decimal | None:
        return percent(self.trainers, self.staff)


@dataclass(frozen=True)
class Overview:
    period: Period
    as_of: dt.date
    sort: str
    region: Region | None
    regions: tuple[Region, ...]
    rows: tuple[OverviewRow, ...]
    total: OverviewRow
    trend: tuple[TrendPoint, ...] = field(default_factory=tuple)
    signup_baseline: Decimal = SIGNUP_BASELINE
    signup_target: Decimal = SIGNUP_TARGET


def parse_sort(value: str | None) -> str:
    """A valid ``?sort=`` key (anything else: the default, satisfaction)."""
    value = (value or "").strip().lower()
    return value if value in SORTS else DEFAULT_SORT


def ranked(rows: list[OverviewRow], sort: str) -> list[OverviewRow]:
    """``rows`` ordered by ``sort`` (the branch code ascending; every figure descending, an
    unknown figure last, ties by code) with a competition rank (1, 2, 2, 4); rows whose
    figure is unknown get no rank."""

    def key(row: OverviewRow):
        value = row.sort_value(sort)
        code = row.branch.code if row.branch else ""
        if sort == "branch":
            return (0, value, code)
        return (value is None, -(value or 0), code)

    ordered = sorted(rows, key=key)
    result, previous, rank = [], object(), 0
    for position, row in enumerate(ordered, start=1):
        value = row.sort_value(sort)
        if value is None:
            result.append(replace(row, rank=None))
            continue
        if value != previous:
            rank, previous = position, value
        result.append(replace(row, rank=rank))
    return result


def _staff_on(day: dt.date) -> Q:
    return Q(hire_date__lte=day) & ~left_by(day)


def _after(day: dt.date) -> dt.datetime:
    """The start of the day after ``day`` (local time)."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _trainer_grant(before: dt.datetime):
    """The employee holds a trainer role granted before ``before``."""
    return Exists(
        RoleGrant.objects.filter(employee=OuterRef("pk"), role=Role.TRAINER, granted_at__lt=before)
    )


def _quarters_to(period: Period, count: int) -> list[Period]:
    last = quarter_of(period.end)
    quarters = [last]
    while len(quarters) < count:
        previous_end = quarters[0].start - dt.timedelta(days=1)
        quarters.insert(0, quarter_of(previous_end))
    return quarters


def signup_trend(*, branch_ids: list[int], period: Period, as_of: dt.date) -> list[TrendPoint]:
    """Company trainer sign-up rate at each of the ``TREND_QUARTERS`` quarter ends up to
    ``period``'s (the last one at ``as_of`` when the quarter is still running). Two queries:
    staff counted over employees, trainers over the trainer role grants (a few thousand rows,
    not a subquery per employee and quarter)."""
    quarters = _quarters_to(period, TREND_QUARTERS)
    staff, trainers = {}, {}
    for index, q in enumerate(quarters):
        day = min(q.end, as_of)
        staff[f"staff_{index}"] = Count("pk", filter=_staff_on(day))
        trainers[f"trainers_{index}"] = Count(
            "pk",
            filter=Q(granted_at__lt=_after(day), employee__hire_date__lte=day)
            & ~left_by(day, "employee__"),
        )
    totals = Employee.objects.filter(branch_id__in=branch_ids).aggregate(**staff)
    totals |= RoleGrant.objects.filter(
        role=Role.TRAINER, employee__branch_id__in=branch_ids
    ).aggregate(**trainers)
    return [
        TrendPoint(
            period=q, staff=totals[f"staff_{index}"] or 0, trainers=totals[f"trainers_{index}"] or 0
        )
        for index, q in enumerate(quarters)
    ]


def hq_overview(
    *,
    period: Period,
    sort: str = DEFAULT_SORT,
    region: str | None = None,
    today: dt.date | None = None,
) -> Overview:
    """Every non-HQ branch (of ``region``, a region code, when given) side by side for
    ``period``, ordered and ranked by ``sort``, with the company row and the sign-up trend.
    Eight queries whatever the number of branches."""
    today = today or timezone.localdate()
    as_of = min(period.end, today)
    sort = parse_sort(sort)
    regions = tuple(Region.objects.order_by("code"))
    chosen = next((r for r in regions if r.code == region), None)
    branches_qs = Branch.objects.filter(is_hq=False).select_related("region").order_by("code")
    if chosen is not None:
        branches_qs = branches_qs.filter(region=chosen)
    branches = list(branches_qs)
    ids = [b.pk for b in branches]
    if not ids:
        empty = OverviewRow(branch=None)
        return Overview(period, as_of, sort, chosen, regions, (), empty, ())
    first, after = period.bounds()

    staff = {
        row["branch_id"]: row
        for row in Employee.objects.filter(_staff_on(as_of), branch_id__in=ids)
        .values("branch_id")
        .annotate(staff=Count("pk"), trainers=Count("pk", filter=Q(_trainer_grant(_after(as_of)))))
        .order_by()
    }
    coverage = {
        row["branch_id"]: row
        for row in training_coverage(start=period.start, end=period.end, branch_ids=ids)
    }
    delivered = {
        row["branch_id"]: row
        for row in Session.objects.filter(
            branch_id__in=ids,
            status=Session.Status.ENDED,
            starts_at__gte=first,
            starts_at__lt=after,
        )
        .with_credit()
        .values("branch_id")
        .annotate(sessions=Count("pk"), minutes=Sum("credited_minutes"))
        .order_by()
    }
    satisfaction = {
        row["branch"]: row
        for row in SurveyResponse.objects.filter(
            satisfaction__isnull=False,
            survey__session__branch_id__in=ids,
            survey__session__status=Session.Status.ENDED,
            survey__session__starts_at__gte=first,
            survey__session__starts_at__lt=after,
        )
        .values(branch=F("survey__session__branch_id"))
        .annotate(count=Count("pk"), total=Sum("satisfaction"))
        .order_by()
    }
    retention: dict[int, dict] = {}
    for row in retention_cohorts(
        as_of=as_of,
        start=as_of - dt.timedelta(days=RETENTION_LOOKBACK_DAYS),
        end=as_of,
        cohort="month",
        branch_ids=ids,
    ):
        if row["eligible"]:
            retention[row["branch_id"]] = row  # ascending by cohort: the last is the latest

    rows = []
    for branch in branches:
        s = staff.get(branch.pk, {})
        c = coverage.get(branch.pk, {})
        d = delivered.get(branch.pk, {})
        f = satisfaction.get(branch.pk, {})
        r = retention.get(branch.pk, {})
        rows.append(
            OverviewRow(
                branch=branch,
                staff=s.get("staff", 0),
                trainers=s.get("trainers", 0),
                coverage_staff=c.get("staff", 0),
                coverage_trained=c.get("trained", 0),
                sessions=d.get("sessions", 0),
                credited_minutes=d.get("minutes") or 0,
                responses=f.get("count", 0),
                satisfaction_total=f.get("total"),
                retention_cohort=r.get("cohort"),
                retention_eligible=r.get("eligible", 0),
                retention_retained=r.get("retained", 0),
            )
        )
    return Overview(
        period=period,
        as_of=as_of,
        sort=sort,
        region=chosen,
        regions=regions,
        rows=tuple(ranked(rows, sort)),
        total=company_row(rows),
        trend=tuple(signup_trend(branch_ids=ids, period=period, as_of=as_of)),
    )


def company_row(rows: list[OverviewRow]) -> OverviewRow:
    """The company's figures: the branches' inputs summed (rates are Σ parts ÷ Σ wholes). Its
    retention is each branch's latest cohort pooled."""
    totals = [r.satisfaction_total for r in rows if r.satisfaction_total is not None]
    return OverviewRow(
        branch=None,
        staff=sum(r.staff for r in rows),
        trainers=sum(r.trainers for r in rows),
        coverage_staff=sum(r.coverage_staff for r in rows),
        coverage_trained=sum(r.coverage_trained for r in rows),
        sessions=sum(r.sessions for r in rows),
        credited_minutes=sum(r.credited_minutes for r in rows),
        responses=sum(r.responses for r in rows),
        satisfaction_total=sum(totals, Decimal(0)) if totals else None,
        retention_eligible=sum(r.retention_eligible for r in rows),
        retention_retained=sum(r.retention_retained for r in rows),
    )
