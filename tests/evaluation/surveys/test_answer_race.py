"""Two simultaneous submits by one learner (a double click): one response, one receipt.

PostgreSQL only: there the receipt's unique constraint decides between two live transactions;
SQLite serialises writes anyway."""

import threading

import pytest
from django.db import connection, connections

from evaluation.models import SurveyAnswer, SurveyReceipt, SurveyResponse
from evaluation.surveys import services
from tests.evaluation.helpers import make_session
from tests.evaluation.surveys.helpers import answers_for, completer, make_survey

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writes are only real on PostgreSQL"
    ),
]


@pytest.mark.parametrize("attempt", range(3))
def test_parallel_submits_create_one_response(attempt):
    survey = make_survey(make_session())
    learner = completer(survey.session)
    answers = answers_for(survey)
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def submit():
        try:
            barrier.wait(timeout=10)
            services.response_submit(survey=survey, learner=learner, answers=answers)
            outcomes.append("saved")
        except services.AlreadyAnswered:
            outcomes.append("already")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert sorted(outcomes) == ["already", "saved"]
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    assert SurveyReceipt.objects.filter(survey=survey).count() == 1
    assert SurveyAnswer.objects.filter(response__survey=survey).count() == 5
