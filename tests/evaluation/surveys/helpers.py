"""Surveys with hand-set response scores for the satisfaction tests."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

from django.utils import timezone

from evaluation.models import Survey, SurveyResponse, SurveyTemplate


def default_template() -> SurveyTemplate:
    """The migration's 标准课后问卷 (re-created after a transactional test's flush)."""
    template = SurveyTemplate.objects.filter(is_default=True, is_current=True).first()
    if template is None:
        from django.apps import apps

        migration = importlib.import_module("evaluation.migrations.0004_default_survey_template")
        migration.create(apps, None)
        template = SurveyTemplate.objects.get(is_default=True, is_current=True)
    return template


def make_survey(session, *, template=None, closes_in=dt.timedelta(days=7)) -> Survey:
    return Survey.objects.create(
        session=session,
        template=template or default_template(),
        closes_at=timezone.now() + closes_in,
    )


def add_responses(survey: Survey, *scores) -> list[SurveyResponse]:
    return [
        SurveyResponse.objects.create(
            survey=survey, satisfaction=None if s is None else Decimal(str(s))
        )
        for s in scores
    ]


def completer(session, learner=None):
    """An enrolled learner of the ended ``session`` who met the completion rule."""
    from hub.sessions.models import Attendance
    from tests.evaluation.helpers import enrol
    from tests.factories import EmployeeFactory

    learner = learner or EmployeeFactory()
    enrolment = enrol(session, learner)
    Attendance.objects.create(enrolment=enrolment, status="present", completed=True)
    return learner


def answers_for(survey, **by_kind) -> dict:
    """Valid answers for every question of ``survey``: ratings 4 (1-5) and 8 (0-10), a comment."""
    from evaluation.surveys.services import questions_of

    defaults = {"rating_5": "4", "rating_10": "8", "text": "很好"}
    defaults.update(by_kind)
    return {q.pk: [defaults.get(q.kind, "0")] for q in questions_of(survey.template)}
