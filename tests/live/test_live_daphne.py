"""The live protocol over a real daphne started as ``make serve`` starts it: a big room can
be joined (its snapshot is compact, older questions come in pages) and an oversized client
frame closes the socket with the documented 4413 (docs/live-protocol.md §1, §4)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

import pytest
from channels.db import database_sync_to_async
from websockets.exceptions import ConnectionClosed

from live import protocol
from live.models import Question
from tests.live.live_helpers import make_room
from tests.live.wire import WireClient, session_cookie
from tests.servers import (
    free_port,
    makefile_daphne_options,
    server_env,
    start_daphne,
    stop,
    wait_for_port,
)

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

BIG_ROOM = 300  # questions of 500 characters: ~450 KB of text in UTF-8
SNAPSHOT_MAX_BYTES = 64 * 1024


@pytest.fixture(scope="module")
def daphne(django_db_setup, tmp_path_factory) -> Iterator[str]:
    from django.db import connection

    env = server_env(connection.settings_dict)
    env.pop("REDIS_URL", None)  # one process: the in-memory layer
    env["CHANNEL_LAYER_PREFIX"] = f"lectern-daphne-{uuid.uuid4().hex}"
    port = free_port()
    log = tmp_path_factory.mktemp("daphne") / "daphne.log"
    server = start_daphne(port, env, log, makefile_daphne_options("serve"))
    try:
        wait_for_port(port, server, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(server)


@pytest.fixture
def big_room(transactional_db):
    room = make_room(learners=2)
    Question.objects.bulk_create(
        [
            Question(
                session=room.session,
                author=room.learners[i % 2],
                text=f"{i:03d}" + "怎" * (protocol.QUESTION_MAX - 3),
                votes=i % 7,
            )
            for i in range(BIG_ROOM)
        ]
    )
    room.cookies = {p.pk: session_cookie(p) for p in [room.trainer, *room.learners]}
    yield room
    time.sleep(1.2)  # daphne's room writes its last leaves


@pytest.fixture
def small_room(transactional_db):
    room = make_room(learners=1)
    room.cookies = {p.pk: session_cookie(p) for p in room.learners}
    yield room
    time.sleep(1.2)  # daphne's room writes its last leaves


async def _all_questions(client: WireClient) -> list[dict]:
    """The snapshot's questions, then every page of older ones."""
    questions = list(client.snapshot["questions"])
    before = client.snapshot["questions_before"]
    while before is not None:
        cid = uuid.uuid4().hex
        await client.send("questions.page", before=before, cid=cid)
        page = await client.until(lambda f, c=cid: f.get("cid") == c)
        assert page["type"] == "questions.page", page
        assert all(q["id"] < before for q in page["questions"])
        questions.extend(page["questions"])
        before = page["before"]
    return questions


@pytest.mark.parametrize("who", ["learner", "trainer"])
async def test_a_room_of_300_long_questions_is_joined_with_a_compact_snapshot(
    daphne, big_room, who
):
    person = big_room.learners[0] if who == "learner" else big_room.trainer
    client = await WireClient.join(daphne, big_room.session.pk, big_room.cookies[person.pk])
    size = len(json.dumps(client.snapshot, ensure_ascii=False).encode())
    assert size < SNAPSHOT_MAX_BYTES, size
    assert client.snapshot["questions_before"] is not None

    questions = await _all_questions(client)
    stored = await database_sync_to_async(
        lambda: set(Question.objects.filter(session=big_room.session).values_list("pk", flat=True))
    )()
    ids = [q["id"] for q in questions]
    assert set(ids) == stored
    # Pages hold each older question once (the snapshot's top questions may come again).
    paged = ids[len(client.snapshot["questions"]) :]
    assert len(paged) == len(set(paged))
    assert all(len(q["text"]) == protocol.QUESTION_MAX for q in questions)
    await client.close()


async def test_a_frame_over_16_kb_closes_with_4413_and_one_under_it_does_not(daphne, small_room):
    cookie = small_room.cookies[small_room.learners[0].pk]
    client = await WireClient.join(daphne, small_room.session.pk, cookie)
    filler = "x" * (protocol.MAX_FRAME_BYTES - 60)
    await client.send("question.ask", text=filler, cid="fits")
    refused = await client.until(lambda f: f.get("cid") == "fits")
    assert refused["code"] == protocol.TEXT_TOO_LONG  # read and answered, socket open

    await client.send("question.ask", text="x" * (protocol.MAX_FRAME_BYTES + 1000))
    closed = await client.until(lambda f: f["type"] == "closed")
    assert closed["code"] == protocol.CLOSE_TOO_LARGE
    with pytest.raises(ConnectionClosed):
        await client.send("heartbeat")
    await client.close()
