"""Reads of surveys for their pages: what a learner has to answer, and a survey's results
(aggregated in SQL; nothing shown for fewer than 3 responses). The satisfaction figures
other layers read are in ``evaluation.selectors``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from evaluation.selectors import SatisfactionFigure, satisfaction_by_session
from evaluation.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyReceipt,
    SurveyResponse,
)
from evaluation.surveys.rules import (
    MIN_RESPONSES,
    RATING_10,
    RATING_RANGES,
    NetPromoter,
    mean_normalised,
    net_promoter,
)
from hub.organisation.models import Employee


def surveys_to_answer(employee: Employee, *, now: dt.datetime | None = None) -> QuerySet[Survey]:
    """Open surveys the learner was invited to and has not answered; closing soonest first.
    One query."""
    now = now or timezone.now()
    invited = SurveyInvitation.objects.filter(survey=OuterRef("pk"), learner=employee)
    answered = SurveyReceipt.objects.filter(survey=OuterRef("pk"), learner=employee)
    return (
        Survey.objects.filter(Exists(invited), closed_at__isnull=True, closes_at__gt=now)
        .exclude(Exists(answered))
        .select_related("session")
        .order_by("closes_at", "pk")
    )


@dataclass
class QuestionResult:
    question: SurveyQuestion
    answered: int = 0
    # (label, count) in scale or option order
    distribution: list[tuple[str, int]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    # Ratings only: the mean normalised to 0-100 (``rules.mean_normalised``); 0-10: the NPS.
    mean: Decimal | None = None
    nps: NetPromoter | None = None

    @property
    def max_count(self) -> int:
        return max((c for _label, c in self.distribution), default=0)


@dataclass
class SurveyResults:
    survey: Survey
    responses: int
    invited: int
    enough: bool
    satisfaction: object = None  # Decimal mean, only when enough
    # The session's satisfaction figure (scored responses and their mean), only when enough.
    figure: SatisfactionFigure | None = None
    questions: list[QuestionResult] = field(default_factory=list)


def survey_results(survey: Survey) -> SurveyResults:
    """Per question: how many answered, the distribution (ratings by value, choices by
    option), for ratings the mean normalised to 0-100 and for 0-10 ratings the net promoter
    score, the comments (text only, never a name, in random order); the mean satisfaction.
    Below 3 responses only the counts. A fixed number of queries."""
    responses = SurveyResponse.objects.filter(survey=survey).count()
    invited = SurveyInvitation.objects.filter(survey=survey).count()
    results = SurveyResults(
        survey=survey, responses=responses, invited=invited, enough=responses >= MIN_RESPONSES
    )
    if not results.enough:
        return results
    figure = satisfaction_by_session(sessions=[survey.session_id]).get(survey.session_id)
    results.satisfaction = figure.mean if figure is not None and figure.enough else None
    results.figure = figure
    questions = list(
        SurveyQuestion.objects.filter(section__template_id=survey.template_id).order_by(
            "section__position", "section_id", "position", "pk"
        )
    )
    answers = SurveyAnswer.objects.filter(response__survey=survey)
    ratings = {
        (r["question_id"], r["rating"]): r["n"]
        for r in answers.filter(rating__isnull=False)
        .values("question_id", "rating")
        .annotate(n=Count("pk"))
        .order_by()
    }
    counts = {
        r["question_id"]: r["n"]
        for r in answers.values("question_id").annotate(n=Count("pk")).order_by()
    }
    choice_rows = list(answers.exclude(choices=[]).values_list("question_id", "choices"))
    comments: dict[int, list[str]] = {}
    for qid, text in answers.exclude(text="").order_by("?").values_list("question_id", "text"):
        comments.setdefault(qid, []).append(text)
    for q in questions:
        result = QuestionResult(question=q, answered=counts.get(q.pk, 0))
        if q.is_rating:
            low, high = RATING_RANGES[q.kind]
            by_value = {v: ratings.get((q.pk, v), 0) for v in range(low, high + 1)}
            result.distribution = [(str(v), n) for v, n in by_value.items()]
            result.mean = mean_normalised(q.kind, by_value)
            if q.kind == RATING_10:
                result.nps = net_promoter(by_value)
        elif q.options:
            tally = [0] * len(q.options)
            for qid, picked in choice_rows:
                if qid == q.pk:
                    for i in picked:
                        if 0 <= i < len(tally):
                            tally[i] += 1
            result.distribution = list(zip(q.option_labels(), tally, strict=True))
        result.comments = comments.get(q.pk, [])
        results.questions.append(result)
    return results


def surveys_taught_by(trainer: Employee) -> QuerySet[Survey]:
    """The surveys of the sessions ``trainer`` teaches, newest first, each with
    ``response_count``. One query."""
    return (
        Survey.objects.filter(session__trainers=trainer)
        .annotate(response_count=Count("responses"))
        .select_related("session")
        .order_by("-opens_at", "-pk")
    )
