"""Reads of manager follow-ups: what a manager has to answer, and the results per session,
course and trainer (one query each, aggregated in SQL).

A **follow-up figure** over a group of follow-ups: ``sent`` (rows sent to a manager),
``answered``, ``mean`` = Σ ratings / answered (1-5, half-up to 2 decimals), ``share_high`` =
answered with a rating ≥ 4 / answered * 100 (half-up to 2 decimals), and ``no_manager``
(completers whose branch had nobody to ask). Ratings 5, 4, 3 → mean 4.00, share 66.67.
Figures are shown only from 3 answers (``enough``), like survey results: a manager's rating of
one named learner must not be readable from a report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from evaluation.followups.models import FollowUp
from evaluation.surveys.rules import MIN_RESPONSES, round_half_up
from hub.organisation.models import Employee

HIGH_RATING = 4
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class FollowUpFigure:
    sent: int
    answered: int
    mean: Decimal | None
    share_high: Decimal | None  # percent, 0-100
    no_manager: int = 0

    @property
    def enough(self) -> bool:
        return self.answered >= MIN_RESPONSES

    @property
    def response_rate(self) -> Decimal | None:
        if not self.sent:
            return None
        return round_half_up(Decimal(self.answered) / Decimal(self.sent) * HUNDRED)


EMPTY = FollowUpFigure(sent=0, answered=0, mean=None, share_high=None)


def figure_of(*, sent: int, answered: int, total, high: int, no_manager: int = 0) -> FollowUpFigure:
    """The figure from its SQL sums: exact Decimal arithmetic, half-up to 2 decimals."""
    if not answered:
        return FollowUpFigure(
            sent=sent, answered=0, mean=None, share_high=None, no_manager=no_manager
        )
    return FollowUpFigure(
        sent=sent,
        answered=answered,
        mean=round_half_up(Decimal(total) / Decimal(answered)),
        share_high=round_half_up(Decimal(high) / Decimal(answered) * HUNDRED),
        no_manager=no_manager,
    )


def _ids(objects) -> QuerySet | list:
    if isinstance(objects, QuerySet):
        return objects.values("pk")
    return [getattr(o, "pk", o) for o in objects]


def _figures(qs: QuerySet, key: str) -> dict[int, FollowUpFigure]:
    rows = (
        qs.values(key)
        .annotate(
            sent=Count("pk", filter=Q(sent_at__isnull=False)),
            answered=Count("pk", filter=Q(answered_at__isnull=False)),
            total=Sum("rating"),
            high=Count("pk", filter=Q(rating__gte=HIGH_RATING)),
            no_manager=Count("pk", filter=Q(sent_at__isnull=True)),
        )
        .order_by()
    )
    return {
        r[key]: figure_of(
            sent=r["sent"],
            answered=r["answered"],
            total=r["total"] or 0,
            high=r["high"],
            no_manager=r["no_manager"],
        )
        for r in rows
    }


def followup_by_session(*, sessions: Iterable | QuerySet) -> dict[int, FollowUpFigure]:
    """Session id → ``FollowUpFigure`` for each of ``sessions`` (objects, ids or a queryset)
    that has follow-ups; the others are absent. One query."""
    return _figures(FollowUp.objects.filter(session_id__in=_ids(sessions)), "session_id")


def followup_pooled(*, sessions: Iterable | QuerySet) -> FollowUpFigure:
    """One ``FollowUpFigure`` pooled over the follow-ups of ``sessions`` (e.g. the sessions of
    a course a viewer may see); ``EMPTY`` without any. One query."""
    row = FollowUp.objects.filter(session_id__in=_ids(sessions)).aggregate(
        sent=Count("pk", filter=Q(sent_at__isnull=False)),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        total=Sum("rating"),
        high=Count("pk", filter=Q(rating__gte=HIGH_RATING)),
        no_manager=Count("pk", filter=Q(sent_at__isnull=True)),
    )
    return figure_of(
        sent=row["sent"],
        answered=row["answered"],
        total=row["total"] or 0,
        high=row["high"],
        no_manager=row["no_manager"],
    )


def followup_by_course(*, courses: Iterable | QuerySet) -> dict[int, FollowUpFigure]:
    """Course id → ``FollowUpFigure`` pooled over the follow-ups of its sessions. One query."""
    return _figures(
        FollowUp.objects.filter(session__course_id__in=_ids(courses)), "session__course_id"
    )


def followup_by_trainer(
    *,
    trainers: Iterable | QuerySet,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> dict[int, FollowUpFigure]:
    """Trainer id → ``FollowUpFigure`` pooled over the follow-ups of their sessions (that
    started in [start, end) when given; a co-trained session counts for each trainer). One
    query."""
    qs = FollowUp.objects.filter(session__trainers__in=_ids(trainers))
    if start is not None:
        qs = qs.filter(session__starts_at__gte=start)
    if end is not None:
        qs = qs.filter(session__starts_at__lt=end)
    return _figures(qs, "session__trainers")


def followup_comments(*, sessions: Iterable | QuerySet) -> list[str]:
    """The answered comments of ``sessions``, in random order and without any name. One query."""
    return list(
        FollowUp.objects.filter(session_id__in=_ids(sessions), answered_at__isnull=False)
        .exclude(comment="")
        .order_by("?")
        .values_list("comment", flat=True)
    )


def _addressed_to(employee: Employee) -> Exists:
    return Exists(
        FollowUp.managers.through.objects.filter(followup_id=OuterRef("pk"), employee=employee)
    )


def followups_open_for(employee: Employee, *, now: dt.datetime | None = None) -> QuerySet:
    """The open follow-ups addressed to ``employee`` (sent, unanswered, not closed), with
    session and learner; grouped by session (ended earliest first), then by learner. One
    query."""
    now = now or timezone.now()
    return (
        FollowUp.objects.filter(
            _addressed_to(employee),
            sent_at__isnull=False,
            answered_at__isnull=True,
            closed_at__isnull=True,
            closes_at__gt=now,
        )
        .select_related("session", "learner__branch")
        .order_by("session__ends_at", "session_id", "learner__name_pinyin", "pk")
    )


def followups_waiting_by_session(employee: Employee, *, now: dt.datetime | None = None):
    """For the manager's home: per session with open follow-ups addressed to ``employee``,
    {session_id, session__title, waiting, closes}. Lazy: one query when the page reads it."""
    return (
        followups_open_for(employee, now=now)
        .values("session_id", "session__title")
        .annotate(waiting=Count("pk"), closes=Min("closes_at"))
        .order_by("closes", "session_id")
    )


def followups_answered_by(employee: Employee) -> QuerySet:
    """The follow-ups addressed to ``employee`` already answered (by them or a co-manager),
    newest first. One query."""
    return (
        FollowUp.objects.filter(_addressed_to(employee), answered_at__isnull=False)
        .select_related("session", "learner", "answered_by")
        .order_by("-answered_at", "-pk")
    )
