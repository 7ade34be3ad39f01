"""From committed writes (any thread) to the live rooms: called by ``transaction.on_commit``.

When this process serves the room, events join its next tick (``fanout.Room``); otherwise
(an HTTP request in a process without that room, a management command) the frame goes to the
room's group at once.
"""

from __future__ import annotations

from asgiref.sync import async_to_sync

from live import fanout


def _room(session_id: int):
    return fanout.hub.local(session_id)


def publish_events(session_id: int, events) -> None:
    room = _room(session_id)
    if room is not None:
        room.loop.call_soon_threadsafe(room.enqueue, events)
    else:
        async_to_sync(fanout.send_frame)(session_id, events)


def counts_changed(session_id: int, *, questions=(), polls=()) -> None:
    room = _room(session_id)
    if room is not None:
        room.loop.call_soon_threadsafe(room.mark_dirty, list(questions), list(polls))
    else:
        from live.services import counts_events_append

        counts_events_append(session_id=session_id, questions=questions, polls=polls)


def room_status(session, status: str) -> None:
    """A session started or ended: tell the monitor."""
    from live.services import monitor_publish

    monitor_publish(session_id=session.pk)
