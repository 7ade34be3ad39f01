"""Reads of online assignments with the joins their pages need: each is a fixed number of
queries however many assignments, submissions or grades there are."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from evaluation.models import Assignment, Grade, Submission, SurveyResponse
from evaluation.surveys.rules import MIN_RESPONSES, round_half_up
from hub.organisation.models import Employee
from hub.sessions.models import Enrolment, Session


def _my_current(employee: Employee) -> QuerySet[Submission]:
    return Submission.objects.filter(assignment=OuterRef("pk"), learner=employee, is_current=True)


def assignments_due_for(employee: Employee, *, now: dt.datetime | None = None) -> QuerySet:
    """Assignments the learner can still submit to: of sessions they are enrolled in (not
    cancelled), before the due date, or after it if late work is accepted and they have not
    submitted yet. Each carries ``my_version`` / ``my_submitted_at`` (their current version,
    or None) and ``my_graded``; soonest due first. One query."""
    now = now or timezone.now()
    enrolled = Enrolment.objects.filter(
        session=OuterRef("session"), learner=employee, status=Enrolment.Status.ENROLLED
    )
    mine = _my_current(employee)
    return (
        Assignment.objects.filter(Exists(enrolled))
        .exclude(session__status=Session.Status.CANCELLED)
        .annotate(
            my_version=Subquery(mine.values("version")[:1]),
            my_submitted_at=Subquery(mine.values("submitted_at")[:1]),
            my_graded=Exists(Grade.objects.filter(assignment=OuterRef("pk"), learner=employee)),
        )
        .filter(Q(due_at__gte=now) | Q(allow_late=True, my_version__isnull=True))
        .select_related("session")
        .order_by("due_at", "pk")
    )


def grades_for(employee: Employee) -> QuerySet[Grade]:
    """The learner's grades with assignment, session, graded version and grader; newest
    first. One query."""
    return (
        Grade.objects.filter(learner=employee)
        .select_related("assignment__session", "submission", "graded_by")
        .order_by("-graded_at", "-pk")
    )


def submissions_to_grade_for(trainer: Employee) -> QuerySet[Submission]:
    """Current versions in the trainer's sessions that have no grade yet, or whose grade is
    for an older version (resubmitted since); oldest first. One query."""
    graded = Grade.objects.filter(
        assignment=OuterRef("assignment"), learner=OuterRef("learner"), submission=OuterRef("pk")
    )
    return (
        Submission.objects.filter(
            is_current=True,
            assignment__session__in=Session.objects.filter(trainers=trainer),
        )
        .exclude(Exists(graded))
        .select_related("assignment__session", "learner__branch")
        .order_by("submitted_at", "pk")
    )


def session_assignments(session: Session) -> QuerySet[Assignment]:
    """A session's assignments with how many learners have submitted and been graded."""
    return (
        Assignment.objects.filter(session=session)
        .annotate(
            submitted=Count("submissions", filter=Q(submissions__is_current=True), distinct=True),
            graded=Count("grades", distinct=True),
        )
        .order_by("due_at", "pk")
    )


def assignment_roster(assignment: Assignment, *, viewer=None) -> QuerySet[Enrolment]:
    """Everyone who is or was enrolled in the assignment's session (cancelled enrolments only
    if they submitted), each with ``current`` (their latest version, a list of at most one)
    and ``grade_list``; with ``viewer``, only the rows they may see (a manager: their branches'
    learners; see ``hub.sessions.scoping``). Three queries."""
    submitted = Submission.objects.filter(assignment=assignment, learner=OuterRef("learner"))
    roster = (
        Enrolment.objects.filter(session_id=assignment.session_id)
        .filter(
            Q(status=Enrolment.Status.ENROLLED) | Q(Exists(submitted)),
        )
        .select_related("learner__branch")
        .prefetch_related(
            Prefetch(
                "learner__submissions",
                queryset=Submission.objects.filter(assignment=assignment, is_current=True),
                to_attr="current",
            ),
            Prefetch(
                "learner__assignment_grades",
                queryset=Grade.objects.filter(assignment=assignment),
                to_attr="grade_list",
            ),
        )
        .order_by("learner__name_pinyin", "learner__employee_no")
    )
    if viewer is not None:
        roster = roster.visible_to(viewer)
    return roster


def submission_history(submission: Submission) -> QuerySet[Submission]:
    """Every version of this learner's work on this assignment, newest first."""
    return Submission.objects.filter(
        assignment_id=submission.assignment_id, learner_id=submission.learner_id
    ).order_by("-version")


def learner_submissions(assignment: Assignment, employee: Employee) -> QuerySet[Submission]:
    return Submission.objects.filter(assignment=assignment, learner=employee).order_by("-version")


def learner_grade(assignment: Assignment, employee: Employee) -> Grade | None:
    return (
        Grade.objects.filter(assignment=assignment, learner=employee)
        .select_related("submission", "graded_by")
        .first()
    )


