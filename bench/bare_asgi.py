"""The naive ceiling for ``bench/live_load.py``: a bare Channels consumer, no database, no
authentication, no Origin check. Every message a client sends is one ``group_send`` to the
room, and the group handler sends it on with one ``send_json`` to each client (a
``heartbeat`` is only answered with a ``pong`` to its sender, as the real server does).

    .venv/bin/daphne -b 127.0.0.1 -p 8765 bare_asgi:application   (run from bench/)

It uses the project's settings for the channel layer only (in-memory, or Redis when
REDIS_URL is set, with the same capacity and prefix), so both servers are measured on the
same layer. A bench-only module: nothing in the site imports it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.dev")

import django

django.setup()

from channels.generic.websocket import AsyncJsonWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

ROOM = "bare-room"


class BareBroadcastConsumer(AsyncJsonWebsocketConsumer):
    """Joins the one room; echoes every received message to everyone in it."""

    async def connect(self) -> None:
        await self.channel_layer.group_add(ROOM, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(ROOM, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        if content.get("type") == "heartbeat":  # answered to the sender only, as ours does
            await self.send_json({"type": "pong"})
            return
        await self.channel_layer.group_send(ROOM, {"type": "room.message", "content": content})

    async def room_message(self, event: dict) -> None:
        await self.send_json(event["content"])


application = ProtocolTypeRouter(
    {"websocket": URLRouter([path("ws/live/<int:session_id>/", BareBroadcastConsumer.as_asgi())])}
)
