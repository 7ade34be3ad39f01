"""The session report's figures (Kirkpatrick L1, L2 and L4 of one session), built once and
shown by both the page and its export.

- **Header**: delivered hours (``Session.delivered_minutes``), enrolled (status enrolled),
  attended (enrolled with attendance present, late or partial) and completed (the one
  completion rule, ``completed_enrolment_q``).
- **L1 reaction**: ``evaluation.surveys.selectors.survey_results`` (the results page's read:
  distribution, normalised mean and NPS per rating, choice counts, comments without names;
  nothing but counts below 3 responses) and the session satisfaction.
- **L2 learning**: per assignment the graded count, mean, min and max score and the mean as a
  share of the maximum score; H5P results of the session's enrolled learners on the H5P
  contents the course's body plays, with *pre* = results recorded before the session started
  and *post* = from its start on (a course marks no content as pre- or post-test).
- **L4 outcome**: ``evaluation.selectors.lift_by_session``.

A fixed number of queries whatever the number of learners, responses or grades.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, Max, Min, Q

from evaluation.metrics.models import MetricDefinition
from evaluation.metrics.rules import LiftFigure
from evaluation.models import Assignment, Survey
from evaluation.selectors import SatisfactionFigure, lift_by_session
from evaluation.surveys.rules import round_half_up
from evaluation.surveys.selectors import SurveyResults, survey_results
from hub.organisation.models import Employee
from hub.sessions.models import Attendance, Enrolment, Session, completed_enrolment_q
from library.h5p.models import H5PResult
from library.h5p.selectors import course_h5p_content_ids

ONE_DECIMAL = Decimal("0.1")
HUNDRED = Decimal(100)
SIXTY = Decimal(60)
ATTENDED_STATUSES = (
    Attendance.Status.PRESENT,
    Attendance.Status.LATE,
    Attendance.Status.PARTIAL,
)


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def percent(part, whole) -> Decimal | None:
    """``part / whole x 100`` half-up to 1 decimal (None without a whole)."""
    if part is None or not whole:
        return None
    return round_half_up(Decimal(part) * HUNDRED / Decimal(whole), ONE_DECIMAL)


@dataclass(frozen=True)
class Headcount:
    enrolled: int
    attended: int
    completed: int


@dataclass(frozen=True)
class AssignmentScores:
    """One assignment's graded work: count, mean (half-up to 2 decimals), min and max."""

    assignment: Assignment
    graded: int
    mean: Decimal | None
    low: Decimal | None
    high: Decimal | None

    @property
    def mean_share(self) -> Decimal | None:
        """The mean as a share of the maximum score, percent to 1 decimal."""
        return percent(self.mean, self.assignment.max_score)


@dataclass(frozen=True)
class ScoreWindow:
    """H5P results in one window: how many, by how many learners, mean scaled score x 100."""

    results: int = 0
    learners: int = 0
    mean_percent: Decimal | None = None


@dataclass(frozen=True)
class H5PScores:
    content_id: int | None
    title: str
    all: ScoreWindow
    pre: ScoreWindow
    post: ScoreWindow

    @property
    def has_pre_post(self) -> bool:
        return self.pre.results > 0 and self.post.results > 0

    @property
    def change(self) -> Decimal | None:
        """Post mean minus pre mean, in percentage points."""
        if not self.has_pre_post:
            return None
        return self.post.mean_percent - self.pre.mean_percent


@dataclass(frozen=True)
class SessionReport:
    session: Session
    trainers: tuple[Employee, ...]
    headcount: Headcount
    survey: Survey | None
    results: SurveyResults | None
    assignments: tuple[AssignmentScores, ...]
    h5p: tuple[H5PScores, ...]
    h5p_total: H5PScores | None
    lift: LiftFigure | None
    metric: MetricDefinition | None

    @property
    def delivered_hours(self) -> Decimal | None:
        minutes = self.session.delivered_minutes
        return None if minutes is None else round_half_up(Decimal(minutes) / SIXTY)

    @property
    def satisfaction(self) -> SatisfactionFigure | None:
        """The session satisfaction, only when it may be shown (≥ 3 scored responses)."""
        figure = self.results.figure if self.results is not None else None
        return figure if figure is not None and figure.enough else None

    @property
    def responses(self) -> int:
        return self.results.responses if self.results is not None else 0

    @property
    def invited(self) -> int:
        return self.results.invited if self.results is not None else 0

    @property
    def response_rate(self) -> Decimal | None:
        return percent(self.responses, self.invited)


