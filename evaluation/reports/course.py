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

Each figure is one batched query over the sessions, except lift (``lift_by_session`` is per
session until its batched version lands).
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
    rows: list[CourseSessionRow], satisfaction: dict[int, SatisfactionFigure]
) -> tuple[TrainerRow, ...]:
    # Over the report's session rows (already loaded), not over responses or grades.
    taught: dict[int, list[CourseSessionRow]] = defaultdict(list)
    people: dict[int, Employee] = {}
    for row in rows:
        for trainer in row.trainers:
            taught[trainer.pk].append(row)
            people[trainer.pk] = trainer
    result = []
    for pk, their in taught.items():
        lifts = [r.lift.lift for r in their if r.lift is not None and r.lift.measured]
        result.append(
            TrainerRow(
                trainer=people[pk],
                sessions=len(their),
                satisfaction=satisfaction.get(pk),
                lift_mean=mean(lifts),
                lift_sessions=len(lifts),
            )
        )
    result.sort(key=lambda t: (t.trainer.name_pinyin, t.trainer.employee_no))
    return tuple(result)


def course_report(*, course: CoursePage, sessions: QuerySet[Session]) -> CourseReport:
    """The report of ``course`` over ``sessions`` (the course's sessions the viewer may see,
    e.g. ``access.report_sessions(user).filter(course=course)``); cancelled ones are left
    out. Sessions oldest first."""
    sessions = sessions.exclude(status=Session.Status.CANCELLED)
    listed = list(
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
        .order_by("starts_at", "pk")
    )
    by_session = satisfaction_by_session(sessions=sessions)
    learning = _learning(sessions)
    lifts = lift_by_session(sessions=listed)
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
    return CourseReport(
        course=course,
        rows=tuple(rows),
        trainers=_trainer_rows(rows, satisfaction_by_trainer(sessions=sessions)),
        satisfaction=satisfaction_pooled(sessions=sessions),
        metrics=metrics,
    )
