import time
import uuid

import pytest

from tests.live.live_helpers import LiveSocket, headers_for, make_room


@pytest.fixture(autouse=True)
def private_channel_layer(settings):
    """Each test its own Redis key prefix (xdist workers share one Redis)."""
    layer = settings.CHANNEL_LAYERS["default"]
    if layer["BACKEND"] == "channels_redis.core.RedisChannelLayer":
        config = {**layer.get("CONFIG", {}), "prefix": f"test-{uuid.uuid4().hex}"}
        settings.CHANNEL_LAYERS = {"default": {**layer, "CONFIG": config}}


@pytest.fixture
def room(transactional_db):
    yield make_room()
    # A room's last tick may still be writing in the database thread: let it finish before
    # the tables are flushed (on PostgreSQL the flush's TRUNCATE can deadlock with it).
    time.sleep(1.2)


@pytest.fixture
def sockets(room):
    """``sockets(who)`` → a LiveSocket for ``who`` ("learner0", "trainer", "hq", ...);
    every socket is disconnected at the end."""
    made: list[LiveSocket] = []
    people = {
        "trainer": room.trainer,
        "hq": room.hq,
        "outsider": room.outsider,
        "waitlisted": room.waitlisted,
        **{f"learner{i}": person for i, person in enumerate(room.learners)},
    }
    headers = {name: headers_for(person) for name, person in people.items()}

    def make(who: str) -> LiveSocket:
        socket = LiveSocket(room.session.pk, headers[who])
        made.append(socket)
        return socket

    yield make
    # Disconnecting needs the event loop of the test, which has ended: the communicators
    # were disconnected there (``LiveSocket.leave``); cancel what is left.
    for socket in made:
        if not socket.future.done():
            socket.future.cancel()
