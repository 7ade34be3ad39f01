"""Several daphne processes share live rooms through the Redis channel layer: two daphne
subprocesses on loopback, one Redis, real WebSocket clients (docs/live-protocol.md).

Needs REDIS_URL (CI's second pass sets it); without it every test here is skipped. The
idle-minute test was seen to fail (a /ws/ping/ socket closed with 1011, the relays' reads
failing ~10 times a minute) with redis-py's default ``socket_timeout=5`` in the layer config.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from channels.db import database_sync_to_async
from django.conf import settings

from live.models import LiveEvent
from tests.live.live_helpers import make_room
from tests.live.wire import WireClient, open_socket, session_cookie
from tests.servers import free_port, server_env, start_daphne, stop, wait_for_port

pytestmark = [
    pytest.mark.skipif(
        not settings.REDIS_URL, reason="several daphne processes share rooms only through Redis"
    ),
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
]

IDLE_SECONDS = 62  # over a minute without a message from the server's side
HEARTBEAT_EVERY = 20  # the protocol's heartbeat (docs/live-protocol.md §3)
IDLE_CLIENTS = 20
# Seconds for daphne's rooms to write the last leaves (live.fanout.PRESENCE_FLUSH) and
# the monitor figures that follow them (MONITOR_EVERY), plus ticks.
SETTLE = 3.0
LINGER_PAST = 6.5  # longer than live.fanout.LINGER plus a tick: the room is let go


@dataclass(frozen=True)
class Pair:
    """Two daphne processes sharing one Redis prefix and the test database."""

    first: str
    second: str
    prefix: str
    logs: tuple[Path, Path]

    def layer_failures(self) -> int:
        """Times the relays' blocking read on the layer failed (logged by live.fanout)."""
        return sum(log.read_text().count("live relay: receive failed") for log in self.logs)


@pytest.fixture(scope="module")
def daphnes(django_db_setup, tmp_path_factory) -> Iterator[Pair]:
    from django.db import connection

    prefix = f"lectern-scaleout-{uuid.uuid4().hex}"
    env = server_env(connection.settings_dict, REDIS_URL=settings.REDIS_URL)
    env["CHANNEL_LAYER_PREFIX"] = prefix
    logs = tmp_path_factory.mktemp("daphnes")
    ports = [free_port(), free_port()]
    while ports[1] == ports[0]:
        ports[1] = free_port()
    log_paths = (logs / f"daphne-{ports[0]}.log", logs / f"daphne-{ports[1]}.log")
    servers = [start_daphne(port, env, log) for port, log in zip(ports, log_paths, strict=True)]
    try:
        for port, server, log in zip(ports, servers, log_paths, strict=True):
            wait_for_port(port, server, log)
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        yield Pair(urls[0], urls[1], prefix, log_paths)
    finally:
        for server in servers:
            stop(server)
        store = redis.Redis.from_url(settings.REDIS_URL)
        for key in store.scan_iter(f"{prefix}*"):
            store.delete(key)
        store.close()


@pytest.fixture
def room(transactional_db):
    room = make_room(learners=IDLE_CLIENTS)
    room.cookies = {person.pk: session_cookie(person) for person in [room.trainer, *room.learners]}
    yield room
    # Let daphne write the last leaves before the tables are flushed: a presence transaction
    # still open during the flush's TRUNCATE can deadlock with it on PostgreSQL.
    time.sleep(SETTLE)


def _events_after(session_id: int, seq: int) -> list[tuple[int, str]]:
    return list(
        LiveEvent.objects.filter(session_id=session_id, seq__gt=seq)
        .order_by("seq")
        .values_list("seq", "type")
    )


async def test_a_question_asked_on_one_process_reaches_a_client_of_the_other(daphnes, room):
    session_id = room.session.pk
    learner = await WireClient.join(daphnes.first, session_id, room.cookies[room.learners[0].pk])
    trainer = await WireClient.join(daphnes.second, session_id, room.cookies[room.trainer.pk])

    question_id = await learner.ask("怎么做连带销售")
    heard_by_trainer = await trainer.asked(question_id)
    heard_by_learner = await learner.asked(question_id)

    stored = await database_sync_to_async(_events_after)(session_id, 0)
    assert heard_by_trainer["seq"] == heard_by_learner["seq"]
    assert (heard_by_trainer["seq"], "question.asked") in stored
    assert heard_by_trainer["question"]["text"] == "怎么做连带销售"
    await learner.close()
    await trainer.close()


