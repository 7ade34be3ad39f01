"""Reads of outcome metrics: computed metrics (retention, coverage) and lift, as SQL aggregates.

Every selector is keyword-only. Percentages are ``Decimal`` percent (85 = 85 %).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce, TruncMonth, TruncQuarter
from django.utils import timezone

from evaluation.metrics import rules
from evaluation.metrics.models import MetricDefinition, MetricValue, NeedMetric, SessionLift
from evaluation.metrics.rules import LiftFigure, Windows
from hub.organisation.models import Branch, Employee
from hub.sessions.models import Enrolment, Session, completed_enrolment_q

COHORT_TRUNC = {"month": TruncMonth, "quarter": TruncQuarter}


def _percent(part: int, whole: int) -> Decimal | None:
    return Decimal(part) * 100 / Decimal(whole) if whole else None


def _day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """``[start 00:00, end + 1 day 00:00)`` in the local time zone."""
    first = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    after = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    return first, after


def metric_values(*, metric: MetricDefinition | None = None) -> QuerySet[MetricValue]:
    """Values with their metric and scope joined, newest period first (scope it with
    ``.visible_to(user)``)."""
    qs = MetricValue.objects.select_related("metric", "branch", "team__branch", "employee__branch")
    if metric is not None:
        qs = qs.filter(metric=metric)
    return qs.order_by("-period_start", "metric__code", "pk")


def metric_definitions() -> QuerySet[MetricDefinition]:
    return MetricDefinition.objects.order_by("code")


def retention_cohorts(
    *,
    as_of: dt.date,
    start: dt.date,
    end: dt.date,
    cohort: str = "month",
    branch_ids=None,
) -> list[dict]:
    """3-month new-hire retention per branch per hiring cohort (month or quarter).

    PRODUCT.md "Retention": "3-month new-hire retention for a cohort = hires in the window
    still employed 90 days after their hire date ÷ hires in the window whose 90 days have
    passed." A hire's 90 days have passed when hire_date + 90 ≤ ``as_of``; they were still
    employed on day 90 when they have no leave date or leave_date > hire_date + 90 (a leave
    date is the first day no longer employed). Hires in ``[start, end]``.

    One query. Rows: ``branch_id``, ``cohort`` (first day), ``hires``, ``eligible``,
    ``retained``, ``rate`` (percent, ``None`` while no hire of the cohort is eligible).
    """
    eligible = Q(hire_date__lte=as_of - dt.timedelta(days=rules.RETENTION_DAYS))
    stayed = Q(leave_date__isnull=True) | Q(tenure__gt=dt.timedelta(days=rules.RETENTION_DAYS))
    qs = Employee.objects.filter(hire_date__gte=start, hire_date__lte=end)
    if branch_ids is not None:
        qs = qs.filter(branch_id__in=list(branch_ids))
    rows = (
        qs.alias(
            tenure=ExpressionWrapper(F("leave_date") - F("hire_date"), output_field=DurationField())
        )
        .annotate(cohort=COHORT_TRUNC[cohort]("hire_date"))
        .values("branch_id", "cohort")
        .annotate(
            hires=Count("pk"),
            eligible=Count("pk", filter=eligible),
            retained=Count("pk", filter=eligible & stayed),
        )
        .order_by("branch_id", "cohort")
    )
    return [
        {
            **row,
            "cohort": _as_date(row["cohort"]),
            "rate": _percent(row["retained"], row["eligible"]),
        }
        for row in rows
    ]


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def training_coverage(*, start: dt.date, end: dt.date, branch_ids=None) -> list[dict]:
    """Training coverage per branch for the period ``[start, end]``.

    Coverage = staff of the branch employed during the period (hired on or before ``end``, not
    left before ``start``: leave_date > start) who completed ≥ 1 session that started in the
    period (the one completion rule, ``completed_enrolment_q``) ÷ those staff x 100.

    Two queries: the staff per branch, and the distinct trained staff per branch counted from
    the completed enrolments' side (a join, not a subquery per employee: a year of a large
    company's 1,000,000 enrolments in well under a second on PostgreSQL). Rows: ``branch_id``,
    ``staff``, ``trained``, ``rate`` (percent or ``None``); branches without staff are absent.
    """
    first, after = _day_bounds(start, end)
    employed = Q(hire_date__lte=end) & (Q(leave_date__isnull=True) | Q(leave_date__gt=start))
    staff_qs = Employee.objects.filter(employed)
    trained_qs = Enrolment.objects.filter(
        completed_enrolment_q(),
        session__starts_at__gte=first,
        session__starts_at__lt=after,
        learner__in=Employee.objects.filter(employed).values("pk"),
    )
    if branch_ids is not None:
        ids = list(branch_ids)
        staff_qs = staff_qs.filter(branch_id__in=ids)
        trained_qs = trained_qs.filter(learner__branch_id__in=ids)
    staff = dict(
        staff_qs.values("branch_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("branch_id", "n")
    )
    trained = dict(
        trained_qs.values("learner__branch_id")
        .annotate(n=Count("learner_id", distinct=True))
        .order_by()
        .values_list("learner__branch_id", "n")
    )
    return [
        {
            "branch_id": branch_id,
            "staff": count,
            "trained": trained.get(branch_id, 0),
            "rate": _percent(trained.get(branch_id, 0), count),
        }
        for branch_id, count in sorted(staff.items())
    ]


def window_means(
    *, metric: MetricDefinition, branch_ids, windows: Windows
) -> dict[int, tuple[Decimal | None, Decimal | None]]:
    """Branch id → (mean value before, mean value after) of ``metric`` over ``windows``
    (``rules.Windows``: a period ending in the days before the session day is *before*, one
    starting in the days after it is *after*). Team and employee values count for their
    branch (the mean of all of them). One query."""
    before = Q(period_end__gte=windows.before_start, period_end__lt=windows.day)
    after = Q(period_start__gt=windows.day, period_start__lte=windows.after_end)
    rows = (
        MetricValue.objects.filter(metric=metric)
        .filter(before | after)
        .annotate(scope_branch=Coalesce("branch_id", "team__branch_id", "employee__branch_id"))
        .filter(scope_branch__in=list(branch_ids))
        .values("scope_branch")
        .annotate(before=Avg("value", filter=before), after=Avg("value", filter=after))
    )
    return {row["scope_branch"]: (_decimal(row["before"]), _decimal(row["after"])) for row in rows}


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def session_metric(*, session: Session) -> NeedMetric | None:
    """The outcome metric linked to ``session``: that of its first need (by id) with one."""
    return (
        NeedMetric.objects.select_related("metric", "need")
        .filter(need__sessions=session)
        .order_by("need_id")
        .first()
    )


def session_day(session: Session) -> dt.date:
    return timezone.localdate(session.starts_at)


def trained_branch_ids(*, metric: MetricDefinition, windows: Windows) -> set[int]:
    """Branches with a need on ``metric`` whose (not cancelled) sessions started between the
    start of the before window and the end of the after window: they are not 'untrained'."""
    first, after = _day_bounds(windows.before_start, windows.after_end)
    return set(
        NeedMetric.objects.filter(
            metric=metric,
            need__sessions__starts_at__gte=first,
            need__sessions__starts_at__lt=after,
        )
        .exclude(need__sessions__status=Session.Status.CANCELLED)
        .values_list("need__branch_id", flat=True)
    )


def lift_for(
    *, metric: MetricDefinition, branch: Branch, day: dt.date, days: int = rules.DEFAULT_WINDOW_DAYS
) -> LiftFigure:
    """Plain and net lift of ``metric`` at ``branch`` around ``day``.

    PRODUCT.md: "Lift L (%) … = (after - before) / before x 100; for a lower-is-better metric
    (before - after) / before x 100." Before/after are the branch's mean values in the two
    windows (``rules.Windows``). The comparison group: the other branches of the same region
    (not HQ) untrained on this metric over the windows (``trained_branch_ids``) that have
    values in both windows; net lift = lift - their mean lift (difference in differences).
    Three queries.
    """
    windows = Windows(day=day, days=days)
    trained = trained_branch_ids(metric=metric, windows=windows) | {branch.pk}
    peers = set(
        Branch.objects.filter(region_id=branch.region_id, is_hq=False)
        .exclude(pk__in=trained)
        .values_list("pk", flat=True)
    )
    means = window_means(metric=metric, branch_ids=peers | {branch.pk}, windows=windows)
    return lift_from_means(
        metric=metric, branch_id=branch.pk, windows=windows, means=means, peers=peers
    )


def lift_from_means(
    *, metric: MetricDefinition, branch_id: int, windows: Windows, means: dict, peers
) -> LiftFigure:
    """The lift figure from the window means (branch id → (before, after), as
    ``window_means`` gives them): the branch's plain lift, the mean lift of ``peers`` that have
    both means, the net lift and the reason a figure is undefined. No query; the one place
    ``lift_for`` and the branch report's batched read turn means into a figure."""
    before, after = means.get(branch_id, (None, None))
    hib = metric.higher_is_better
    lift = rules.lift_percent(before, after, higher_is_better=hib)
    comparison = [
        rules.lift_percent(b, a, higher_is_better=hib)
        for pk, (b, a) in means.items()
        if pk in peers and b is not None and a is not None
    ]
    net, comparison_lift, units, small = rules.net_lift(lift, comparison)
    reason = ""
    if before is None:
        reason = "no_before"
    elif after is None:
        reason = "no_after"
    elif lift is None:
        reason = "zero_before"
    elif not units:
        reason = "no_comparison"
    return LiftFigure(
        lift=lift,
        before=before,
        after=after,
        metric_code=metric.code,
        higher_is_better=hib,
        windows=windows,
        branch_id=branch_id,
        comparison_lift=comparison_lift,
        net_lift=net,
        comparison_units=units,
        small_sample=small,
        sessions=1 if lift is not None else 0,
        reason=str(rules.REASONS[reason]) if reason else "",
        reason_code=reason,
    )


