"""Polls, quick quizzes and raised hands over the live protocol."""

import pytest
from asgiref.sync import sync_to_async

from live import protocol
from live.models import Poll, PollVote, RaisedHand
from tests.live.test_live_questions import join, leave

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

QUIZ = {
    "prompt": "连带销售的第一步是吗",
    "options": ["了解需求", "直接推荐", "打折"],
    "kind": "single",
    "quiz": True,
    "correct": [0],
}


async def open_poll(trainer, **fields) -> int:
    await trainer.send("poll.open", **{**QUIZ, **fields})
    return (await trainer.until("ack"))["id"]


async def test_quiz_round_trip(room, sockets):
    trainer, a, b = await join(sockets, "trainer", "learner0", "learner1")
    poll_id = await open_poll(trainer, cid="p-1")
    opened = await a.until("poll.opened")
    assert opened["poll"]["options"] == QUIZ["options"]
    assert opened["poll"]["correct"] is None  # not revealed while open
    await a.send("poll.vote", id=poll_id, choices=[0])
    await b.send("poll.vote", id=poll_id, choices=[2])
    await a.until("ack")
    await b.until("ack")
    counts = await trainer.until("poll.counts")
    while counts["counts"][str(poll_id)]["voters"] < 2:
        counts = await trainer.until("poll.counts")
    assert counts["counts"][str(poll_id)] == {"counts": [1, 0, 1], "voters": 2}
    await trainer.send("poll.close", id=poll_id)
    closed = await a.until("poll.closed")
    assert closed["poll"]["status"] == "closed"
    assert closed["poll"]["correct"] == [0]
    assert closed["poll"]["counts"] == [1, 0, 1]
    await b.send("poll.vote", id=poll_id, choices=[1])
    assert (await b.until("error"))["code"] == protocol.POLL_CLOSED
    # Results stay for after the session.
    poll = await sync_to_async(Poll.objects.get)(pk=poll_id)
    assert poll.status == "closed" and poll.closed_at is not None
    assert await sync_to_async(PollVote.objects.filter(poll=poll).count)() == 2
    await leave(trainer, a, b)


async def test_one_vote_per_person_and_a_retry_is_acknowledged(room, sockets):
    trainer, a = await join(sockets, "trainer", "learner0")
    poll_id = await open_poll(trainer, quiz=False, correct=[])
    await a.send("poll.vote", id=poll_id, choices=[1], cid="v-1")
    assert (await a.until("ack"))["cid"] == "v-1"
    await a.send("poll.vote", id=poll_id, choices=[1], cid="v-1")  # the same vote resent
    assert (await a.until("ack"))["cid"] == "v-1"
    await a.send("poll.vote", id=poll_id, choices=[2])
    assert (await a.until("error"))["code"] == protocol.ALREADY_VOTED
    assert await sync_to_async(PollVote.objects.count)() == 1
    await leave(trainer, a)


async def test_multiple_choice_counts_each_option(room, sockets):
    trainer, a = await join(sockets, "trainer", "learner0")
    poll_id = await open_poll(trainer, kind="multiple", quiz=False, correct=[])
    await a.send("poll.vote", id=poll_id, choices=[0, 2])
    await a.until("ack")
    counts = await trainer.until("poll.counts")
    assert counts["counts"][str(poll_id)] == {"counts": [1, 0, 1], "voters": 1}
    await leave(trainer, a)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"options": ["只有一个"]}, protocol.INVALID),
        ({"options": [str(i) for i in range(11)]}, protocol.INVALID),
        ({"prompt": ""}, protocol.TEXT_EMPTY),
        ({"prompt": "题" * 301}, protocol.TEXT_TOO_LONG),
        ({"correct": [5]}, protocol.INVALID),
        ({"correct": [0, 1]}, protocol.INVALID),
        ({"kind": "ranked"}, protocol.INVALID),
    ],
    ids=[
        "one-option",
        "eleven-options",
        "no-prompt",
        "long-prompt",
        "bad-correct",
        "two-correct-single",
        "bad-kind",
    ],
)
async def test_bad_poll_is_refused(room, sockets, fields, code):
    (trainer,) = await join(sockets, "trainer")
    await trainer.send("poll.open", **{**QUIZ, **fields})
    assert (await trainer.until("error"))["code"] == code
    assert await sync_to_async(Poll.objects.count)() == 0
    await leave(trainer)


async def test_learners_cannot_run_polls_and_bad_votes_are_refused(room, sockets):
    trainer, a = await join(sockets, "trainer", "learner0")
    await a.send("poll.open", **QUIZ)
    assert (await a.until("error"))["code"] == protocol.NOT_ALLOWED
    poll_id = await open_poll(trainer)
    await a.send("poll.close", id=poll_id)
    assert (await a.until("error"))["code"] == protocol.NOT_ALLOWED
    await a.send("poll.vote", id=poll_id + 50, choices=[0])
    assert (await a.until("error"))["code"] == protocol.UNKNOWN_POLL
    await a.send("poll.vote", id=poll_id, choices=[0, 1])  # two choices in a single-choice poll
    assert (await a.until("error"))["code"] == protocol.INVALID
    await a.send("poll.vote", id=poll_id, choices=[3])
    assert (await a.until("error"))["code"] == protocol.INVALID
    assert await sync_to_async(PollVote.objects.count)() == 0
    await leave(trainer, a)


async def test_raised_hands_reach_staff_with_names_and_learners_as_a_count(room, sockets):
    trainer, a, b = await join(sockets, "trainer", "learner0", "learner1")
    await a.send("hand.raise")
    await a.until("ack")
    await a.send("hand.raise")  # raising twice changes nothing
    await a.until("ack")
    staff_view = await trainer.until("hand.changed")
    learner_view = await b.until("hand.changed")
    assert staff_view["hands"] == [room.learners[0].pk] and staff_view["raised"] == 1
    assert "hands" not in learner_view and learner_view["raised"] == 1
    assert await sync_to_async(RaisedHand.objects.count)() == 1
    await a.send("hand.lower")
    await a.until("ack")
    assert (await trainer.until("hand.changed"))["hands"] == []
    await leave(trainer, a, b)