async def _miss_two_and_resume(daphnes: Pair, room, *, away: float, back_on: str) -> None:
    """The trainer, on the second process, misses two questions while disconnected, comes
    back on ``back_on`` and resumes: exactly the events it missed arrive, in order, once."""
    session_id = room.session.pk
    learner = await WireClient.join(daphnes.first, session_id, room.cookies[room.learners[0].pk])
    trainer = await WireClient.join(daphnes.second, session_id, room.cookies[room.trainer.pk])
    await trainer.asked(await learner.ask("第一个问题"))
    last_seq = trainer.last_seq
    await trainer.close()

    missed = [await learner.ask("第二个问题"), await learner.ask("第三个问题")]
    await learner.asked(missed[-1])
    await asyncio.sleep(away)

    trainer = await WireClient.join(back_on, session_id, room.cookies[room.trainer.pk])
    await trainer.send("resume", last_seq=last_seq)
    resumed = await trainer.until(lambda f: f["type"] in {"resumed", "snapshot"})
    stored = await database_sync_to_async(_events_after)(session_id, last_seq)

    assert resumed["type"] == "resumed", resumed
    events = resumed["events"]
    asked = [e["question"]["id"] for e in events if e["type"] == "question.asked"]
    assert asked == missed, events
    assert [(e["seq"], e["type"]) for e in events] == stored[: len(events)]
    assert [e["seq"] for e in events] == list(range(last_seq + 1, last_seq + 1 + len(events)))
    assert resumed["last_seq"] == events[-1]["seq"]

    # Afterwards nothing the client already has comes again, and new events still come.
    later = await learner.ask("第四个问题")
    after: list[dict] = []

    def collect(frame: dict) -> bool:
        if frame["type"] not in {"batch", "resumed"}:
            return False
        after.extend(frame["events"])
        return any(e.get("question", {}).get("id") == later for e in frame["events"])

    await trainer.until(collect)
    assert all(e["seq"] > resumed["last_seq"] for e in after), after
    await learner.close()
    await trainer.close()


async def test_resume_on_the_same_process_returns_exactly_the_missed_events(daphnes, room):
    await _miss_two_and_resume(daphnes, room, away=0, back_on=daphnes.second)


async def test_resume_on_the_other_process_returns_exactly_the_missed_events(daphnes, room):
    await _miss_two_and_resume(daphnes, room, away=0, back_on=daphnes.first)


async def test_resume_after_the_process_let_the_room_go_returns_the_missed_events(daphnes, room):
    """The trainer was the second process's only client: after LINGER its room is gone, and
    the room made for the returning trainer knows nothing of what happened before it."""
    await _miss_two_and_resume(daphnes, room, away=LINGER_PAST, back_on=daphnes.second)


async def test_an_idle_minute_keeps_every_socket_open(daphnes, room):
    """Twenty live clients on the two processes, and a /ws/ping/ socket on each (a consumer
    with a channel of its own), nothing but the protocol's heartbeats for over a minute.
    With redis-py 8's default 5 s read timeout the layer's blocking read fails about every
    5 s: the ping consumers crashed and closed with 1011, and the live relays logged failed
    reads. Configured as in hub/settings/base.py nothing fails and nothing closes."""
    session_id = room.session.pk
    servers = [daphnes.first, daphnes.second]
    clients = [
        await WireClient.join(servers[i % 2], session_id, room.cookies[person.pk])
        for i, person in enumerate(room.learners)
    ]
    pings = [await open_socket(url, "/ws/ping/", room.cookies[room.trainer.pk]) for url in servers]
    failures_before = daphnes.layer_failures()

    started = time.monotonic()
    beats = range(HEARTBEAT_EVERY, IDLE_SECONDS, HEARTBEAT_EVERY)  # 20, 40, 60 s
    for at in [*beats, IDLE_SECONDS]:
        await asyncio.sleep(max(0.0, at - (time.monotonic() - started)))
        if at in beats:
            for client in clients:
                await client.send("heartbeat")
    await asyncio.sleep(1)

    closed = {i: c.close_code for i, c in enumerate(clients) if c.close_code is not None}
    assert not closed, f"closed during the idle minute (index: code): {closed}"
    assert [c.pongs for c in clients] == [len(beats)] * len(clients)
    for ping in pings:
        assert ping.close_code is None, f"/ws/ping/ closed with {ping.close_code}"
        await ping.send(json.dumps({"type": "ping", "id": "still-here"}))
        answer = json.loads(await asyncio.wait_for(ping.recv(), 10))
        assert answer == {"type": "pong", "id": "still-here"}
        await ping.close()
    assert daphnes.layer_failures() == failures_before

    question_id = await clients[0].ask("大家还在吗")
    heard = [await client.asked(question_id) for client in clients]
    assert len({event["seq"] for event in heard}) == 1
    for client in clients:
        await client.close()
