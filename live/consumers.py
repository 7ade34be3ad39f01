"""WebSocket consumers. ``LiveConsumer`` serves ``ws/live/<session_id>/`` (the protocol is
docs/live-protocol.md); ``PingConsumer`` proves the authenticated path and the channel layer.

The live consumer has no channel of its own: its room's relay (``live.fanout``) writes
broadcast frames straight to its socket. It parses each message with ``live.protocol``,
rate-limits it, and calls one service through ``live_db``.
"""

from __future__ import annotations

import contextlib
import logging
import uuid

from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone, translation
from django.utils.translation import gettext

from live import fanout, paging, protocol, selectors, services
from live.db import live_db
from live.protocol import ProtocolError

log = logging.getLogger(__name__)

CLOSE_NOT_LOGGED_IN = protocol.CLOSE_NOT_LOGGED_IN
PING_GROUP = "ping"


def _admit(user, session_id: int, language: str):
    with translation.override(language):
        admitted = selectors.admission(user, session_id)
        if isinstance(admitted, selectors.Refusal):
            return admitted, None
        return admitted, _me(admitted)


def _me(admitted: selectors.Admission) -> tuple[int, dict]:
    """The room's seq, then the personal part of a snapshot (so ``me`` is at least as new
    as that seq)."""
    return selectors.current_seq(admitted.session_id), selectors.me_state(admitted)


