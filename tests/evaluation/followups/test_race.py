"""Two managers (or one double click) answering one follow-up at the same moment: one answer.
Two dispatch runs at once: one row per learner.

PostgreSQL only: there the conditional UPDATE and the session row locks decide between two
live transactions; SQLite serialises writes anyway."""

import threading

import pytest
from django.db import connection, connections

from evaluation.followups import services
from evaluation.followups.models import FollowUp
from hub.sessions.models import Notification
from tests.evaluation.followups.helpers import completer, ended_session, sent_followup
from tests.factories import BranchFactory, make_manager

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writes are only real on PostgreSQL"
    ),
]


def _in_parallel(*calls) -> tuple[list, list]:
    barrier = threading.Barrier(len(calls))
    outcomes, errors = [], []

    def run(call):
        try:
            barrier.wait(timeout=10)
            outcomes.append(call())
        except services.AlreadyAnswered:
            outcomes.append("already")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes, errors


@pytest.mark.parametrize("attempt", range(3))
def test_parallel_answers_store_one(attempt):
    branch = BranchFactory()
    first, second = make_manager(branch), make_manager(branch)
    session = ended_session(days_ago=31)
    followup = sent_followup(session, completer(session, branch=branch), [first, second])
    outcomes, errors = _in_parallel(
        lambda: services.followup_answer(followup=followup, manager=first, rating=5) and "saved",
        lambda: services.followup_answer(followup=followup, manager=second, rating=1) and "saved",
    )
    assert not errors
    assert sorted(outcomes) == ["already", "saved"]
    stored = FollowUp.objects.get()
    assert (stored.rating, stored.answered_by_id) in {(5, first.pk), (1, second.pk)}


def test_parallel_dispatch_creates_each_follow_up_once():
    branch = BranchFactory()
    manager = make_manager(branch)
    session = ended_session(days_ago=31)
    for _ in range(5):
        completer(session, branch=branch)
    outcomes, errors = _in_parallel(services.followups_dispatch, services.followups_dispatch)
    assert not errors
    assert sorted(o["sent"] for o in outcomes) == [0, 5]
    assert FollowUp.objects.count() == 5
    assert Notification.objects.filter(recipient=manager).count() == 1
