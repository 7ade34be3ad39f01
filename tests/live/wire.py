"""A live-room client over a real WebSocket (the ``websockets`` library), for tests that run
daphne as a subprocess: it logs in with the session cookie, sends the site's Origin, and keeps
``last_seq`` as docs/live-protocol.md tells a client to."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid

from django.conf import settings
from django.test import Client
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from hub.organisation.models import Employee
from tests.factories import PASSWORD

TIMEOUT = 10.0
GAP_WAIT = 1.0  # seconds a gap in seq may stay open before a resume (the protocol's)


def session_cookie(employee: Employee) -> str:
    """Log in over Django's test client (the session row lands in the shared test database)
    and return the ``Cookie`` header a browser would send with the handshake."""
    client = Client()
    assert client.login(username=employee.user.username, password=PASSWORD)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


async def open_socket(base_url: str, path: str, cookie: str) -> ClientConnection:
    """A WebSocket to ``path`` as a browser on ``base_url`` opens it, without library pings:
    the only traffic is what the test sends."""
    return await connect(
        base_url.replace("http://", "ws://") + path,
        origin=base_url,
        additional_headers={"Cookie": cookie},
        ping_interval=None,
        open_timeout=TIMEOUT,
    )


class WireClient:
    """One socket. A reader task queues every frame; ``events`` keeps every event received
    (from ``batch`` and ``resumed`` frames), in order, for checks of duplicates.

    Like a real client, it applies events in ``seq`` order, keeps those after a gap aside,
    and when a gap stays open for ``GAP_WAIT`` seconds sends ``resume`` itself
    (``resumes`` counts those)."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.inbox: asyncio.Queue[dict] = asyncio.Queue()
        self.events: list[dict] = []
        self.pongs = 0
        self.snapshot: dict | None = None
        self.last_seq = 0
        self.aside: set[int] = set()
        self.gap_since: float | None = None
        self.resumes = 0
        self.close_code: int | None = None
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def join(cls, base_url: str, session_id: int, cookie: str) -> WireClient:
        """Connect and wait for the join's snapshot."""
        client = cls(await open_socket(base_url, f"/ws/live/{session_id}/", cookie))
        snapshot = await client.next()
        assert snapshot["type"] == "snapshot", snapshot
        client.snapshot, client.last_seq = snapshot, snapshot["seq"]
        return client

    async def _read(self) -> None:
        try:
            async for text in self.connection:
                frame = json.loads(text)
                if frame["type"] == "pong":
                    self.pongs += 1
                if frame["type"] in {"batch", "resumed"}:
                    self.events.extend(frame["events"])
                await self.inbox.put(frame)
        except ConnectionClosed:
            pass
        finally:
            self.close_code = self.connection.close_code
            await self.inbox.put({"type": "closed", "code": self.close_code})

    async def next(self, seconds: float = TIMEOUT) -> dict:
        return await asyncio.wait_for(self.inbox.get(), seconds)

    async def send(self, type_: str, **fields) -> None:
        await self.connection.send(json.dumps({"type": type_, **fields}))

    async def until(self, wanted, seconds: float = TIMEOUT) -> dict:
        """Read frames until ``wanted(frame)``, applying the events on the way (and
        resuming when a gap stays open)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            try:
                frame = await self.next(min(0.2, max(0.0, deadline - loop.time())))
            except TimeoutError:
                if loop.time() >= deadline:
                    raise
                if self.gap_since is not None and loop.time() - self.gap_since >= GAP_WAIT:
                    self.resumes += 1
                    self.gap_since = loop.time()
                    await self.send("resume", last_seq=self.last_seq)
                continue
            if frame["type"] in {"batch", "resumed"}:
                self.apply(frame["events"])
            elif frame["type"] == "snapshot":
                self.last_seq, self.aside, self.gap_since = frame["seq"], set(), None
            assert frame["type"] != "closed" or wanted(frame), f"socket closed: {frame}"
            if wanted(frame):
                return frame

    def apply(self, events: list[dict]) -> None:
        """Apply in seq order; what follows a gap waits aside until the gap is filled."""
        self.aside.update(e["seq"] for e in events if e["seq"] > self.last_seq)
        while self.last_seq + 1 in self.aside:
            self.aside.remove(self.last_seq + 1)
            self.last_seq += 1
        if not self.aside:
            self.gap_since = None
        elif self.gap_since is None:
            self.gap_since = asyncio.get_running_loop().time()

    async def ask(self, text: str) -> int:
        """Ask a question; the id from the ``ack``."""
        cid = uuid.uuid4().hex
        await self.send("question.ask", text=text, cid=cid)
        ack = await self.until(lambda f: f["type"] in {"ack", "error"} and f.get("cid") == cid)
        assert ack["type"] == "ack", ack
        return ack["id"]

    async def asked(self, question_id: int, seconds: float = TIMEOUT) -> dict:
        """The ``question.asked`` event of that question (from a batch, or from the answer
        to a resume when its frame did not come)."""
        found: list[dict] = []

        def has_it(frame: dict) -> bool:
            found[:] = [
                e
                for e in frame.get("events", [])
                if e["type"] == "question.asked" and e["question"]["id"] == question_id
            ]
            return bool(found)

        await self.until(has_it, seconds)
        return found[0]

    async def close(self) -> None:
        await self.connection.close()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.reader, TIMEOUT)
