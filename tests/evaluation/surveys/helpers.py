"""Surveys with hand-set response scores for the satisfaction tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from evaluation.models import Survey, SurveyResponse, SurveyTemplate


def default_template() -> SurveyTemplate:
    return SurveyTemplate.objects.get(is_default=True, is_current=True)


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
