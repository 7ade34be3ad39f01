"""A client that misses events recovers by itself through ``resume`` (docs/live-protocol.md,
"Keeping in sync"): the channel layers drop messages silently over capacity and on expiry,
so a relay can miss a frame; the next event then shows a gap in ``seq``."""

from __future__ import annotations

import time

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from live import broadcast, fanout, protocol, services
from tests.live.live_helpers import LiveSocket, headers_for, make_room, settle

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

FILLER = ("hand.changed", {"raised": 0}, {"raised": 0, "hands": []})


async def _join(session_id: int, employee) -> LiveSocket:
    socket = LiveSocket(session_id, await database_sync_to_async(headers_for)(employee))
    await socket.join()
    return socket


async def _frames(socket: LiveSocket, seconds: float = 0.6) -> list[dict]:
    """Every frame that arrives until the socket stays quiet for ``seconds``."""
    frames = []
    while not await socket.receive_nothing(timeout=seconds):
        frames.append(await socket.frame())
    return frames


# Joins and leaves are published by the room's presence flush, once a PRESENCE_FLUSH: drain a
# socket for longer than that before taking its last sequence number, or a join published late
# looks like an event after it.
SETTLE = fanout.PRESENCE_FLUSH + 0.5


async def _last_seq(socket: LiveSocket) -> int:
    """The socket's last sequence number once the room's presence has been flushed."""
    events = _events(await _frames(socket, SETTLE))
    return max([socket.snapshot["seq"], *(e["seq"] for e in events)])


def _events(frames: list[dict]) -> list[dict]:
    return [e for f in frames if f["type"] in {"batch", "resumed"} for e in f["events"]]


async def _ask(socket: LiveSocket, text: str) -> int:
    await socket.send("question.ask", text=text, cid=text)
    while True:
        frame = await socket.frame()
        if frame["type"] == "ack" and frame["cid"] == text:
            return frame["id"]


def _append(session_id: int, count: int) -> list:
    with transaction.atomic():
        return services.events_append(session_id, [FILLER] * count)


def _append_filler(session_id: int, count: int) -> int:
    return _append(session_id, count)[-1].seq


@pytest.fixture
def room(transactional_db):
    yield make_room(learners=1)
    # A room's last tick may still be writing in a worker thread: let it finish before the
    # tables are flushed (a presence transaction open during TRUNCATE can deadlock with it).
    time.sleep(0.6)


async def test_a_dropped_frame_shows_as_a_gap_and_resume_returns_the_missing_event(
    room, monkeypatch
):
    session_id = room.session.pk
    learner = await _join(session_id, room.learners[0])
    trainer = await _join(session_id, room.trainer)
    await settle(1.5)  # the joins' presence event (written once a second) goes first
    await _ask(learner, "first")
    last_seq = max(e["seq"] for e in _events(await _frames(trainer, SETTLE)))

    deliver = fanout.Room.receive_frame
    dropped: list[int] = []

    async def lose_the_second_question(self, learner_events, staff_events):
        if any(e.get("question", {}).get("text") == "second" for e in learner_events):
            dropped.extend(e["seq"] for e in learner_events)
            return  # the layer lost this message
        await deliver(self, learner_events, staff_events)

    monkeypatch.setattr(fanout.Room, "receive_frame", lose_the_second_question)
    second = await _ask(learner, "second")
    await settle()
    third = await _ask(learner, "third")
    seen = _events(await _frames(trainer))

    assert dropped, "the frame of the second question was not dropped"
    assert [e["question"]["id"] for e in seen if e["type"] == "question.asked"] == [third]
    assert min(e["seq"] for e in seen) > last_seq + 1  # a gap: the client must resume

    await trainer.send("resume", last_seq=last_seq)
    resumed = await trainer.frame()
    assert resumed["type"] == "resumed", resumed
    seqs = [e["seq"] for e in resumed["events"]]
    assert seqs == list(range(last_seq + 1, resumed["last_seq"] + 1))
    assert set(dropped) <= set(seqs)
    assert resumed["last_seq"] >= max(e["seq"] for e in seen)
    asked = [e["question"]["id"] for e in resumed["events"] if e["type"] == "question.asked"]
    assert asked == [second, third]
    assert await trainer.receive_nothing(timeout=0.5)  # nothing is sent twice
    await trainer.leave()
    await learner.leave()


