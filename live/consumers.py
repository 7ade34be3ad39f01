"""WebSocket consumers. ``PingConsumer`` proves the authenticated path and the channel layer."""

from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer

CLOSE_NOT_LOGGED_IN = 4401
PING_GROUP = "ping"


class PingConsumer(AsyncJsonWebsocketConsumer):
    """``/ws/ping/``: logged-in users only. Replies to ``{"type": "ping"}`` with a ``pong``
    that travels through the channel layer (group send), so a working reply proves the layer.
    """

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_LOGGED_IN)
            return
        self.user_group = f"{PING_GROUP}.{user.pk}"
        await self.channel_layer.group_add(self.user_group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "user_group"):
            await self.channel_layer.group_discard(self.user_group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        if not isinstance(content, dict) or content.get("type") != "ping":
            await self.send_json({"type": "error", "code": "bad_message"})
            return
        await self.channel_layer.group_send(
            self.user_group, {"type": "ping.pong", "echo": str(content.get("id", ""))[:64]}
        )

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        try:
            await super().receive(text_data=text_data, bytes_data=bytes_data, **kwargs)
        except ValueError:  # malformed JSON: answer with an error, keep the socket
            await self.send_json({"type": "error", "code": "malformed_json"})

    async def ping_pong(self, event: dict) -> None:
        await self.send_json({"type": "pong", "id": event["echo"]})
