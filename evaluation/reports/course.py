"""The course report's figures: the course's sessions (those the viewer may see; cancelled
ones left out), each with its responses, session satisfaction, L2 mean and lift; the
course's pooled satisfaction; one row per trainer.

- **Session satisfaction** per row: shown only with ≥ 3 scored responses (PRODUCT.md).
- **Course satisfaction**: the mean of *all* scored responses to those sessions (pooled, not
  a mean of session means), shown only with ≥ 3.
- **L2 mean** per session: the mean over its grades of score ÷ the assignment's maximum score
  x 100 (so assignments with different maxima are comparable).
- **Per trainer**: sessions taught among these, pooled satisfaction of their responses (a
  co-trained session counts in full for each trainer), the mean of their sessions' measured
  lifts.

Each figure is one batched query over the sessions (lift reads the stored snapshots). A page
lists the latest ``limit`` sessions and the ``trainer_limit`` trainers with the most sessions
(the pooled figures cover them all; the export lists all), so its cost does not grow with a
course's history.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, F, FloatField, Prefetch, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from evaluation.metrics.models import MetricDefinition
from evaluation.metrics.rules import LiftFigure, mean
from evaluation.models import Grade
from evaluation.reports.session import ONE_DECIMAL
from evaluation.selectors import (
    SatisfactionFigure,
    lift_by_session,
    satisfaction_by_session,
    satisfaction_by_trainer,
    satisfaction_pooled,
)
from evaluation.surveys.rules import round_half_up
from hub.organisation.models import Employee
from hub.sessions.models import Session
from library.models import CoursePage


@dataclass(frozen=True)
class LearningFigure:
    """A session's graded work: how many grades, their mean share of the maximum (percent)."""

    graded: int
    mean_share: Decimal | None


@dataclass(frozen=True)
class CourseSessionRow:
    session: Session
    trainers: tuple[Employee, ...]
    responses: int
    satisfaction: SatisfactionFigure | None
    learning: LearningFigure | None
    lift: LiftFigure | None

    @property
    def shown_satisfaction(self) -> Decimal | None:
        figure = self.satisfaction
        return figure.mean if figure is not None and figure.enough else None


@dataclass(frozen=True)
class TrainerRow:
    trainer: Employee
    sessions: int
    satisfaction: SatisfactionFigure | None
    lift_mean: Decimal | None
    lift_sessions: int

    @property
    def shown_satisfaction(self) -> Decimal | None:
        figure = self.satisfaction
        return figure.mean if figure is not None and figure.enough else None

    @property
    def lift_display(self) -> Decimal | None:
        return None if self.lift_mean is None else round_half_up(self.lift_mean, ONE_DECIMAL)


@dataclass(frozen=True)
class CourseReport:
    course: CoursePage
    rows: tuple[CourseSessionRow, ...]
    trainers: tuple[TrainerRow, ...]
    satisfaction: SatisfactionFigure
    metrics: dict[str, MetricDefinition]
    total_sessions: int = 0
    total_trainers: int = 0

    @property
    def sessions_left_out(self) -> int:
        return self.total_sessions - len(self.rows)

    @property
    def trainers_left_out(self) -> int:
        return self.total_trainers - len(self.trainers)

    @property
    def shown_satisfaction(self) -> Decimal | None:
        return self.satisfaction.mean if self.satisfaction.enough else None

    def satisfaction_chart(self, label: str) -> dict:
        """The line chart of session satisfaction over time (charts.js spec): one point per
        session in date order, a gap where fewer than 3 responses."""
        return {
            "type": "line",
            "labels": [timezone.localdate(r.session.starts_at).isoformat() for r in self.rows],
            "datasets": [
                {
                    "label": label,
                    "data": [
                        None if r.shown_satisfaction is None else float(r.shown_satisfaction)
                        for r in self.rows
                    ],
                }
            ],
            "y": {"min": 0, "max": 100},
        }