def session_lift(*, session: Session, days: int = rules.DEFAULT_WINDOW_DAYS) -> LiftFigure | None:
    """The lift of ``session`` on its linked outcome metric (its need's metric, at the need's
    branch), or ``None`` when no metric is linked.

    PRODUCT.md: "Lift L (%) for a session with a linked outcome metric = (after - before) /
    before x 100; for a lower-is-better metric (before - after) / before x 100." Before: the
    mean value in the ``days`` before the session's day; after: in the ``days`` after it
    (``rules.Windows``). ``figure.lift is None`` (with ``reason``) when not measurable yet or
    before = 0. The figure also carries the net lift against the comparison group.
    """
    link = session_metric(session=session)
    if link is None:
        return None
    return lift_for(
        metric=link.metric, branch=link.need.branch, day=session_day(session), days=days
    )


def _stored(text: str) -> Decimal | None:
    return Decimal(text) if text else None


def stored_lift(snapshot: SessionLift) -> LiftFigure:
    """The ``LiftFigure`` a ``SessionLift`` stored: equal to what ``lift_for`` gave when it
    was computed, with ``as_of`` = its ``computed_at`` and the reason in the current
    language. Needs ``snapshot.metric`` (select it with the row)."""
    lift = _stored(snapshot.lift)
    return LiftFigure(
        lift=lift,
        before=_stored(snapshot.before),
        after=_stored(snapshot.after),
        metric_code=snapshot.metric.code,
        higher_is_better=snapshot.metric.higher_is_better,
        windows=Windows(day=snapshot.day, days=snapshot.window_days),
        branch_id=snapshot.branch_id,
        comparison_lift=_stored(snapshot.comparison_lift),
        net_lift=_stored(snapshot.net_lift),
        comparison_units=snapshot.comparison_units,
        small_sample=snapshot.small_sample,
        sessions=1 if lift is not None else 0,
        reason=str(rules.REASONS[snapshot.reason]) if snapshot.reason else "",
        reason_code=snapshot.reason,
        as_of=snapshot.computed_at,
    )