class LiveConsumer(AsyncWebsocketConsumer):
    # No per-connection channel: the room's relay delivers (see live.fanout).
    channel_layer_alias = None

    async def dispatch(self, message):
        # Channels closes stale DB connections (in a thread hop) before every handler;
        # our database work runs in live_db, which looks after its own connection.
        handler = getattr(self, message["type"].replace(".", "_"), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        self.admitted = None
        self.ready = False
        # Every seq up to delivered_seq was sent; ``ahead`` holds seqs sent past a gap
        # (frames of two processes may overtake each other).
        self.delivered_seq = 0
        self.ahead: set[int] = set()
        self.language = _language(self.scope)
        session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
        # Accept first: daphne drops a handshake still unanswered after its timeout, and
        # under a burst of joins admission queues for the database thread.
        await self.accept()
        admitted, me = await live_db(_admit)(self.scope.get("user"), session_id, self.language)
        if isinstance(admitted, selectors.Refusal):
            # daphne does not pass a close reason on: the reason also goes in a frame.
            await self.send(
                text_data=protocol.dumps(
                    {"type": "refused", "code": admitted.code, "reason": admitted.reason}
                )
            )
            await self.close(code=admitted.code, reason=admitted.reason)
            return
        self.admitted = admitted
        self.connection_id = uuid.uuid4().hex
        self.joined_at = timezone.now()
        self.room = await fanout.hub.room(session_id)
        self.room.add(self)
        await self.send_snapshot(me)

    async def send_snapshot(self, me: tuple[int, dict], *, fresh: bool = False) -> None:
        """The shared snapshot with this user's part spliced in, then the events that
        followed it; from then on the relay delivers. ``me`` is (seq it was read at, me)."""
        self.ready = False
        staff = self.admitted.is_staff
        me_seq, me = me
        seq, body = await self.room.snapshot_for(staff=staff, fresh=fresh, at_least=me_seq)
        tail = self.room.events_after(seq, staff=staff) or []
        await self.send(text_data=f'{body},"me":{protocol.dumps(me)}}}')
        self.delivered_seq, self.ahead = seq, set()
        if tail:
            await self.send(text_data=protocol.dumps({"type": "batch", "events": tail}))
            self.delivered_seq = tail[-1]["seq"]
        self.ready = True

    async def disconnect(self, code: int) -> None:
        if self.admitted is not None and hasattr(self, "room"):
            self.room.remove(self, timezone.now())

    # --- from the relay ------------------------------------------------------------------

    async def deliver(self, seqs: list[int], text: str) -> bool:
        """Send a frame unless the client already has every event in it."""
        if not self.ready:
            return False
        new = [s for s in seqs if s > self.delivered_seq and s not in self.ahead]
        if not new:
            return False
        self.ahead.update(new)
        while self.delivered_seq + 1 in self.ahead:
            self.delivered_seq += 1
            self.ahead.discard(self.delivered_seq)
        await self.send(text_data=text)
        return True

    async def end(self) -> None:
        with translation.override(self.language):
            reason = gettext("The session has ended.")
        self.ready = False
        await self.close(code=protocol.CLOSE_NOT_LIVE, reason=reason)

    # --- from the client -----------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None) -> None:
        if self.admitted is None:
            return
        if bytes_data is not None or text_data is None:
            await self.error(ProtocolError(protocol.MALFORMED_JSON), None, None)
            return
        if len(text_data.encode()) > protocol.MAX_FRAME_BYTES:
            await self.close(code=protocol.CLOSE_TOO_LARGE)
            return
        self.room.seen(self)
        try:
            message = protocol.parse(text_data)
        except ProtocolError as refused:
            kind, cid = protocol.peek(text_data)
            await self.error(refused, kind, cid)
            return
        try:
            await self.handle(message)
        except ProtocolError as refused:
            await self.error(refused, message.type, message.cid)
        except DatabaseError:  # e.g. "database is locked": refuse, keep the socket
            log.exception("live room %s: %s failed", self.admitted.session_id, message.type)
            await self.error(ProtocolError(protocol.TRY_AGAIN), message.type, message.cid)

    async def handle(self, message: protocol.Message) -> None:
        kind, fields, who = message.type, message.fields, self.admitted
        if kind == "heartbeat":
            await self.send(text_data='{"type":"pong"}')
            return
        if kind == "resume":
            await self.resume(fields["last_seq"])
            return
        if kind in protocol.STAFF_TYPES and not who.is_staff:
            raise ProtocolError(protocol.NOT_ALLOWED)
        bucket, limit = protocol.RATE_BUCKETS[kind]
        if not self.room.allow(who.employee_id, bucket, limit):
            raise ProtocolError(protocol.RATE_LIMITED)
        if kind == "questions.page":
            await self.questions_page(fields["before"], message.cid)
            return
        call = live_db(self.service_call)
        outcome = await call(kind, fields, message.cid)
        await self.send(
            text_data=protocol.dumps(
                {"type": "ack", "cid": message.cid, "for": kind, "id": outcome.id}
            )
        )

    def service_call(self, kind: str, fields: dict, cid: str | None) -> services.Outcome:
        who = self.admitted
        with translation.override(self.language):
            if kind == "question.ask":
                return services.question_ask(who=who, client_id=cid, **fields)
            if kind in {"question.upvote", "question.unvote"}:
                return services.question_vote(
                    who=who, question_id=fields["id"], up=kind == "question.upvote"
                )
            if kind in {"question.answer", "question.pin", "question.hide"}:
                flag = {"question.answer": "answered", "question.pin": "pinned"}.get(kind, "hidden")
                return services.question_flag(
                    who=who, question_id=fields["id"], flag=flag, value=fields[flag]
                )
            if kind == "poll.open":
                return services.poll_open(who=who, client_id=cid, **fields)
            if kind == "poll.close":
                return services.poll_close(who=who, poll_id=fields["id"])
            if kind == "poll.vote":
                return services.poll_vote(who=who, poll_id=fields["id"], choices=fields["choices"])
            return services.hand_set(who=who, raised=kind == "hand.raise")

    async def resume(self, last_seq: int) -> None:
        """The events after ``last_seq`` (from memory when it holds them all, else from the
        database), or a snapshot when the client is too far behind, or ahead of the room (a
        seq the room never reached: the client's state is not this room's)."""
        fanout.Stats.resumes += 1
        staff = self.admitted.is_staff
        current = await live_db(selectors.current_seq)(self.admitted.session_id)
        events = None
        if last_seq <= current and current - last_seq <= protocol.RESUME_MAX_EVENTS:
            events = self.room.events_after(last_seq, staff=staff)
            if events is not None and (events[-1]["seq"] if events else last_seq) < current:
                events = None  # memory has not caught up with the database yet
            if events is None:
                events = await live_db(selectors.events_since)(
                    self.admitted.session_id, last_seq, staff=staff
                )
        if events is None:  # too far behind: start again from a snapshot
            await self.send_snapshot(await live_db(_me)(self.admitted), fresh=True)
            return
        last = events[-1]["seq"] if events else last_seq
        await self.send(
            text_data=protocol.dumps({"type": "resumed", "events": events, "last_seq": last})
        )
        if last > self.delivered_seq:
            self.delivered_seq = last
            self.ahead = {s for s in self.ahead if s > last}

    async def questions_page(self, before: int, cid: str | None) -> None:
        """Older questions, as new as what this socket was sent: the events the room
        remembers after the page's seq are applied to it before it goes out."""
        staff = self.admitted.is_staff
        seq, page = await live_db(paging.questions_page)(
            self.admitted.session_id, before=before, staff=staff
        )
        page = paging.page_apply(page, self.room.remembered_after(seq, staff=staff), staff=staff)
        await self.send(
            text_data=protocol.dumps(
                {
                    "type": "questions.page",
                    "cid": cid,
                    "questions": page["questions"],
                    "before": page["before"],
                }
            )
        )

    async def error(self, refused: ProtocolError, kind: str | None, cid: str | None) -> None:
        with translation.override(self.language):
            message = refused.message
        await self.send(
            text_data=protocol.dumps(
                {"type": "error", "code": refused.code, "message": message, "cid": cid, "for": kind}
            )
        )


def _language(scope) -> str:
    """The user's chosen language, as the pages pick it (``hub.middleware``)."""
    chosen = (scope.get("cookies") or {}).get(settings.LANGUAGE_COOKIE_NAME)
    if chosen:
        with contextlib.suppress(LookupError):
            return translation.get_supported_language_variant(chosen)
    return settings.LANGUAGE_CODE


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
