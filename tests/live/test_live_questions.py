"""Q&A over the live protocol: asking, votes, moderation, anonymity, errors, idempotency."""

import json

import pytest
from asgiref.sync import sync_to_async

from live import protocol
from live.models import LiveEvent, LiveRoom, Question, QuestionVote
from tests.live.live_helpers import settle

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

XSS = '<script>alert(1)</script><img src=x onerror="alert(2)">'


async def join(sockets, *names):
    joined = [sockets(name) for name in names]
    for socket in joined:
        await socket.join()
    return joined


async def leave(*joined):
    for socket in joined:
        await socket.leave()
    await settle(0.3)


async def test_question_reaches_everyone_once_with_one_seq(room, sockets):
    asker, other, trainer = await join(sockets, "learner0", "learner1", "trainer")
    ack = await asker.ask("怎么做连带销售吗", cid="c-1")
    assert ack == {"type": "ack", "cid": "c-1", "for": "question.ask", "id": ack["id"]}
    seen = [await s.until("question.asked") for s in (asker, other, trainer)]
    assert {e["seq"] for e in seen} == {seen[0]["seq"]}
    assert all(e["question"]["text"] == "怎么做连带销售吗" for e in seen)
    assert seen[1]["question"]["author"] == {
        "id": room.learners[0].pk,
        "name": room.learners[0].name,
    }
    stored = await sync_to_async(LiveEvent.objects.get)(seq=seen[0]["seq"])
    assert stored.type == "question.asked"
    await leave(asker, other, trainer)


async def test_retried_ask_with_the_same_cid_is_stored_once(room, sockets):
    (asker,) = await join(sockets, "learner0")
    first = await asker.ask("同一个问题", cid="retry-1")
    second = await asker.ask("同一个问题", cid="retry-1")
    assert first["id"] == second["id"]
    assert await sync_to_async(Question.objects.count)() == 1
    assert await sync_to_async(LiveEvent.objects.filter(type="question.asked").count)() == 1
    await leave(asker)


async def test_text_is_carried_as_plain_text_not_html(room, sockets):
    asker, trainer = await join(sockets, "learner0", "trainer")
    await asker.ask(XSS)
    event = await trainer.until("question.asked")
    # The server neither escapes nor strips: clients insert it as text (the browser test
    # checks the page does); nothing turns it into markup on the way.
    assert event["question"]["text"] == XSS
    await leave(asker, trainer)


@pytest.mark.parametrize(
    ("text", "code"),
    [("   ", protocol.TEXT_EMPTY), ("问" * 501, protocol.TEXT_TOO_LONG), (5, protocol.INVALID)],
    ids=["empty", "501-characters", "not-a-string"],
)
async def test_bad_question_text_is_refused_and_nothing_is_stored(room, sockets, text, code):
    (asker,) = await join(sockets, "learner0")
    await asker.send("question.ask", text=text, cid="bad")
    error = await asker.until("error")
    assert (error["code"], error["cid"], error["for"]) == (code, "bad", "question.ask")
    assert error["message"]
    assert await sync_to_async(Question.objects.count)() == 0
    await leave(asker)


async def test_500_characters_is_the_limit(room, sockets):
    (asker,) = await join(sockets, "learner0")
    ack = await asker.ask("问" * 500)
    assert (await sync_to_async(Question.objects.get)(pk=ack["id"])).text == "问" * 500
    await leave(asker)


