"""The demo's live room."""

import pytest

from hub.sessions.models import Session
from live import selectors
from live.models import LiveEvent, Poll, Question
from live.seeding import DEMO_TITLE, seed_live_room
from tests.factories import BranchFactory, EmployeeFactory, UserFactory
from tests.hub.sessions.helpers import make_trainer

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_people():
    branch = BranchFactory()
    trainer = make_trainer(user=UserFactory(username="trainer"))
    learner = EmployeeFactory(user=UserFactory(username="learner"), branch=branch)
    colleagues = [EmployeeFactory(branch=branch) for _ in range(12)]
    return trainer, learner, colleagues


def test_demo_live_room_is_live_with_questions_and_a_closed_quiz(demo_people):
    trainer, learner, _colleagues = demo_people
    created = seed_live_room()
    assert created == {"live sessions": 1, "live questions": 3}
    session = Session.objects.get(title=DEMO_TITLE)
    assert session.status == "live"
    assert session.started_at is not None  # started by session_start, as any session
    assert selectors.room_access(learner.user, session) == "learner"
    assert selectors.room_access(trainer.user, session) == "trainer"
    assert Question.objects.filter(session=session).count() == 3
    quiz = Poll.objects.get(session=session)
    assert quiz.status == "closed" and quiz.vote_set.count() == 10
    seqs = list(LiveEvent.objects.filter(session=session).values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    # Seeding again adds nothing.
    assert seed_live_room() == {}
    assert Session.objects.filter(title=DEMO_TITLE).count() == 1