def _session_ids(sessions):
    if isinstance(sessions, QuerySet):
        return sessions.values("pk")
    return [getattr(s, "pk", s) for s in sessions]


def lift_by_session(*, sessions, days: int = rules.DEFAULT_WINDOW_DAYS) -> dict[int, LiftFigure]:
    """Session id → the stored lift (``SessionLift``) of each of ``sessions`` (objects, ids
    or a queryset): the reports' batch read. One query.

    Stored lifts exist for *ended* sessions with a linked outcome metric, as of their last
    refresh (``figure.as_of``; ``services.refresh_session_lifts``): other sessions are
    absent. The figures equal ``session_lift`` at that time. Windows other than the default
    are not stored: for those each ended session's lift is computed now (about four queries
    a session)."""
    if days != rules.DEFAULT_WINDOW_DAYS:
        result = {}
        ended = Session.objects.filter(pk__in=_session_ids(sessions), status=Session.Status.ENDED)
        for session in ended.order_by("pk"):
            figure = session_lift(session=session, days=days)
            if figure is not None:
                result[session.pk] = figure
        return result
    rows = SessionLift.objects.filter(session_id__in=_session_ids(sessions)).select_related(
        "metric"
    )
    return {row.session_id: stored_lift(row) for row in rows}


def need_lift(*, need, days: int = rules.DEFAULT_WINDOW_DAYS) -> LiftFigure | None:
    """The measured lift of a training need: its outcome metric at its branch around its first
    ended session (``lift_for``), or ``None`` without a metric or an ended session."""
    link = NeedMetric.objects.select_related("metric").filter(need=need).first()
    session = need.sessions.filter(status=Session.Status.ENDED).order_by("starts_at").first()
    if link is None or session is None:
        return None
    return lift_for(metric=link.metric, branch=need.branch, day=session_day(session), days=days)