async def test_sixth_question_in_a_minute_is_rate_limited_and_the_socket_stays(room, sockets):
    (asker,) = await join(sockets, "learner0")
    for i in range(5):
        assert (await asker.ask(f"问题{i}"))["type"] == "ack"
    await asker.send("question.ask", text="第六个")
    assert (await asker.until("error"))["code"] == protocol.RATE_LIMITED
    await asker.send("heartbeat")
    assert (await asker.until("pong")) == {"type": "pong"}
    assert await sync_to_async(Question.objects.count)() == 5
    await leave(asker)


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", protocol.MALFORMED_JSON),
        ('["question.ask"]', protocol.MALFORMED_JSON),
        ('{"text": "no type"}', protocol.UNKNOWN_TYPE),
        ('{"type": "dance"}', protocol.UNKNOWN_TYPE),
        ('{"type": "question.upvote", "id": "7"}', protocol.INVALID),
        ('{"type": "question.upvote", "id": 1, "cid": ""}', protocol.INVALID),
        ('{"type": "resume", "last_seq": -1}', protocol.INVALID),
        ('{"type": "question.ask", "text": "x", "anonymous": NaN}', protocol.MALFORMED_JSON),
    ],
    ids=[
        "malformed",
        "array",
        "no-type",
        "unknown-type",
        "id-string",
        "empty-cid",
        "neg-seq",
        "nan",
    ],
)
async def test_bad_frames_get_an_error(room, sockets, frame, code):
    (socket,) = await join(sockets, "learner0")
    await socket.send_to(text_data=frame)
    assert (await socket.until("error"))["code"] == code
    await leave(socket)


async def test_binary_frame_gets_an_error(room, sockets):
    (socket,) = await join(sockets, "learner0")
    await socket.send_to(bytes_data=b"\x00\x01")
    assert (await socket.until("error"))["code"] == protocol.MALFORMED_JSON
    await leave(socket)


async def test_frame_over_16_kb_closes_the_socket(room, sockets):
    (socket,) = await join(sockets, "learner0")
    await socket.send_to(text_data=json.dumps({"type": "question.ask", "text": "x" * 17000}))
    closed = await socket.until("closed")
    assert closed["code"] == protocol.CLOSE_TOO_LARGE
    assert await sync_to_async(Question.objects.count)() == 0


async def test_votes_count_once_per_person_and_arrive_as_totals(room, sockets):
    asker, voter, other, trainer = await join(
        sockets, "learner0", "learner1", "learner2", "trainer"
    )
    question_id = (await asker.ask("投票测试"))["id"]
    for _ in range(2):  # the second upvote changes nothing
        await voter.send("question.upvote", id=question_id)
        assert (await voter.until("ack"))["id"] == question_id
    await other.send("question.upvote", id=question_id)
    await other.until("ack")
    totals = await trainer.until("question.votes")
    while totals["counts"].get(str(question_id)) != 2:
        totals = await trainer.until("question.votes")
    assert await sync_to_async(QuestionVote.objects.count)() == 2
    await voter.send("question.unvote", id=question_id)
    await voter.until("ack")
    totals = await trainer.until("question.votes")
    assert totals["counts"] == {str(question_id): 1}
    await leave(asker, voter, other, trainer)


async def test_voting_on_ones_own_or_an_unknown_question_is_refused(room, sockets):
    (asker,) = await join(sockets, "learner0")
    question_id = (await asker.ask("我自己的问题"))["id"]
    await asker.send("question.upvote", id=question_id)
    assert (await asker.until("error"))["code"] == protocol.NOT_ALLOWED
    await asker.send("question.upvote", id=question_id + 100)
    assert (await asker.until("error"))["code"] == protocol.UNKNOWN_QUESTION
    assert await sync_to_async(QuestionVote.objects.count)() == 0
    await leave(asker)


async def test_snapshot_lists_pinned_first_then_votes_then_time(room, sockets):
    a, b, c, trainer = await join(sockets, "learner0", "learner1", "learner2", "trainer")
    first = (await a.ask("最早的问题"))["id"]
    popular = (await a.ask("票最多的问题"))["id"]
    pinned = (await a.ask("置顶的问题"))["id"]
    for voter in (b, c):
        await voter.send("question.upvote", id=popular)
        await voter.until("ack")
    await trainer.send("question.pin", id=pinned)
    await trainer.until("ack")
    await settle()  # acknowledged changes are broadcast with the next tick
    late = sockets("learner1")
    snapshot = await late.join()
    assert late.question_order() == [pinned, popular, first]
    assert snapshot["me"]["votes"] == [popular]
    await leave(a, b, c, trainer, late)