def _learning(sessions: QuerySet[Session]) -> dict[int, LearningFigure]:
    share = Cast("score", FloatField()) * 100.0 / F("assignment__max_score")
    rows = (
        Grade.objects.filter(assignment__session__in=sessions.values("pk"))
        .values("assignment__session_id")
        .annotate(graded=Count("pk"), mean=Avg(share, output_field=FloatField()))
        .order_by()
    )
    return {
        r["assignment__session_id"]: LearningFigure(
            graded=r["graded"],
            mean_share=None
            if r["mean"] is None
            else round_half_up(Decimal(str(r["mean"])), ONE_DECIMAL),
        )
        for r in rows
    }


def _trainer_rows(
    sessions: QuerySet[Session],
    satisfaction: dict[int, SatisfactionFigure],
    lifts: dict[int, LiftFigure],
    limit: int | None,
) -> tuple[tuple[TrainerRow, ...], int]:
    """The trainers of ``sessions`` with the most sessions first (at most ``limit``), each
    with their session count, pooled satisfaction and the mean of their sessions' measured
    lifts; and how many trainers there are in all. Three queries."""
    through = Session.trainers.through.objects.filter(session_id__in=sessions.values("pk"))
    counts = list(
        through.values("employee_id")
        .annotate(n=Count("session_id"))
        .order_by("-n", "employee_id")
        .values_list("employee_id", "n")
    )
    shown = counts if limit is None else counts[:limit]
    people = Employee.objects.select_related("branch").in_bulk([pk for pk, _n in shown])
    measured = {pk: f.lift for pk, f in lifts.items() if f.measured}
    lifts_of: dict[int, list[Decimal]] = defaultdict(list)
    if measured:
        for session_id, employee_id in through.filter(session_id__in=list(measured)).values_list(
            "session_id", "employee_id"
        ):
            lifts_of[employee_id].append(measured[session_id])
    result = [
        TrainerRow(
            trainer=people[pk],
            sessions=n,
            satisfaction=satisfaction.get(pk),
            lift_mean=mean(lifts_of[pk]),
            lift_sessions=len(lifts_of[pk]),
        )
        for pk, n in shown
        if pk in people
    ]
    result.sort(key=lambda t: (t.trainer.name_pinyin, t.trainer.employee_no))
    return tuple(result), len(counts)


def course_report(
    *,
    course: CoursePage,
    sessions: QuerySet[Session],
    limit: int | None = None,
    trainer_limit: int | None = None,
) -> CourseReport:
    """The report of ``course`` over ``sessions`` (the course's sessions the viewer may see,
    e.g. ``access.report_sessions(user).filter(course=course)``); cancelled ones are left
    out. Rows: the latest ``limit`` sessions (all without a limit), oldest first."""
    sessions = sessions.exclude(status=Session.Status.CANCELLED)
    latest = (
        sessions.annotate(responses=Count("survey__responses"))
        .select_related("branch")
        .prefetch_related(
            Prefetch(
                "trainers",
                queryset=Employee.objects.select_related("branch").order_by(
                    "name_pinyin", "employee_no"
                ),
            )
        )
        .order_by("-starts_at", "-pk")
    )
    listed = list(latest if limit is None else latest[:limit])[::-1]
    ids = [s.pk for s in listed]
    by_session = satisfaction_by_session(sessions=ids)
    learning = _learning(Session.objects.filter(pk__in=ids))
    lifts = lift_by_session(sessions=sessions)
    codes = {f.metric_code for f in lifts.values() if f.metric_code}
    metrics = {m.code: m for m in MetricDefinition.objects.filter(code__in=codes)} if codes else {}
    rows = [
        CourseSessionRow(
            session=s,
            trainers=tuple(s.trainers.all()),
            responses=s.responses,
            satisfaction=by_session.get(s.pk),
            learning=learning.get(s.pk),
            lift=lifts.get(s.pk),
        )
        for s in listed
    ]
    trainers, total_trainers = _trainer_rows(
        sessions, satisfaction_by_trainer(sessions=sessions), lifts, trainer_limit
    )
    return CourseReport(
        course=course,
        rows=tuple(rows),
        trainers=trainers,
        satisfaction=satisfaction_pooled(sessions=sessions),
        metrics=metrics,
        total_sessions=sessions.count() if limit is not None else len(rows),
        total_trainers=total_trainers,
    )
