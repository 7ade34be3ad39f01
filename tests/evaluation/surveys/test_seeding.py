"""The demo survey seed: responses for ended sessions, some below 3, idempotent."""

import pytest

from evaluation import selectors
from evaluation.models import Survey, SurveyReceipt, SurveyResponse
from evaluation.surveys.seeding import seed_surveys
from hub.sessions.models import Session
from tests.evaluation.helpers import make_session, make_trainer
from tests.evaluation.surveys.helpers import completer
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def test_seed_writes_responses_for_ended_sessions_once():
    trainer = make_trainer()
    people = [EmployeeFactory() for _ in range(8)]
    sessions = [make_session(trainers=[trainer], days_ago=1 + i) for i in range(20)]
    for session in sessions:
        for person in people:
            completer(session, person)
    make_session(trainers=[trainer], status=Session.Status.SCHEDULED, days_ago=-2)
    created = seed_surveys(seed=7)
    assert created["surveys"] == 20
    assert Survey.objects.count() == 20
    responses = SurveyResponse.objects.count()
    assert created["survey responses"] == responses == SurveyReceipt.objects.count()
    assert not SurveyResponse.objects.filter(learner__isnull=False).exists()  # anonymous
    figures = selectors.satisfaction_by_session(sessions=sessions)
    assert any(not f.enough for f in figures.values()) or len(figures) < 20  # some below 3
    means = [f.mean for f in figures.values() if f.enough]
    assert means and all(0 <= m <= 100 for m in means) and len(set(means)) > 1
    assert seed_surveys(seed=7) == {"surveys": 0, "survey responses": 0}
    assert SurveyResponse.objects.count() == responses


def test_demo_seed_gives_ended_sessions_survey_results():
    from hub.seeding import demo_seed
    from hub.seeding.shape import SeedScale

    tiny = SeedScale("tiny", branches=3, employees=40, hq_employees=10, trainers=3)
    result = demo_seed(seed=3, scale=tiny)
    assert result.created["surveys"] == Survey.objects.count() > 0
    assert result.created["survey responses"] == SurveyResponse.objects.count() > 0