async def test_moderation_is_for_staff_only(room, sockets):
    asker, trainer = await join(sockets, "learner0", "trainer")
    question_id = (await asker.ask("请回答"))["id"]
    for kind in ("question.answer", "question.pin", "question.hide"):
        await asker.send(kind, id=question_id)
        assert (await asker.until("error"))["code"] == protocol.NOT_ALLOWED
    await trainer.send("question.answer", id=question_id)
    await trainer.until("ack")
    answered = await asker.until("question.answered")
    assert (answered["id"], answered["answered"]) == (question_id, True)
    # Answering again emits nothing new.
    events_before = await sync_to_async(LiveEvent.objects.count)()
    await trainer.send("question.answer", id=question_id, answered=True)
    await trainer.until("ack")
    assert await sync_to_async(LiveEvent.objects.count)() == events_before
    await leave(asker, trainer)


async def test_hidden_question_disappears_for_learners_but_not_for_staff(room, sockets):
    asker, other, trainer = await join(sockets, "learner0", "learner1", "trainer")
    question_id = (await asker.ask("不当的问题"))["id"]
    await trainer.send("question.hide", id=question_id)
    await trainer.until("ack")
    learner_view = await other.until("question.hidden")
    staff_view = await trainer.until("question.hidden")
    assert learner_view == {
        "seq": learner_view["seq"],
        "type": "question.hidden",
        "id": question_id,
        "hidden": True,
    }
    assert staff_view["question"]["text"] == "不当的问题"
    await other.send("question.upvote", id=question_id)
    assert (await other.until("error"))["code"] == protocol.UNKNOWN_QUESTION
    late_learner, late_trainer = sockets("learner2"), sockets("hq")
    await late_learner.join()
    await late_trainer.join()
    assert late_learner.questions == {}
    assert [q["hidden"] for q in late_trainer.questions.values()] == [True]
    await trainer.send("question.hide", id=question_id, hidden=False)
    shown = await other.until("question.hidden")
    assert shown["hidden"] is False and shown["question"]["text"] == "不当的问题"
    await leave(asker, other, trainer, late_learner, late_trainer)


async def test_anonymous_question_shows_no_name(room, sockets):
    asker, other, trainer = await join(sockets, "learner0", "learner1", "trainer")
    await asker.ask("匿名提问", anonymous=True)
    for socket in (other, trainer):
        event = await socket.until("question.asked")
        assert event["question"]["author"] is None and event["question"]["anonymous"] is True
    await leave(asker, other, trainer)


async def test_staff_see_anonymous_askers_only_when_the_session_allows(room, sockets):
    await sync_to_async(LiveRoom.objects.update_or_create)(
        session=room.session, defaults={"reveal_anonymous_to_staff": True}
    )
    asker, other, trainer = await join(sockets, "learner0", "learner1", "trainer")
    await asker.ask("匿名但讲师可见", anonymous=True)
    assert (await other.until("question.asked"))["question"]["author"] is None
    staff_event = await trainer.until("question.asked")
    assert staff_event["question"]["author"]["id"] == room.learners[0].pk
    await leave(asker, other, trainer)


async def test_anonymous_questions_can_be_switched_off(room, sockets):
    await sync_to_async(LiveRoom.objects.update_or_create)(
        session=room.session, defaults={"allow_anonymous": False}
    )
    (asker,) = await join(sockets, "learner0")
    assert asker.snapshot["session"]["allow_anonymous"] is False
    await asker.send("question.ask", text="匿名", anonymous=True)
    assert (await asker.until("error"))["code"] == protocol.ANONYMOUS_OFF
    assert await sync_to_async(Question.objects.count)() == 0
    await leave(asker)
