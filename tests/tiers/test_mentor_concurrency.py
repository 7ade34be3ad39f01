"""mentor_pair under concurrency (PostgreSQL): two HQ admins pair the same mentor's last place
at the same moment; the mentor's row lock lets exactly one in."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from hub.organisation.permissions import is_hq_admin
from tests.factories import EmployeeFactory, make_hq_admin
from tiers import services
from tiers.models import MentorPairing

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)"
    ),
]


def test_two_simultaneous_pairings_cannot_both_take_the_last_place():
    hq = make_hq_admin()
    assert is_hq_admin(hq.user)  # computes and caches the access before the threads share it
    mentor = EmployeeFactory()
    for _ in range(2):
        services.mentor_pair(mentor=mentor, mentee=EmployeeFactory(), actor=hq.user)
    contenders = [EmployeeFactory(), EmployeeFactory()]
    barrier = threading.Barrier(len(contenders))
    outcomes: list[str] = []

    def attempt(mentee) -> None:
        try:
            barrier.wait()
            services.mentor_pair(mentor=mentor, mentee=mentee, actor=hq.user)
            outcomes.append("paired")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(m,)) for m in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["paired", "refused"]
    assert MentorPairing.objects.active().filter(mentor=mentor).count() == 3
