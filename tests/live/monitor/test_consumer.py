"""``/ws/live/monitor/`` through ``hub.asgi``: refusals, the snapshot, and room updates
forwarded only to those who may see the room."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from hub.asgi import application
from live.monitor.broadcast import monitor_room_update, monitor_room_update_sync
from live.monitor.consumers import CLOSE_FORBIDDEN, CLOSE_NOT_LOGGED_IN
from tests.factories import BranchFactory, EmployeeFactory, make_hq_admin, make_manager
from tests.live.monitor.factories import ask, live_session, make_trainer, present, raise_hand
from tests.live.test_ping import LOCAL, TIMEOUT, headers_for, private_channel_layer

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

__all__ = ["private_channel_layer"]  # the autouse fixture: a Redis prefix of our own

MONITOR_PATH = "/ws/live/monitor/"


class MonitorSocket(WebsocketCommunicator):
    async def connect(self):
        return await super().connect(timeout=TIMEOUT)

    async def receive_json_from(self):
        return await super().receive_json_from(timeout=TIMEOUT)


@asynccontextmanager
async def monitor_socket(headers: list) -> AsyncIterator[MonitorSocket]:
    communicator = MonitorSocket(application, MONITOR_PATH, headers=headers)
    try:
        yield communicator
    finally:
        if not communicator.future.cancelled() and not communicator.future.done():
            await communicator.disconnect(timeout=TIMEOUT)


async def open_monitor(headers: list) -> tuple[MonitorSocket, dict]:
    """Connect and read the snapshot (caller disconnects)."""
    communicator = MonitorSocket(application, MONITOR_PATH, headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    snapshot = await communicator.receive_json_from()
    assert snapshot["type"] == "snapshot"
    return communicator, snapshot


async def assert_closed_with(communicator: MonitorSocket, code: int) -> None:
    connected, _ = await communicator.connect()
    assert connected  # accepted, so the browser sees the close code
    message = await communicator.receive_output(timeout=TIMEOUT)
    assert message["type"] == "websocket.close"
    assert message["code"] == code
    assert message.get("reason")


def _update(session, **overrides) -> dict:
    kwargs = {
        "session_id": session.pk,
        "branch_id": session.branch_id,
        "title": session.title,
        "present": 7,
        "questions": 3,
        "hands": 1,
        "status": "live",
    }
    return {**kwargs, **overrides}


async def test_anonymous_user_is_closed_with_4401():
    async with monitor_socket(LOCAL) as communicator:
        await assert_closed_with(communicator, CLOSE_NOT_LOGGED_IN)


async def test_learner_is_closed_with_4403():
    headers = await database_sync_to_async(lambda: headers_for(EmployeeFactory()))()
    async with monitor_socket(headers) as communicator:
        await assert_closed_with(communicator, CLOSE_FORBIDDEN)


async def test_hq_snapshot_lists_live_rooms_with_their_figures():
    @database_sync_to_async
    def build():
        hq = make_hq_admin()
        trainer = make_trainer(name="李老师")
        session = live_session(trainers=[trainer], branch=BranchFactory(name="上海分公司"))
        learner, other = EmployeeFactory.create_batch(2)
        present(session, learner)
        present(session, other)
        ask(session, learner)
        raise_hand(session, other)
        quiet = live_session()
        return headers_for(hq), session, quiet

    headers, session, quiet = await build()
    communicator, snapshot = await open_monitor(headers)
    try:
        rooms = {room["session_id"]: room for room in snapshot["rooms"]}
        assert set(rooms) == {session.pk, quiet.pk}
        room = rooms[session.pk]
        assert room["title"] == session.title
        assert room["branch"] == "上海分公司"
        assert room["trainers"] == ["李老师"]
        assert (room["present"], room["questions"], room["hands"]) == (2, 1, 1)
        assert room["status"] == "live"
        assert rooms[quiet.pk]["branch_id"] is None
    finally:
        await communicator.disconnect(timeout=TIMEOUT)


async def test_update_is_forwarded_to_hq_and_to_the_branch_manager_but_not_another_manager():
    @database_sync_to_async
    def build():
        branch, other_branch = BranchFactory.create_batch(2)
        session = live_session(branch=branch)
        return (
            session,
            headers_for(make_hq_admin()),
            headers_for(make_manager(branch)),
            headers_for(make_manager(other_branch)),
        )

    session, hq_headers, manager_headers, other_headers = await build()
    hq, _ = await open_monitor(hq_headers)
    manager, manager_snapshot = await open_monitor(manager_headers)
    other, other_snapshot = await open_monitor(other_headers)
    try:
        assert [r["session_id"] for r in manager_snapshot["rooms"]] == [session.pk]
        assert other_snapshot["rooms"] == []

        await monitor_room_update(**_update(session))

        expected = {"type": "room", "room": _update(session)}
        assert await hq.receive_json_from() == expected
        assert await manager.receive_json_from() == expected
        assert await other.receive_nothing(timeout=0.3)
    finally:
        for communicator in (hq, manager, other):
            await communicator.disconnect(timeout=TIMEOUT)


async def test_company_wide_rooms_reach_managers_and_trainers_get_only_their_own():
    @database_sync_to_async
    def build():
        trainer = make_trainer()
        taught = live_session(trainers=[trainer], branch=BranchFactory())
        company = live_session()
        return taught, company, headers_for(trainer), headers_for(make_manager(BranchFactory()))

    taught, company, trainer_headers, manager_headers = await build()
    trainer, _ = await open_monitor(trainer_headers)
    manager, _ = await open_monitor(manager_headers)
    try:
        await monitor_room_update(**_update(company, present=40))
        assert (await manager.receive_json_from())["room"]["present"] == 40
        assert await trainer.receive_nothing(timeout=0.3)

        await monitor_room_update(**_update(taught, status="ended"))
        assert (await trainer.receive_json_from())["room"] == _update(taught, status="ended")
        assert await manager.receive_nothing(timeout=0.3)
    finally:
        await trainer.disconnect(timeout=TIMEOUT)
        await manager.disconnect(timeout=TIMEOUT)


async def test_the_sync_variant_reaches_the_monitor_too():
    @database_sync_to_async
    def build():
        return live_session(), headers_for(make_hq_admin())

    session, headers = await build()
    communicator, _ = await open_monitor(headers)
    try:
        await sync_to_async(monitor_room_update_sync)(**_update(session, hands=9))
        assert (await communicator.receive_json_from())["room"]["hands"] == 9
    finally:
        await communicator.disconnect(timeout=TIMEOUT)


async def test_a_client_frame_is_ignored_and_the_socket_stays_open():
    @database_sync_to_async
    def build():
        return live_session(), headers_for(make_hq_admin())

    session, headers = await build()
    communicator, _ = await open_monitor(headers)
    try:
        await communicator.send_to(text_data='{"type": "question.ask", "text": "x"}')
        assert await communicator.receive_nothing(timeout=0.2)
        await monitor_room_update(**_update(session))
        assert (await communicator.receive_json_from())["type"] == "room"
    finally:
        await communicator.disconnect(timeout=TIMEOUT)


async def test_a_bad_status_is_refused_before_anything_is_sent():
    with pytest.raises(ValueError, match="status"):
        await monitor_room_update(
            session_id=1, branch_id=None, title="t", present=0, questions=0, hands=0, status="x"
        )