def _headcount(session: Session) -> Headcount:
    enrolled = Q(status=Enrolment.Status.ENROLLED)
    row = Enrolment.objects.filter(session=session).aggregate(
        enrolled=Count("pk", filter=enrolled),
        attended=Count("pk", filter=enrolled & Q(attendance__status__in=ATTENDED_STATUSES)),
        completed=Count("pk", filter=completed_enrolment_q()),
    )
    return Headcount(**row)


def _assignment_scores(session: Session) -> tuple[AssignmentScores, ...]:
    rows = (
        Assignment.objects.filter(session=session)
        .annotate(
            graded=Count("grades"),
            mean=Avg("grades__score"),
            low=Min("grades__score"),
            high=Max("grades__score"),
        )
        .order_by("due_at", "pk")
    )
    return tuple(
        AssignmentScores(
            assignment=a,
            graded=a.graded,
            mean=None if a.mean is None else round_half_up(_decimal(a.mean)),
            low=_decimal(a.low),
            high=_decimal(a.high),
        )
        for a in rows
    )


def _windows(row: dict) -> dict:
    def window(prefix: str) -> ScoreWindow:
        mean = _decimal(row[f"{prefix}mean"])
        return ScoreWindow(
            results=row[f"{prefix}n"],
            learners=row[f"{prefix}learners"],
            mean_percent=None if mean is None else round_half_up(mean * HUNDRED, ONE_DECIMAL),
        )

    return {"all": window(""), "pre": window("pre_"), "post": window("post_")}


def _h5p_aggregates(session: Session) -> dict:
    pre = Q(created__lt=session.starts_at)
    post = Q(created__gte=session.starts_at)
    figures = {}
    for prefix, condition in (("", None), ("pre_", pre), ("post_", post)):
        figures[f"{prefix}n"] = Count("pk", filter=condition)
        figures[f"{prefix}learners"] = Count("employee_id", filter=condition, distinct=True)
        figures[f"{prefix}mean"] = Avg("score_scaled", filter=condition)
    return figures


def _h5p_scores(session: Session) -> tuple[tuple[H5PScores, ...], H5PScores | None]:
    """Per H5P content of the course and in total (two queries; none without H5P)."""
    if session.course is None:
        return (), None
    content_ids = course_h5p_content_ids(session.course)
    if not content_ids:
        return (), None
    learners = Enrolment.objects.filter(session=session, status=Enrolment.Status.ENROLLED).values(
        "learner_id"
    )
    results = H5PResult.objects.filter(content_id__in=content_ids, employee_id__in=learners)
    aggregates = _h5p_aggregates(session)
    rows = {
        row["content_id"]: row
        for row in results.values("content_id", "content__title").annotate(**aggregates).order_by()
    }
    per_content = tuple(
        H5PScores(content_id=cid, title=rows[cid]["content__title"], **_windows(rows[cid]))
        for cid in content_ids
        if cid in rows
    )
    total = results.aggregate(**aggregates)
    return per_content, H5PScores(content_id=None, title="", **_windows(total))


def session_report(*, session: Session) -> SessionReport:
    """Every figure of ``session``'s report (pass it with ``course`` selected). About ten
    queries, the same for any number of learners, responses, grades or results."""
    survey = Survey.objects.select_related("template").filter(session=session).first()
    lift = lift_by_session(sessions=[session]).get(session.pk)
    metric = (
        MetricDefinition.objects.filter(code=lift.metric_code).first() if lift is not None else None
    )
    h5p, h5p_total = _h5p_scores(session)
    return SessionReport(
        session=session,
        trainers=tuple(session.trainers.order_by("name_pinyin", "employee_no")),
        headcount=_headcount(session),
        survey=survey,
        results=survey_results(survey) if survey is not None else None,
        assignments=_assignment_scores(session),
        h5p=h5p,
        h5p_total=h5p_total,
        lift=lift,
        metric=metric,
    )
