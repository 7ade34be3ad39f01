"""Delivery of a room's frames: one failing socket does not stop the frame for the others."""

import pytest
from autobahn.exception import Disconnected

from live import fanout
from tests.live.live_helpers import settle
from tests.live.test_live_questions import join, leave

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_a_socket_closing_mid_tick_does_not_stop_the_frame_for_the_others(room, sockets):
    """The first learner's socket is closing when the tick writes to it (daphne raises
    autobahn's ``Disconnected``): the other learner and the trainer still get the event."""
    closing, asker, trainer = await join(sockets, "learner0", "learner1", "trainer")
    live_room = fanout.hub.rooms[room.session.pk]
    (closing_consumer,) = [
        c for c in live_room.learners if c.admitted.employee_id == room.learners[0].pk
    ]

    async def send(*args, **kwargs):
        raise Disconnected("Attempt to send on a closed protocol")

    closing_consumer.send = send
    failures = fanout.Stats.send_failures
    # Learners are written to before staff: were a failure to stop the loop, the trainer
    # would never get the frame.
    question = (await asker.ask("谁还能收到"))["id"]
    heard = [await s.until("question.asked") for s in (asker, trainer)]
    assert [e["question"]["id"] for e in heard] == [question, question]
    assert fanout.Stats.send_failures > failures
    await settle()
    await leave(asker, trainer, closing)
