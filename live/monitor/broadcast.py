"""The HQ live monitor's feed: one channel-layer message per room update.

The room flusher calls ``monitor_room_update`` at most once a second per room and when a
session starts or ends; HTTP code paths call ``monitor_room_update_sync``. Every monitor
socket is in ``MONITOR_GROUP`` and forwards only the rooms its user may see.
"""

from __future__ import annotations

from typing import Literal

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

MONITOR_GROUP = "live.monitor"
# The consumer's handler for it is ``monitor_room``.
MONITOR_MESSAGE = "monitor.room"

RoomStatus = Literal["live", "ended"]


def room_message(
    *,
    session_id: int,
    branch_id: int | None,
    title: str,
    present: int,
    questions: int,
    hands: int,
    status: RoomStatus,
) -> dict:
    """The ``room`` object clients of ``/ws/live/monitor/`` receive (snapshot rows and
    updates share this shape)."""
    return {
        "session_id": int(session_id),
        "branch_id": None if branch_id is None else int(branch_id),
        "title": str(title),
        "present": int(present),
        "questions": int(questions),
        "hands": int(hands),
        "status": status,
    }


async def monitor_room_update(
    *,
    session_id: int,
    branch_id: int | None,
    title: str,
    present: int,
    questions: int,
    hands: int,
    status: RoomStatus,
) -> None:
    """Tell every monitor that a room's figures changed (or that it started or ended).

    One ``group_send`` to ``MONITOR_GROUP``; nothing is stored. ``branch_id`` is None for a
    company-wide session. A message lost by the channel layer is repaired by the next update
    or a monitor's reconnect (which sends a fresh snapshot).
    """
    if status not in ("live", "ended"):
        raise ValueError(f"monitor status must be 'live' or 'ended', not {status!r}")
    layer = get_channel_layer()
    if layer is None:
        return
    room = room_message(
        session_id=session_id,
        branch_id=branch_id,
        title=title,
        present=present,
        questions=questions,
        hands=hands,
        status=status,
    )
    await layer.group_send(MONITOR_GROUP, {"type": MONITOR_MESSAGE, "room": room})


def monitor_room_update_sync(
    *,
    session_id: int,
    branch_id: int | None,
    title: str,
    present: int,
    questions: int,
    hands: int,
    status: RoomStatus,
) -> None:
    """``monitor_room_update`` for synchronous code (views, services via ``on_commit``)."""
    async_to_sync(monitor_room_update)(
        session_id=session_id,
        branch_id=branch_id,
        title=title,
        present=present,
        questions=questions,
        hands=hands,
        status=status,
    )
