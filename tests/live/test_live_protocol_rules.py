"""Protocol rules settled in docs/live-protocol.md: cids are per message type, an unvote
without a vote, in-person sessions, and the order of refusal checks."""

import pytest
from asgiref.sync import sync_to_async

from hub.sessions.models import Session
from live import protocol
from live.models import LiveEvent, Poll, Question, QuestionVote
from tests.live.live_helpers import settle
from tests.live.test_live_questions import join, leave

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_a_cid_names_one_message_per_type(room, sockets):
    """The same cid on a question and on a poll: two messages, both applied; the same cid
    on a second question (even with another text) is a retry of the first."""
    (trainer,) = await join(sockets, "trainer")
    question = await trainer.ask("第一个问题", cid="same")
    await trainer.send("poll.open", cid="same", prompt="选哪个", options=["甲", "乙"])
    poll = await trainer.until("ack")
    again = await trainer.ask("另一个问题", cid="same")
    assert (question["for"], poll["for"]) == ("question.ask", "poll.open")
    assert again["id"] == question["id"]
    assert await sync_to_async(Question.objects.count)() == 1
    assert await sync_to_async(Poll.objects.filter(pk=poll["id"]).count)() == 1
    await leave(trainer)


async def test_unvote_without_a_vote_is_acknowledged_and_changes_nothing(room, sockets):
    asker, voter = await join(sockets, "learner0", "learner1")
    question = (await asker.ask("没人投票"))["id"]
    await voter.send("question.unvote", id=question, cid="u1")
    ack = await voter.until("ack")
    assert ack == {"type": "ack", "cid": "u1", "for": "question.unvote", "id": question}
    await settle()
    assert await sync_to_async(QuestionVote.objects.count)() == 0
    assert (await sync_to_async(Question.objects.get)(pk=question)).votes == 0
    votes_events = LiveEvent.objects.filter(type="question.votes")
    assert await sync_to_async(votes_events.count)() == 0
    await leave(asker, voter)


async def test_an_in_person_session_is_refused_with_4409_and_says_why(room, sockets):
    await sync_to_async(Session.objects.filter(pk=room.session.pk).update)(mode="in_person")
    closed = await sockets("learner0").refused()
    assert closed["code"] == protocol.CLOSE_NOT_LIVE
    assert closed["reason"] == "本场培训不在线上进行，没有直播间。"


async def test_not_allowed_is_checked_before_not_live(room, sockets):
    """An outsider learns nothing about the session's state: 4403 even when it ended."""
    await sync_to_async(Session.objects.filter(pk=room.session.pk).update)(status="ended")
    assert (await sockets("outsider").refused())["code"] == protocol.CLOSE_NOT_ALLOWED
