"""The last seat under simultaneous requests: two connections enrol at once for one seat.

Runs on PostgreSQL (CI's second pass), where the session row lock (SELECT … FOR UPDATE) is what
keeps the seat single; SQLite serialises writes anyway, so the test is skipped there.
"""

import threading

import pytest
from django.db import connection, connections

from hub.sessions import services
from hub.sessions.models import Enrolment
from tests.factories import EmployeeFactory, SessionFactory
from tests.hub.sessions.helpers import make_trainer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are only real on PostgreSQL"
    ),
]


@pytest.mark.parametrize("attempt", range(3))
def test_two_simultaneous_enrolments_for_the_last_seat(attempt):
    session = SessionFactory(trainers=[make_trainer()], capacity=1)
    learners = EmployeeFactory.create_batch(2)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def enrol(learner):
        try:
            barrier.wait(timeout=10)
            enrolment = services.enrolment_create(
                session=session, learner=learner, actor=learner.user
            )
            results.append(enrolment.status)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=enrol, args=(learner,)) for learner in learners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert sorted(results) == ["enrolled", "waitlisted"]
    assert Enrolment.objects.filter(session=session, status="enrolled").count() == 1
