"""The trainer evaluation report: the inputs of trainer T's contribution score for a period.

PRODUCT.md "Inputs for trainer T in period P", stated exactly (a later issue computes C from
them):

- **H** = Σ delivered duration (h) of T's *ended* sessions in P; a co-trained session counts in
  full for each trainer; a session no learner completed counts 0 h (flagged), as does a
  cancelled one (``hub.sessions.selectors.teaching_hours``).
- **S** = mean satisfaction of *all* responses to T's ended sessions in P, pooled (not a mean
  of session means), no minimum count; no response → unknown
  (``evaluation.selectors.trainer_satisfaction``).
- **L** = mean lift over T's ended sessions in P with a measured lift; none → unknown.

"T's sessions in P" are the sessions T trains whose scheduled start lies in P (the period rule
of ``teaching_hours``). The sessions behind the figures are read in a fixed number of queries
(their lift through ``lift_by_session``, the stored snapshots: one query).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count

from evaluation.metrics import rules as metric_rules
from evaluation.reports.periods import Period
from evaluation.selectors import (
    LiftFigure,
    SatisfactionFigure,
    lift_by_session,
    satisfaction_by_session,
    trainer_satisfaction,
)
from evaluation.surveys.rules import round_half_up
from hub.organisation.models import Employee, RoleGrant
from hub.organisation.roles import Role
from hub.sessions.models import Session, completed_enrolment_q
from hub.sessions.selectors import teaching_hours

SIXTY = Decimal(60)


def hours(minutes: int | None) -> Decimal:
    """Minutes as hours, half-up to 2 decimals (a row of the sessions table)."""
    return round_half_up(Decimal(minutes or 0) / SIXTY)


@dataclass(frozen=True)
class TrainerSessionRow:
    """One of T's sessions in P with what it gives H, S and L.

    ``credited_minutes`` is what H counts (the delivered minutes of an ended session with a
    completer, else 0); ``satisfaction`` the session's scored responses (its mean may be shown
    only when ``enough``); ``lift`` its lift figure (None: no linked outcome metric)."""

    session_id: int
    title: str
    starts_at: dt.datetime
    status: str
    trainer_count: int
    delivered_minutes: int
    credited_minutes: int
    completers: int
    satisfaction: SatisfactionFigure | None
    lift: LiftFigure | None

    @property
    def ended(self) -> bool:
        return self.status == Session.Status.ENDED

    @property
    def status_label(self) -> str:
        return str(Session.Status(self.status).label)

    @property
    def co_trained(self) -> bool:
        return self.trainer_count > 1

    @property
    def delivered_hours(self) -> Decimal:
        return hours(self.delivered_minutes)

    @property
    def credited_hours(self) -> Decimal:
        return hours(self.credited_minutes)

    @property
    def no_completer(self) -> bool:
        """Ended but nobody met the completion rule: 0 h (PRODUCT.md, flagged)."""
        return self.ended and self.completers == 0

    @property
    def responses(self) -> int:
        return self.satisfaction.count if self.satisfaction else 0

    @property
    def shown_satisfaction(self) -> Decimal | None:
        """Session satisfaction: defined (and shown) only with ≥ 3 responses."""
        if self.satisfaction is None or not self.satisfaction.enough:
            return None
        return self.satisfaction.mean

    @property
    def measured_lift(self) -> Decimal | None:
        return self.lift.lift_display if self.lift is not None else None


@dataclass(frozen=True)
class TrainerReport:
    """H, S and L of ``trainer`` for ``period`` with their inputs, and the sessions behind
    them (oldest first; cancelled sessions listed with 0 h)."""

    trainer: Employee
    period: Period
    is_trainer: bool
    teaching_hours: Decimal
    satisfaction: SatisfactionFigure
    lift: LiftFigure
    sessions: tuple[TrainerSessionRow, ...]

    @property
    def ended_sessions(self) -> tuple[TrainerSessionRow, ...]:
        return tuple(r for r in self.sessions if r.ended)

    @property
    def cancelled_sessions(self) -> tuple[TrainerSessionRow, ...]:
        return tuple(r for r in self.sessions if r.status == Session.Status.CANCELLED)

    @property
    def credited_minutes(self) -> int:
        return sum(r.credited_minutes for r in self.sessions)

    @property
    def credited_sessions(self) -> int:
        return sum(1 for r in self.sessions if r.credited_minutes)

    @property
    def no_completer_sessions(self) -> tuple[TrainerSessionRow, ...]:
        return tuple(r for r in self.sessions if r.no_completer)

    @property
    def co_trained_sessions(self) -> int:
        return sum(1 for r in self.ended_sessions if r.co_trained)

    @property
    def satisfaction_shown(self) -> bool:
        """S may be printed: its pool of responses is a group of ≥ 3 (below that it would be
        the figure of fewer than 3 people)."""
        return self.satisfaction.enough

    @property
    def satisfaction_sessions(self) -> int:
        return sum(1 for r in self.ended_sessions if r.responses)

    @property
    def measured_lifts(self) -> tuple[TrainerSessionRow, ...]:
        return tuple(r for r in self.ended_sessions if r.lift is not None and r.lift.measured)

    @property
    def unmeasured_lifts(self) -> tuple[TrainerSessionRow, ...]:
        return tuple(r for r in self.ended_sessions if r.lift is not None and not r.lift.measured)


def trainer_period_sessions(*, trainer: Employee, period: Period):
    """T's ended and cancelled sessions that started in ``period`` with ``trainer_count``,
    ``completers`` and the ``credited_minutes`` / ``has_completer`` of ``with_credit``. One
    query."""
    first, after = period.bounds()
    return (
        Session.objects.filter(
            pk__in=Session.objects.filter(
                trainers=trainer,
                status__in=[Session.Status.ENDED, Session.Status.CANCELLED],
                starts_at__gte=first,
                starts_at__lt=after,
            ).values("pk")
        )
        .with_credit()
        .annotate(
            trainer_count=Count("trainers", distinct=True),
            completers=Count(
                "enrolments", filter=completed_enrolment_q("enrolments"), distinct=True
            ),
        )
        .order_by("starts_at", "pk")
    )


def trainer_lift_of(figures: list[LiftFigure]) -> LiftFigure:
    """T's L from the lift figures of T's sessions in P: the mean over those with a measured
    lift (PRODUCT.md), ``None`` (unknown) when none is measured. The same figure as
    ``evaluation.selectors.trainer_lift`` (a test holds them equal), built from the batch
    read instead of a second pass over the sessions."""
    measured = [f for f in figures if f.lift is not None]
    nets = [f.net_lift for f in measured if f.net_lift is not None]
    units = min((f.comparison_units for f in measured), default=0)
    return LiftFigure(
        lift=metric_rules.mean([f.lift for f in measured]),
        net_lift=metric_rules.mean(nets),
        comparison_units=units,
        small_sample=units < metric_rules.SMALL_SAMPLE,
        sessions=len(measured),
        reason="" if measured else str(metric_rules.REASON_NO_AFTER),
    )


def trainer_report(*, trainer: Employee, period: Period) -> TrainerReport:
    """The trainer evaluation report of ``trainer`` for ``period``. A fixed number of queries
    apart from ``lift_by_session`` (per session for now)."""
    first, after = period.bounds()
    rows = list(trainer_period_sessions(trainer=trainer, period=period))
    ended = [s for s in rows if s.status == Session.Status.ENDED]
    satisfaction = satisfaction_by_session(sessions=ended) if ended else {}
    lifts = lift_by_session(sessions=ended) if ended else {}
    sessions = tuple(
        TrainerSessionRow(
            session_id=s.pk,
            title=s.title,
            starts_at=s.starts_at,
            status=s.status,
            trainer_count=s.trainer_count,
            delivered_minutes=(s.delivered_minutes or 0) if s.status == Session.Status.ENDED else 0,
            credited_minutes=s.credited_minutes,
            completers=s.completers,
            satisfaction=satisfaction.get(s.pk),
            lift=lifts.get(s.pk),
        )
        for s in rows
    )
    return TrainerReport(
        trainer=trainer,
        period=period,
        is_trainer=RoleGrant.objects.filter(employee=trainer, role=Role.TRAINER).exists(),
        teaching_hours=teaching_hours(employee=trainer, start=first, end=after),
        satisfaction=trainer_satisfaction(trainer=trainer, start=first, end=after),
        lift=trainer_lift_of([lifts[s.pk] for s in ended if s.pk in lifts]),
        sessions=sessions,
    )