def trainer_lift(
    *, trainer: Employee, start: dt.date, end: dt.date, days: int = rules.DEFAULT_WINDOW_DAYS
) -> LiftFigure:
    """The lift of trainer ``trainer`` for the period ``[start, end]``.

    PRODUCT.md: "T's L = mean over T's sessions in P that have a measured lift. None → L
    unknown." T's sessions in P: status *ended*, T a trainer, started in the period. The
    figure's ``lift`` is that mean (``None`` = unknown), ``sessions`` how many were measured,
    ``net_lift`` the mean net lift of those with a comparison, ``as_of`` the oldest refresh
    of the stored session lifts it used.

    Reads the stored session lifts (``SessionLift``) in one query; windows other than the
    default are computed now, session by session.
    """
    first, after = _day_bounds(start, end)
    sessions = Session.objects.filter(
        trainers=trainer,
        status=Session.Status.ENDED,
        starts_at__gte=first,
        starts_at__lt=after,
    )
    if days == rules.DEFAULT_WINDOW_DAYS:
        rows = (
            SessionLift.objects.filter(session__in=sessions.values("pk"))
            .exclude(lift="")
            .select_related("metric")
            .order_by("session__starts_at", "session_id")
        )
        figures = {row.session_id: stored_lift(row) for row in rows}
    else:
        figures = {}
        for session in sessions.order_by("starts_at", "pk").distinct():
            figure = session_lift(session=session, days=days)
            if figure is not None and figure.lift is not None:
                figures[session.pk] = figure
    lifts = [f.lift for f in figures.values()]
    nets = [f.net_lift for f in figures.values() if f.net_lift is not None]
    units = min((f.comparison_units for f in figures.values()), default=0)
    return LiftFigure(
        lift=rules.mean(lifts),
        net_lift=rules.mean(nets),
        comparison_units=units,
        small_sample=units < rules.SMALL_SAMPLE,
        sessions=len(figures),
        session_ids=list(figures),
        reason="" if figures else str(rules.REASON_NO_AFTER),
        reason_code="" if figures else "no_after",
        as_of=min((f.as_of for f in figures.values() if f.as_of), default=None),
    )


def lift_by_branch(*, metric: MetricDefinition, branch_ids) -> dict[int, list[dict]]:
    """Branch id → its values of ``metric`` by period (``period_start``, ``value``), oldest
    first, for trend lines. One query."""
    result: dict[int, list[dict]] = defaultdict(list)
    rows = (
        MetricValue.objects.filter(metric=metric)
        .annotate(scope_branch=Coalesce("branch_id", "team__branch_id", "employee__branch_id"))
        .filter(scope_branch__in=list(branch_ids))
        .values("scope_branch", "period_start")
        .annotate(mean=Avg("value"))
        .order_by("scope_branch", "period_start")
    )
    for row in rows:
        result[row["scope_branch"]].append(
            {"period_start": row["period_start"], "value": _decimal(row["mean"])}
        )
    return dict(result)
