"""Reads of return on training: the figure of each session, and of a course, a need and a
branch (sums of their sessions). Keyword-only; the arithmetic is in ``evaluation.roi.rules``.

``roi_by_session`` reads the sessions with everything their cost and benefit need in a fixed
number of queries (sessions with their costs, counts and linked metric; the settings history;
the metrics) plus the lift figures of ``evaluation.metrics.selectors.lift_by_session``, which
is still per session.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import get_language, gettext

from evaluation.metrics.models import MetricDefinition, NeedMetric
from evaluation.metrics.rules import DEFAULT_WINDOW_DAYS
from evaluation.metrics.selectors import lift_by_session
from evaluation.roi import rules
from evaluation.roi.models import MetricBenefitBasis, RoiSettings
from evaluation.roi.rules import RoiFigure
from hub.needs.models import TrainingNeed
from hub.organisation.models import Employee, Team
from hub.sessions.models import Attendance, Enrolment, Session

ATTENDED = [Attendance.Status.PRESENT, Attendance.Status.LATE, Attendance.Status.PARTIAL]


def settings_history() -> list[RoiSettings]:
    """Every settings row, oldest first (a handful of rows). One query."""
    return list(RoiSettings.objects.order_by("effective_from"))


def settings_on(history: list[RoiSettings], day: dt.date) -> RoiSettings | None:
    """The row in force on ``day``: the latest one effective on or before it; a day before
    the first row uses the first row; no row → None."""
    if not history:
        return None
    index = bisect.bisect_right([row.effective_from for row in history], day)
    return history[max(index - 1, 0)]


def current_settings() -> RoiSettings | None:
    return RoiSettings.objects.order_by("-effective_from").first()


def metrics_with_basis() -> QuerySet[MetricDefinition]:
    """Outcome metrics with their benefit basis joined (the settings page's list)."""
    return MetricDefinition.objects.select_related("benefit_basis").order_by("code")


def _count(qs: QuerySet, key: str) -> Coalesce:
    counted = qs.order_by().values(key).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _sessions_with_inputs(ids) -> list[Session]:
    """The sessions with their cost row, trainers, attendees, the linked need's metric and
    branch (that of ``evaluation.metrics.selectors.session_metric``: the first need by id
    with a metric) and the branch's headcount and teams on the session's day. One query."""
    link = NeedMetric.objects.filter(need__sessions=OuterRef("pk")).order_by("need_id")
    staff = Employee.objects.filter(
        branch_id=OuterRef("link_branch"), hire_date__lte=OuterRef("day")
    ).filter(Q(leave_date__isnull=True) | Q(leave_date__gt=OuterRef("day")))
    attendees = Enrolment.objects.filter(
        session_id=OuterRef("pk"), status=Enrolment.Status.ENROLLED
    ).filter(Q(attendance__status__in=ATTENDED) | Q(attendance__completed=True))
    return list(
        Session.objects.filter(pk__in=ids)
        .annotate(
            day=TruncDate("starts_at"),
            link_need=Subquery(link.values("need_id")[:1]),
            link_metric=Subquery(link.values("metric_id")[:1]),
            link_branch=Subquery(link.values("need__branch_id")[:1]),
        )
        .annotate(
            trainer_count=_count(
                Session.trainers.through.objects.filter(session_id=OuterRef("pk")), "session_id"
            ),
            attendee_count=_count(attendees, "session_id"),
            headcount=_count(staff, "branch_id"),
            team_count=_count(Team.objects.filter(branch_id=OuterRef("link_branch")), "branch_id"),
            need_sessions=_count(
                TrainingNeed.sessions.through.objects.filter(
                    trainingneed_id=OuterRef("link_need"), session__status=Session.Status.ENDED
                ),
                "trainingneed_id",
            ),
        )
        .select_related("roi_cost")
        .order_by("starts_at", "pk")
    )


def _metric_name(metric: MetricDefinition) -> str:
    english = (get_language() or "").startswith("en")
    return metric.name_en if english and metric.name_en else metric.name_zh


def _units(metric: MetricDefinition, basis: MetricBenefitBasis | None, session) -> tuple:
    if basis is not None and basis.affected_volume is not None:
        label = basis.volume_note or gettext("affected volume set by HQ")
        return basis.affected_volume, label
    units = rules.default_units(
        level=metric.level, headcount=session.headcount, teams=session.team_count
    )
    labels = {
        rules.EMPLOYEE: gettext("headcount of the branch on the session's day"),
        rules.TEAM: gettext("teams of the branch"),
        rules.BRANCH: gettext("the branch (per-branch metric)"),
    }
    return units, labels.get(metric.level, labels[rules.BRANCH])


def _figure(session: Session, *, settings, metric, lift) -> RoiFigure:
    reasons: list = []
    assumptions: list[str] = []
    if session.status != Session.Status.ENDED:
        reasons.append(rules.REASON_NOT_ENDED)
    cost_row = getattr(session, "roi_cost", None)
    if settings is None:
        reasons.append(rules.REASON_NO_SETTINGS)
    if cost_row is None:
        reasons.append(rules.REASON_NO_SESSION_COST)
    if session.delivered_minutes is None and session.status == Session.Status.ENDED:
        reasons.append(rules.REASON_NO_DELIVERED)
    cost = None
    if settings is not None and cost_row is not None and session.delivered_minutes is not None:
        inputs = {
            "delivered_minutes": session.delivered_minutes,
            "trainers": session.trainer_count,
            "attendees": session.attendee_count,
            "trainer_hourly_cost": settings.trainer_hourly_cost,
            "learner_hourly_cost": settings.learner_hourly_cost,
        }
        cost = rules.session_cost(**inputs, venue=cost_row.venue, materials=cost_row.materials)
        assumptions += rules.cost_assumptions(
            cost, **inputs, effective_from=settings.effective_from
        )
    basis = None
    if metric is None:
        reasons.append(rules.REASON_NO_METRIC)
    else:
        if metric.value_per_unit is None:
            reasons.append(rules.REASON_NO_VALUE_PER_UNIT)
        measured = lift is not None and lift.before is not None and lift.after is not None
        if lift is None:
            reasons.append(rules.REASON_LIFT_PENDING)
        elif not measured:
            reasons.append(lift.reason)
        benefit_basis = getattr(metric, "benefit_basis", None)
        units, units_label = _units(metric, benefit_basis, session)
        if not units:
            reasons.append(rules.REASON_NO_UNITS)
        if measured and units and metric.value_per_unit is not None and settings is not None:
            recurrence = benefit_basis.recurrence if benefit_basis else rules.MONTHLY
            basis = rules.BenefitBasis(
                metric_name=_metric_name(metric),
                unit=metric.unit,
                higher_is_better=metric.higher_is_better,
                before=lift.before,
                after=lift.after,
                value_per_unit=metric.value_per_unit,
                units=units,
                units_label=units_label,
                recurrence=recurrence,
                periods=rules.benefit_periods(recurrence, settings.horizon_months),
            )
    if basis is not None and session.need_sessions > 1:
        assumptions.append(
            gettext(
                "The need has %(count)s ended sessions, each measured on the same metric: "
                "in the need's, course's and branch's totals its benefit counts once"
            )
            % {"count": session.need_sessions}
        )
    return rules.session_figure(
        cost=cost,
        basis=basis,
        horizon_months=settings.horizon_months if settings is not None else None,
        reasons=reasons,
        assumptions=assumptions,
        need_id=session.link_need,
        branch_id=session.link_branch or session.branch_id,
        day=session.day,
    )


def roi_by_session(*, sessions, days: int = DEFAULT_WINDOW_DAYS) -> dict[int, RoiFigure]:
    """Session id → ``RoiFigure`` for each of ``sessions`` (objects, ids or a queryset): the
    cost breakdown, the benefit and its basis, the ratio, ROI % and payback, the assumptions
    in words, and — when an input is missing — the reasons it is not computable.

    Learner hours count the session's *attendees* (enrolled learners recorded present, late
    or partial, or completed): the time of everyone who sat in it was spent, completer or
    not. The benefit is measured at the branch of the session's need (its lift's branch);
    ``figure.branch_id`` is that branch, else the session's own.

    Four queries plus ``lift_by_session`` for the ended sessions with a linked metric."""
    if isinstance(sessions, QuerySet):
        ids = list(sessions.values_list("pk", flat=True))
    else:
        ids = [getattr(s, "pk", s) for s in sessions]
    if not ids:
        return {}
    rows = _sessions_with_inputs(ids)
    history = settings_history()
    metric_ids = {s.link_metric for s in rows if s.link_metric is not None}
    metrics = {m.pk: m for m in metrics_with_basis().filter(pk__in=metric_ids)}
    measured = [s for s in rows if s.link_metric is not None and s.status == Session.Status.ENDED]
    lifts = lift_by_session(sessions=measured, days=days) if measured else {}
    return {
        s.pk: _figure(
            s,
            settings=settings_on(history, s.day),
            metric=metrics.get(s.link_metric),
            lift=lifts.get(s.pk),
        )
        for s in rows
    }


# --- groups --------------------------------------------------------------------------------


def _ended(qs: QuerySet[Session], start: dt.datetime | None, end: dt.datetime | None):
    qs = qs.filter(status=Session.Status.ENDED)
    if start is not None:
        qs = qs.filter(starts_at__gte=start)
    if end is not None:
        qs = qs.filter(starts_at__lt=end)
    return qs


def roi_of_sessions(*, sessions, days: int = DEFAULT_WINDOW_DAYS) -> RoiFigure:
    """One figure for a group of sessions (``rules.group_figure``: costs summed, a need's
    benefit counted once). Only sessions with a linked metric can have a return, so only
    theirs are built; the others are counted (a course's thousands of sessions cost two
    queries, not a figure each)."""
    qs = (
        sessions
        if isinstance(sessions, QuerySet)
        else Session.objects.filter(pk__in=[getattr(s, "pk", s) for s in sessions])
    )
    linked = qs.filter(Exists(NeedMetric.objects.filter(need__sessions=OuterRef("pk"))))
    figures = roi_by_session(sessions=linked, days=days).values()
    return rules.group_figure(figures, unlinked=qs.count() - len(figures))


def roi_by_course(
    *,
    course,
    sessions: QuerySet[Session] | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> RoiFigure:
    """The course's ended sessions (narrowed to ``sessions``, e.g. those the viewer may see)."""
    qs = (Session.objects.all() if sessions is None else sessions).filter(course=course)
    return roi_of_sessions(sessions=_ended(qs, start, end))


def roi_by_need(*, need) -> RoiFigure:
    """The need's ended sessions: their costs, and its metric's benefit counted once."""
    return roi_of_sessions(sessions=_ended(Session.objects.filter(training_needs=need), None, None))


def roi_by_needs(*, needs) -> dict[int, RoiFigure]:
    """Need id → the figure of its ended sessions (as ``roi_by_need``) for each of ``needs``
    with one, all at once: a session counts for the need it is attributed to (its first need
    with a metric, as its lift). Five queries however many needs."""
    ids = [getattr(n, "pk", n) for n in needs]
    if not ids:
        return {}
    sessions = _ended(
        Session.objects.filter(
            pk__in=TrainingNeed.sessions.through.objects.filter(trainingneed_id__in=ids).values(
                "session_id"
            )
        ),
        None,
        None,
    )
    grouped: dict[int, list[RoiFigure]] = defaultdict(list)
    for figure in roi_by_session(sessions=sessions).values():
        if figure.need_id in ids:
            grouped[figure.need_id].append(figure)
    return {pk: rules.group_figure(group) for pk, group in grouped.items()}


def branch_sessions(*, branch_ids) -> QuerySet[Session]:
    """Sessions of the branches: held for them, or delivering one of their needs."""
    ids = list(branch_ids)
    return Session.objects.filter(
        pk__in=Session.objects.filter(
            Q(branch_id__in=ids) | Q(training_needs__branch_id__in=ids)
        ).values("pk")
    )


def roi_by_branches(
    *, branch_ids, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> dict[int, RoiFigure]:
    """Branch id → the figure of its ended sessions in [start, end). A session counts for the
    branch its benefit is measured at (its need's branch), else for its own branch. Branches
    without a session are absent."""
    ids = set(branch_ids)
    ended = _ended(branch_sessions(branch_ids=ids), start, end)
    linked = ended.filter(Exists(NeedMetric.objects.filter(need__sessions=OuterRef("pk"))))
    figures = roi_by_session(sessions=linked)
    # Sessions without a linked metric never have a return: counted per branch, not built.
    unlinked = dict(
        ended.exclude(pk__in=linked.values("pk"))
        .values("branch_id")
        .annotate(n=Count("pk"))
        .values_list("branch_id", "n")
    )
    grouped: dict[int, list[RoiFigure]] = defaultdict(list)
    for figure in figures.values():
        if figure.branch_id in ids:
            grouped[figure.branch_id].append(figure)
    return {
        pk: rules.group_figure(grouped.get(pk, []), unlinked=unlinked.get(pk, 0))
        for pk in set(grouped) | {pk for pk in unlinked if pk in ids}
    }


def roi_by_branch(
    *, branch, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> RoiFigure:
    figure = roi_by_branches(branch_ids=[branch.pk], start=start, end=end).get(branch.pk)
    return figure if figure is not None else rules.group_figure([])
