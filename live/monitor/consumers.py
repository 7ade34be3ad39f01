"""``/ws/live/monitor/``: the live monitor's socket. On connect it sends a snapshot of the
rooms live now that the user may see, then forwards the room updates of those rooms.

Server frames::

    {"type": "snapshot", "rooms": [<room>, ...]}
    {"type": "room", "room": <room>}          # status "live" (new or changed) or "ended"

A room is ``{"session_id", "branch_id", "title", "present", "questions", "hands",
"status"}``; snapshot rooms also carry ``branch``, ``starts_at``, ``ends_at``, ``trainers``.
The client sends nothing (any frame is ignored). Close codes follow docs/live-protocol.md.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils.translation import gettext as _

from live.monitor.broadcast import MONITOR_GROUP
from live.monitor.selectors import MonitorScope, monitor_scope, monitor_snapshot

CLOSE_NOT_LOGGED_IN = 4401
CLOSE_FORBIDDEN = 4403


class MonitorConsumer(AsyncJsonWebsocketConsumer):
    scope_of_user: MonitorScope | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        # Accept first so the close code reaches the browser (a refused handshake has none).
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_LOGGED_IN, reason=_("Log in to watch live sessions."))
            return
        visible = await database_sync_to_async(monitor_scope)(user)
        if visible is None:
            await self.close(
                code=CLOSE_FORBIDDEN, reason=_("The live monitor is for HQ, managers and trainers.")
            )
            return
        self.scope_of_user = visible
        # Join before reading the snapshot, so no update between the two is missed.
        await self.channel_layer.group_add(MONITOR_GROUP, self.channel_name)
        rooms = await database_sync_to_async(monitor_snapshot)(scope=visible)
        await self.send_json({"type": "snapshot", "rooms": rooms})

    async def disconnect(self, code: int) -> None:
        if self.scope_of_user is not None:
            await self.channel_layer.group_discard(MONITOR_GROUP, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        """The monitor is read-only: client frames are ignored."""

    async def monitor_room(self, event: dict) -> None:
        room = event["room"]
        visible = self.scope_of_user
        if visible is not None and visible.allows(
            session_id=room["session_id"], branch_id=room["branch_id"]
        ):
            await self.send_json({"type": "room", "room": room})
