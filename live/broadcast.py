"""From committed writes (any thread) to the live rooms: called by ``transaction.on_commit``.

When this process serves the room, events join its next tick (``fanout.Room``); otherwise
(an HTTP request in a process without that room, a management command) the frame goes to the
room's group at once.

The rooms a process serves are ``live.fanout``'s: it registers its lookup here
(``serve_rooms``) when it is imported, so this module (below services, presence and fanout)
imports none of them. A process that never imported ``fanout`` serves no rooms.
"""

from __future__ import annotations

from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from live import selectors


def _no_rooms(session_id: int):
    return None


_local_room: Callable[[int], object | None] = _no_rooms


def serve_rooms(lookup: Callable[[int], object | None]) -> None:
    """Register how to find a room this process serves (``fanout.Hub.local``)."""
    global _local_room
    _local_room = lookup


def local_room(session_id: int):
    """The room of ``session_id`` this process serves (``fanout.Room``), or None."""
    return _local_room(session_id)


def group_name(session_id: int) -> str:
    return f"live.{session_id}"


async def send_frame(session_id: int, events) -> None:
    """Send committed events to every process serving the room (one layer message)."""
    if not events:
        return
    await get_channel_layer().group_send(
        group_name(session_id),
        {
            "type": "live.frame",
            "session": session_id,
            "learner": [selectors.event_data(e, staff=False) for e in events],
            "staff": [selectors.event_data(e, staff=True) for e in events],
        },
    )


def publish_events(session_id: int, events) -> None:
    room = local_room(session_id)
    if room is not None:
        room.loop.call_soon_threadsafe(room.enqueue, events)
    else:
        async_to_sync(send_frame)(session_id, events)
