"""The stable satisfaction reads for tiers, on hand-worked numbers."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from evaluation import selectors
from evaluation.models import SurveyQuestion, SurveyTemplate
from hub.sessions.models import Session
from tests.evaluation.helpers import make_session, make_trainer
from tests.evaluation.surveys.helpers import add_responses, make_survey

pytestmark = pytest.mark.django_db


def test_default_template_comes_from_the_migration():
    template = SurveyTemplate.objects.get(is_default=True)
    assert template.name == "标准课后问卷"
    assert template.anonymous is True
    questions = SurveyQuestion.objects.filter(section__template=template)
    kinds = sorted(q.kind for q in questions)
    assert kinds == ["rating_10", "rating_5", "rating_5", "rating_5", "text"]
    assert {q.kind for q in questions if q.in_satisfaction} == {"rating_5", "rating_10"}
    assert all(q.text_zh and q.text_en for q in questions)


def test_session_satisfaction_needs_three_responses():
    session = make_session()
    survey = make_survey(session)
    add_responses(survey, 80, 90)
    assert selectors.session_satisfaction(session=session) is None
    add_responses(survey, 95)
    # (80 + 90 + 95) / 3 = 88.333... -> 88.33
    assert selectors.session_satisfaction(session=session) == Decimal("88.33")


def test_session_satisfaction_without_survey_is_none():
    assert selectors.session_satisfaction(session=make_session()) is None


def test_unscored_responses_do_not_count():
    session = make_session()
    add_responses(make_survey(session), 90, 90, None)
    assert selectors.session_satisfaction(session=session) is None
    figure = selectors.satisfaction_by_session(sessions=[session])[session.pk]
    assert (figure.count, figure.mean, figure.enough) == (2, Decimal("90.00"), False)


def test_satisfaction_by_session_is_one_query(django_assert_num_queries):
    a, b, c = make_session(), make_session(), make_session()
    add_responses(make_survey(a), 100, 50, 75, 0)  # 225 / 4 = 56.25
    add_responses(make_survey(b), 66.67)
    with django_assert_num_queries(1):
        figures = selectors.satisfaction_by_session(sessions=Session.objects.all())
    assert figures[a.pk] == selectors.SatisfactionFigure(count=4, mean=Decimal("56.25"))
    assert figures[b.pk].count == 1 and not figures[b.pk].enough
    assert c.pk not in figures


def test_trainer_satisfaction_pools_responses_of_ended_sessions_in_the_period():
    t, other = make_trainer(), make_trainer()
    now = timezone.now()
    start, end = now - dt.timedelta(days=30), now
    one = make_session(trainers=[t], days_ago=3)
    co = make_session(trainers=[t, other], days_ago=5)
    add_responses(make_survey(one), 100, 80)  # fewer than 3: still counts in S
    add_responses(make_survey(co), 60, 70, 90)
    # pooled: (100 + 80 + 60 + 70 + 90) / 5 = 80; not the mean of session means (82.5)
    figure = selectors.trainer_satisfaction(trainer=t, start=start, end=end)
    assert figure == selectors.SatisfactionFigure(count=5, mean=Decimal("80.00"))
    # the co-trained session counts in full for the other trainer: 220 / 3 = 73.33
    assert selectors.trainer_satisfaction(trainer=other, start=start, end=end).mean == Decimal(
        "73.33"
    )


def test_trainer_satisfaction_leaves_out_other_periods_and_unended_sessions():
    t = make_trainer()
    now = timezone.now()
    start, end = now - dt.timedelta(days=10), now
    old = make_session(trainers=[t], days_ago=40)
    live = make_session(trainers=[t], days_ago=2, status=Session.Status.LIVE)
    add_responses(make_survey(old), 10, 10, 10)
    add_responses(make_survey(live), 20, 20, 20)
    figure = selectors.trainer_satisfaction(trainer=t, start=start, end=end)
    assert figure == selectors.SatisfactionFigure(count=0, mean=None)
    # the period is half-open [start, end): a session starting exactly at end is out
    edge = make_session(trainers=[t], days_ago=0)
    add_responses(make_survey(edge), 50)
    at_start = selectors.trainer_satisfaction(trainer=t, start=edge.starts_at, end=end)
    assert at_start.mean == Decimal("50.00")
    before = selectors.trainer_satisfaction(trainer=t, start=start, end=edge.starts_at)
    assert before.mean is None
