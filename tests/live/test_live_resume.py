"""Nothing lost: resume after a reconnect, snapshot when too far behind, events committed
before they are sent, and the end of the session."""

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction

from hub.sessions.models import Attendance, Session
from hub.sessions.services import session_end
from live import protocol, selectors, services
from live.models import LiveEvent, Question
from tests.live.live_helpers import settle
from tests.live.test_live_questions import join, leave

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_reconnected_client_gets_exactly_the_missed_events_in_order(room, sockets):
    asker, watcher = await join(sockets, "learner0", "learner1")
    await asker.ask("第一个")
    await watcher.until("question.asked")
    last_seq = watcher.last_seq
    await watcher.leave()
    missed = [(await asker.ask(f"错过的{i}"))["id"] for i in range(3)]
    await settle()
    back = sockets("learner1")
    await back.join()
    await back.send("resume", last_seq=last_seq)
    resumed = await back.frame()
    while resumed["type"] != "resumed":
        resumed = await back.frame()
    seqs = [e["seq"] for e in resumed["events"]]
    assert seqs == list(range(last_seq + 1, resumed["last_seq"] + 1))  # in order, once each
    asked = [e["question"]["id"] for e in resumed["events"] if e["type"] == "question.asked"]
    assert asked == missed
    await leave(asker, back)


async def test_resume_when_up_to_date_returns_nothing(room, sockets):
    (socket,) = await join(sockets, "learner0")
    await settle(1.5)
    await socket.drain()
    current = await sync_to_async(selectors.current_seq)(room.session.pk)
    await socket.send("resume", last_seq=current)
    resumed = await socket.until("resumed")
    assert resumed["count"] == 0
    await leave(socket)


async def test_resume_too_far_behind_gets_a_fresh_snapshot(room, sockets):
    def many_events():
        with transaction.atomic():
            services.events_append(
                room.session.pk,
                [("hand.changed", {"raised": 0}, None)] * (protocol.RESUME_MAX_EVENTS + 1),
            )

    (socket,) = await join(sockets, "learner0")
    await sync_to_async(many_events)()
    await socket.send("resume", last_seq=0)
    snapshot = await socket.until("snapshot")
    assert snapshot["seq"] >= protocol.RESUME_MAX_EVENTS + 1
    assert snapshot["me"]["id"] == room.learners[0].pk
    await leave(socket)


async def test_a_missed_frame_is_recovered_through_resume(room, sockets, monkeypatch):
    """The layer drops a frame (as it does over capacity): the client sees a gap in seq and
    gets the missing event by resuming."""
    from live import fanout

    asker, watcher = await join(sockets, "learner0", "learner1")
    original = fanout.Room.receive_frame
    dropped = []

    async def drop_first(self, learner_events, staff_events):
        if not dropped and any(e["type"] == "question.asked" for e in learner_events):
            dropped.append(learner_events)
            return None
        return await original(self, learner_events, staff_events)

    monkeypatch.setattr(fanout.Room, "receive_frame", drop_first)
    lost = (await asker.ask("丢失的问题"))["id"]
    await settle()
    assert dropped, "the first frame was dropped"
    before = watcher.last_seq
    await asker.ask("下一个问题")
    after_gap = await watcher.until("question.asked")
    assert after_gap["seq"] > before + 1  # a gap: the client resumes
    gap_start = dropped[0][0]["seq"] - 1
    await watcher.send("resume", last_seq=gap_start)
    resumed = await watcher.frame()
    while resumed["type"] != "resumed":
        resumed = await watcher.frame()
    recovered = next(e for e in resumed["events"] if e["type"] == "question.asked")
    assert recovered["question"]["id"] == lost
    await leave(asker, watcher)