async def test_a_client_more_than_500_events_behind_gets_a_snapshot(room, monkeypatch):
    """The frames of 501 events are lost (nothing published); the next event shows the gap,
    and the resume is answered from the database with a fresh snapshot."""
    session_id = room.session.pk
    learner = await _join(session_id, room.learners[0])
    trainer = await _join(session_id, room.trainer)
    last_seq = await _last_seq(trainer)

    monkeypatch.setattr(broadcast, "publish_events", lambda session_id, events: None)
    lost_upto = await database_sync_to_async(_append_filler)(
        session_id, protocol.RESUME_MAX_EVENTS + 1
    )
    monkeypatch.undo()
    question = await _ask(learner, "after the gap")
    seen = _events(await _frames(trainer))
    assert min(e["seq"] for e in seen) > lost_upto

    await trainer.send("resume", last_seq=last_seq)
    snapshot = await trainer.frame()
    assert snapshot["type"] == "snapshot", snapshot
    assert snapshot["seq"] >= lost_upto + 1
    assert question in [q["id"] for q in snapshot["questions"]]
    assert snapshot["me"]["role"] == "trainer"
    await trainer.leave()
    await learner.leave()


async def test_exactly_500_events_behind_is_still_replayed(room, monkeypatch):
    session_id = room.session.pk
    learner = await _join(session_id, room.learners[0])
    await settle(1.5)  # the join's presence event (written once a second) goes first
    last_seq = await _last_seq(learner)
    monkeypatch.setattr(broadcast, "publish_events", lambda session_id, events: None)
    await database_sync_to_async(_append_filler)(session_id, protocol.RESUME_MAX_EVENTS - 1)
    monkeypatch.undo()
    await _ask(learner, "the 500th")
    await _frames(learner)

    await learner.send("resume", last_seq=last_seq)
    resumed = await learner.frame()
    assert resumed["type"] == "resumed", resumed["type"]
    assert [e["seq"] for e in resumed["events"]] == list(
        range(last_seq + 1, last_seq + protocol.RESUME_MAX_EVENTS + 1)
    )
    await learner.leave()


async def test_a_client_more_than_500_behind_gets_a_snapshot_from_memory_too(room):
    """The same, but the events went through the room (a tab that was away while another
    stayed), so they are all in the relay's memory."""
    session_id = room.session.pk
    learner = await _join(session_id, room.learners[0])
    away = await _join(session_id, room.trainer)
    last_seq = await _last_seq(away)
    await away.leave()
    await database_sync_to_async(_append_filler)(session_id, protocol.RESUME_MAX_EVENTS + 1)
    await _frames(learner)

    back = await _join(session_id, room.trainer)
    await _frames(back)
    await back.send("resume", last_seq=last_seq)
    answer = await back.frame()
    while answer["type"] == "batch":  # live events (presence ticks) may come before the answer
        answer = await back.frame()
    assert answer["type"] == "snapshot", (answer["type"], len(answer.get("events", [])))
    await back.leave()
    await learner.leave()


async def test_every_event_reaches_a_client_once(room):
    session_id = room.session.pk
    trainer = await _join(session_id, room.trainer)
    learner = await _join(session_id, room.learners[0])
    await _ask(learner, "one")
    await learner.leave()
    seqs = [e["seq"] for e in _events(await _frames(trainer))]
    assert seqs, "no events reached the trainer"
    assert len(seqs) == len(set(seqs)), seqs
    await trainer.leave()


async def test_a_frame_overtaken_by_a_later_one_still_reaches_the_client(room, monkeypatch):
    """Two processes commit seq n and n+1 within one tick and each sends its own frame; the
    frame of n+1 may arrive first. The client can put them in order itself (the protocol
    tells it to keep a gap open for a second); the server must not drop the late one."""
    session_id = room.session.pk
    learner = await _join(session_id, room.learners[0])
    await settle(1.5)  # the join's presence event (written once a second) goes first
    last_seq = await _last_seq(learner)
    monkeypatch.setattr(broadcast, "publish_events", lambda session_id, events: None)
    earlier, later = await database_sync_to_async(_append)(session_id, 2)
    monkeypatch.undo()

    await broadcast.send_frame(session_id, [later])
    await broadcast.send_frame(session_id, [earlier])
    seqs = [e["seq"] for e in _events(await _frames(learner))]
    assert sorted(seqs) == [last_seq + 1, last_seq + 2], seqs
    await learner.leave()