# --- Satisfaction (stable reads for tiers; PRODUCT.md "Exact definitions") -------------------


@dataclass(frozen=True)
class SatisfactionFigure:
    """How many scored responses, and their mean satisfaction (0-100, half-up to 2 decimals;
    None when there is none). ``enough`` says whether the group may be shown (≥ 3)."""

    count: int
    mean: Decimal | None

    @property
    def enough(self) -> bool:
        return self.count >= MIN_RESPONSES


def _figure(count: int | None, mean) -> SatisfactionFigure:
    count = count or 0
    if not count or mean is None:
        return SatisfactionFigure(count=count, mean=None)
    return SatisfactionFigure(count=count, mean=round_half_up(Decimal(str(mean))))


def _scored() -> QuerySet[SurveyResponse]:
    # A response that answered no rating of the satisfaction set has no score and counts nowhere.
    return SurveyResponse.objects.filter(satisfaction__isnull=False)


def _session_ids(sessions):
    if isinstance(sessions, QuerySet):
        return sessions.values("pk")
    return [getattr(s, "pk", s) for s in sessions]


def session_satisfaction(*, session: Session) -> Decimal | None:
    """**Session satisfaction** (PRODUCT.md, for points): the mean of the satisfaction scores
    of that session's survey responses, defined only with ≥ 3 responses (None below, and
    None without a survey). Half-up to 2 decimals. One query."""
    figure = satisfaction_by_session(sessions=[session]).get(session.pk)
    return figure.mean if figure is not None and figure.enough else None


def satisfaction_by_session(
    *, sessions: Iterable[Session] | QuerySet
) -> dict[int, SatisfactionFigure]:
    """For each of ``sessions`` (objects, ids or a queryset) that has scored responses:
    session id → ``SatisfactionFigure`` (count and mean of its responses' scores). Sessions
    without a response are absent. The mean is given whatever the count: callers showing it
    check ``figure.enough`` (≥ 3, PRODUCT.md). One query, aggregated in SQL."""
    rows = (
        _scored()
        .filter(survey__session_id__in=_session_ids(sessions))
        .values("survey__session_id")
        .annotate(count=Count("pk"), mean=Avg("satisfaction"))
        .order_by()
    )
    return {r["survey__session_id"]: _figure(r["count"], r["mean"]) for r in rows}


def satisfaction_pooled(*, sessions: Iterable[Session] | QuerySet) -> SatisfactionFigure:
    """The satisfaction of a group of sessions (a course's): the mean of *all* their scored
    responses, pooled (not a mean of session means). Callers showing the mean check
    ``figure.enough`` (≥ 3). One query."""
    row = (
        _scored()
        .filter(survey__session_id__in=_session_ids(sessions))
        .aggregate(count=Count("pk"), mean=Avg("satisfaction"))
    )
    return _figure(row["count"], row["mean"])


def satisfaction_by_trainer(
    *, sessions: Iterable[Session] | QuerySet
) -> dict[int, SatisfactionFigure]:
    """Trainer (employee) id → the pooled satisfaction of the responses to those of
    ``sessions`` they taught (a co-trained session counts in full for each trainer, as for
    S). Trainers without a scored response are absent. One query."""
    rows = (
        _scored()
        .filter(survey__session_id__in=_session_ids(sessions))
        .values("survey__session__trainers")
        .annotate(count=Count("pk"), mean=Avg("satisfaction"))
        .order_by()
    )
    return {
        r["survey__session__trainers"]: _figure(r["count"], r["mean"])
        for r in rows
        if r["survey__session__trainers"] is not None
    }


def trainer_satisfaction(
    *, trainer: Employee, start: dt.datetime, end: dt.datetime
) -> SatisfactionFigure:
    """**Satisfaction S** of trainer T in period [start, end) (PRODUCT.md): the mean of the
    satisfaction scores of *all* survey responses to T's ENDED sessions that started in the
    period (the period rule of ``hub.sessions.selectors.teaching_hours``) — pooled over
    responses, not a mean of session means, and with no minimum count. A co-trained session
    counts for each of its trainers. No responses → ``mean`` None (S unknown). One query."""
    row = (
        _scored()
        .filter(
            survey__session__in=Session.objects.filter(
                trainers=trainer,
                status=Session.Status.ENDED,
                starts_at__gte=start,
                starts_at__lt=end,
            ).values("pk")
        )
        .aggregate(count=Count("pk"), mean=Avg("satisfaction"))
    )
    return _figure(row["count"], row["mean"])


# Outcome metrics and lift: the stable reads other apps (tiers) use.
from evaluation.metrics.rules import LiftFigure  # noqa: E402, F401
from evaluation.metrics.selectors import (  # noqa: E402, F401
    lift_by_session,
    need_lift,
    session_lift,
    trainer_lift,
)