async def test_event_is_stored_before_it_is_sent(room, sockets):
    asker, watcher = await join(sockets, "learner0", "learner1")
    ack = await asker.ask("先存后发")
    event = await watcher.until("question.asked")
    stored = await sync_to_async(LiveEvent.objects.get)(session=room.session, seq=event["seq"])
    assert stored.payload["question"]["id"] == ack["id"]
    await leave(asker, watcher)


async def test_rolled_back_write_sends_nothing(room, sockets):
    (watcher,) = await join(sockets, "learner0")

    def ask_then_fail():
        with pytest.raises(RuntimeError), transaction.atomic():
            Question.objects.create(session=room.session, author=room.learners[1], text="回滚")
            services.events_append(room.session.pk, [("question.asked", {"question": {}}, None)])
            raise RuntimeError

    await sync_to_async(ask_then_fail)()
    assert await watcher.receive_nothing(timeout=0.5)
    assert not await sync_to_async(LiveEvent.objects.filter(type="question.asked").exists)()
    await leave(watcher)


async def test_ending_the_session_tells_everyone_closes_sockets_and_records_minutes(room, sockets):
    trainer, learner = await join(sockets, "trainer", "learner0")
    await settle(1.5)  # joins are written once a second
    await sync_to_async(session_end)(session=room.session, actor=room.trainer.user)
    assert (await learner.until("session.ended"))["type"] == "session.ended"
    closed = await learner.until("closed")
    assert closed["code"] == protocol.CLOSE_NOT_LIVE
    assert (await trainer.until("closed"))["code"] == protocol.CLOSE_NOT_LIVE
    session = await sync_to_async(Session.objects.get)(pk=room.session.pk)
    assert session.status == "ended"
    records = await sync_to_async(list)(
        Attendance.objects.filter(enrolment__session=session).order_by("enrolment__learner_id")
    )
    # Joined five minutes after the start and the session ended at once: present, but far
    # from the completion rule; those who never joined are absent.
    by_learner = {
        r.enrolment.learner_id: r
        for r in await sync_to_async(
            lambda: list(
                Attendance.objects.select_related("enrolment").filter(enrolment__session=session)
            )
        )()
    }
    assert by_learner[room.learners[0].pk].checked_in_at is not None
    assert by_learner[room.learners[1].pk].status == "absent"
    assert len(records) == 3


async def test_acknowledged_question_survives_a_server_restart(room, sockets, monkeypatch):
    """A new process (fresh rooms, nothing in memory) still has every acknowledged question
    and answers a resume from the database."""
    from live import fanout

    asker, watcher = await join(sockets, "learner0", "learner1")
    await settle(1.5)
    await watcher.drain()
    last_seq = watcher.last_seq
    ack = await asker.ask("重启后还在吗")
    await asker.leave()
    await watcher.leave()
    monkeypatch.setattr(fanout, "hub", fanout.Hub())  # the restarted process
    back = sockets("learner1")
    await back.join()
    assert ack["id"] in back.questions
    await back.send("resume", last_seq=last_seq)
    resumed = await back.until("resumed")
    assert resumed["count"] >= 1
    await leave(back)


async def test_resume_beyond_the_newest_seq_gets_a_snapshot_with_the_real_seq(room, sockets):
    """A ``last_seq`` the room never reached (a stale tab, another session's number): the
    answer is a snapshot at the room's real seq, so the client's later events apply."""
    asker, socket = await join(sockets, "learner0", "learner1")
    await settle()
    await socket.drain()
    current = await sync_to_async(selectors.current_seq)(room.session.pk)
    await socket.send("resume", last_seq=current + 1000)
    answer = await socket.frame()
    while answer["type"] == "batch":
        answer = await socket.frame()
    assert answer["type"] == "snapshot", answer
    assert current <= answer["seq"] < current + 1000
    assert answer["me"]["id"] == room.learners[1].pk
    socket.last_seq = answer["seq"]
    question = (await asker.ask("之后的问题"))["id"]
    assert (await socket.until("question.asked"))["question"]["id"] == question
    await leave(asker, socket)
