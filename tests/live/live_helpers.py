"""Builders and a WebSocket client for the live-room tests (docs/live-protocol.md)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from hub.asgi import application
from hub.organisation.models import Employee
from hub.sessions.models import Session
from live.models import LiveRoom
from tests.factories import PASSWORD, EmployeeFactory, EnrolmentFactory, make_hq_admin
from tests.hub.sessions.helpers import live_session, make_trainer

LOCAL = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
TIMEOUT = 5.0


def headers_for(employee: Employee | None, language: str | None = None) -> list:
    headers = list(LOCAL)
    cookies = []
    if employee is not None:
        client = Client()
        assert client.login(username=employee.user.username, password=PASSWORD)
        cookies.append(
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
    if language:
        cookies.append(f"{settings.LANGUAGE_COOKIE_NAME}={language}")
    if cookies:
        headers.append((b"cookie", "; ".join(cookies).encode()))
    return headers


@dataclass
class Room:
    session: Session
    trainer: Employee
    learners: list[Employee]
    waitlisted: Employee
    outsider: Employee
    hq: Employee


def make_room(learners: int = 3, **session_kwargs) -> Room:
    trainer = make_trainer()
    session = live_session(trainer, mode="live_online", **session_kwargs)
    LiveRoom.objects.create(session=session)  # as session_start makes it
    people = [EmployeeFactory() for _ in range(learners)]
    for person in people:
        EnrolmentFactory(session=session, learner=person)
    waitlisted = EmployeeFactory()
    EnrolmentFactory(session=session, learner=waitlisted, status="waitlisted")
    return Room(session, trainer, people, waitlisted, EmployeeFactory(), make_hq_admin())


class LiveSocket(WebsocketCommunicator):
    """A live-room client: joins, sends protocol messages, and reads frames with events
    flattened out of ``batch`` frames (keeping ``last_seq`` as a real client would)."""

    def __init__(self, session_id: int, headers: list) -> None:
        super().__init__(application, f"/ws/live/{session_id}/", headers=headers)
        self.pending: list[dict] = []
        self.last_seq = 0
        self.snapshot: dict | None = None

    async def join(self) -> dict:
        connected, _ = await self.connect(timeout=TIMEOUT)
        assert connected
        frame = await self.frame()
        assert frame["type"] == "snapshot", frame
        self.snapshot = frame
        self.last_seq = frame["seq"]
        self.questions = {q["id"]: q for q in frame["questions"]}
        # Events that followed the shared snapshot come straight after it.
        if not await self.receive_nothing(timeout=0.2):
            tail = await self.frame()
            assert tail["type"] == "batch", tail
            for event in tail["events"]:
                self.apply(event)
        return frame

    def apply(self, event: dict) -> None:
        """Keep ``questions`` as a client would (docs/live-protocol.md §2)."""
        if event["seq"] <= self.last_seq:
            return
        self.last_seq = event["seq"]
        kind = event["type"]
        if kind == "question.asked":
            self.questions[event["question"]["id"]] = event["question"]
        elif kind == "question.votes":
            for pk, votes in event["counts"].items():
                if int(pk) in self.questions:
                    self.questions[int(pk)]["votes"] = votes
        elif kind == "question.hidden" and "question" in event:
            self.questions[event["id"]] = event["question"]
        elif kind == "question.hidden":
            self.questions.pop(event["id"], None)
        elif kind in {"question.answered", "question.pinned"}:
            flag = kind.split(".")[1]
            if event["id"] in self.questions:
                self.questions[event["id"]][flag] = event[flag]

    def question_order(self) -> list[int]:
        """Question ids in the order clients show them: pinned, votes, time."""
        ordered = sorted(
            self.questions.values(),
            key=lambda q: (not q["pinned"], -q["votes"], q["asked_at"], q["id"]),
        )
        return [q["id"] for q in ordered]

    async def refused(self) -> dict:
        """Connect and return the close message of a refused join."""
        connected, _ = await self.connect(timeout=TIMEOUT)
        assert connected  # accepted, then closed with a code the client can read
        refused = json.loads((await self.receive_output(timeout=TIMEOUT))["text"])
        closed = await self.receive_output(timeout=TIMEOUT)
        assert refused == {"type": "refused", "code": closed["code"], "reason": closed["reason"]}
        return closed

    async def send(self, type_: str, **fields) -> None:
        await self.send_to(text_data=json.dumps({"type": type_, **fields}))

    async def frame(self) -> dict:
        output = await self.receive_output(timeout=TIMEOUT)
        if output["type"] == "websocket.close":
            return {"type": "closed", "code": output.get("code"), "reason": output.get("reason")}
        return json.loads(output["text"])

    async def message(self) -> dict:
        """The next message, events of a batch one at a time."""
        if self.pending:
            return self.pending.pop(0)
        frame = await self.frame()
        if frame["type"] in {"batch", "resumed"}:
            events = frame["events"]
            if frame["type"] == "resumed":
                self.pending.append(
                    {"type": "resumed", "last_seq": frame["last_seq"], "count": len(events)}
                )
            self.pending[:0] = events
            return await self.message()
        return frame

    async def until(self, type_: str) -> dict:
        """Read messages until one of ``type_``; events on the way are applied."""
        while True:
            message = await self.message()
            if "seq" in message and message["type"] != "snapshot":
                self.apply(message)
            if message["type"] == type_:
                return message

    async def drain(self) -> None:
        """Apply whatever has arrived, until nothing comes for a moment."""
        while self.pending or not await self.receive_nothing(timeout=0.4):
            message = await self.message()
            if "seq" in message and message["type"] != "snapshot":
                self.apply(message)

    async def ask(self, text: str, **fields) -> dict:
        await self.send("question.ask", text=text, **fields)
        return await self.until("ack")

    async def leave(self) -> None:
        if not self.future.done():
            await self.disconnect(timeout=TIMEOUT)


async def settle(seconds: float = 0.4) -> None:
    """Let the room's tick run."""
    await asyncio.sleep(seconds)
