"""One client process of ``bench/live_load.py``: many WebSocket learners on one asyncio loop.

Not run by hand. ``live_load.py`` starts it, writes one JSON line on stdin (the clients and
the load), and reads JSON lines back on stdout:

1. it connects every client (at most ``connect_concurrency`` handshakes at once) and prints
   ``{"phase": "connected", ...}``;
2. it waits for ``{"go": <wall time>, "duration": s, "drain": s}`` on stdin, then sends the
   load: questions and upvotes at the given total rates (round-robin over its clients, so
   nobody hits the per-user rate limits), and a heartbeat per client every 20 s;
3. it stops sending after ``duration``, waits up to ``drain`` seconds for every client to
   catch up, closes the sockets and prints ``{"phase": "done", ...}`` with its figures.

Modes: ``ours`` speaks docs/live-protocol.md (seq, batches, gaps, resume); ``bare`` talks to
``bench/bare_asgi.py``, which echoes every message to everyone, and counts each received
frame as one event. Every question text embeds its send time, so each receiver measures the
broadcast latency from send to receipt.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import re
import resource
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

SENT_AT = re.compile(r"t=(\d+\.\d+)")
RESUME_AFTER = 1.0  # seconds a gap may stay open before the client asks to resume
HEARTBEAT_EVERY = 20.0
CONNECT_ATTEMPTS = 5
QUIET = 2.0  # seconds without a frame after which the load has drained


@dataclass
class Stats:
    latencies_ms: list[float] = field(default_factory=list)
    delivered: int = 0  # unique events received during the load and the drain
    delivered_in_window: int = 0  # ... of them, received before the load ended
    frames: int = 0
    repeats: int = 0
    gaps: int = 0
    resumes_sent: int = 0
    recoveries: int = 0
    snapshots: int = 0
    snapshot_bytes: list[int] = field(default_factory=list)
    acks: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    closes: Counter = field(default_factory=Counter)
    pongs: int = 0
    sent: Counter = field(default_factory=Counter)
    event_types: Counter = field(default_factory=Counter)


@dataclass
class Client:
    index: int
    url: str
    headers: dict
    ws: object = None
    me: int | None = None
    last_seq: int = 0
    pending: dict = field(default_factory=dict)
    gap_timer: asyncio.TimerHandle | None = None
    own_questions: set = field(default_factory=set)
    joined: asyncio.Event = field(default_factory=asyncio.Event)
    connect_s: float | None = None
    last_frame_at: float = 0.0


class Worker:
    def __init__(self, config: dict) -> None:
        self.mode = config["mode"]
        self.config = config
        self.clients = [
            Client(index=i, url=c["url"], headers=c["headers"])
            for i, c in enumerate(config["clients"])
        ]
        self.stats = Stats()
        self.questions: list[int] = []  # ids seen in question.asked, to upvote
        self.known: set[int] = set()
        self.max_seq = 0
        self.window_end = float("inf")
        self.closing = False
        self.readers: list[asyncio.Task] = []
        self.retries = 0
        self.answered_errors = 0
        self.sending: set[asyncio.Future] = set()

    # --- connecting ---------------------------------------------------------------------
    async def connect_all(self) -> dict:
        gate = asyncio.Semaphore(self.config["connect_concurrency"])
        started = time.time()
        results = await asyncio.gather(*(self.connect_one(c, gate) for c in self.clients))
        failed = [r for r in results if r]
        joined = [c.connect_s for c in self.clients if c.connect_s is not None]
        return {
            "phase": "connected",
            "started": started,
            "finished": time.time(),
            "joined": len(joined),
            "failed": len(failed),
            "retries": self.retries,
            "failures": Counter(failed).most_common(5),
            "join_s": sorted(joined),
        }

    async def connect_one(self, client: Client, gate: asyncio.Semaphore) -> str | None:
        """Join, retrying with backoff as the page does (daphne drops handshakes that wait
        longer than 5 s); a refusal (close code 44xx) is not retried."""
        began = time.time()
        failure = None
        for attempt in range(CONNECT_ATTEMPTS):
            if attempt:
                self.retries += 1
                await asyncio.sleep(min(4.0, 0.5 * 2**attempt) * random.uniform(0.5, 1.0))
            async with gate:
                failure = await self.try_join(client)
            if failure is None:
                client.connect_s = time.time() - began
                return None
            if failure.startswith("close 44"):
                break
        return failure

    async def try_join(self, client: Client) -> str | None:
        client.joined = asyncio.Event()
        try:
            client.ws = await connect(
                client.url,
                additional_headers=client.headers,
                compression=None,
                ping_interval=None,
                max_size=4 * 1024 * 1024,
                open_timeout=60,
            )
        except Exception as exc:  # every failure is a figure
            client.ws = None
            return type(exc).__name__
        self.readers.append(asyncio.create_task(self.read(client)))
        if self.mode == "ours":  # joined = the snapshot arrived
            try:
                await asyncio.wait_for(client.joined.wait(), 60)
            except TimeoutError:
                return "no snapshot"
            if client.me is None:
                code = client.ws.close_code
                client.ws = None
                return f"close {code}"
        return None

    # --- receiving ----------------------------------------------------------------------
    async def read(self, client: Client) -> None:
        try:
            async for frame in client.ws:
                now = time.time()
                client.last_frame_at = now
                self.stats.frames += 1
                message = json.loads(frame)
                if self.mode == "ours" and message.get("type") == "snapshot":
                    self.stats.snapshot_bytes.append(len(frame.encode()))
                if self.mode == "bare":
                    self.on_bare(message, now)
                else:
                    self.on_ours(client, message, now)
        except ConnectionClosed as closed:
            if not self.closing:
                code = closed.rcvd.code if closed.rcvd else "no close frame"
                self.stats.closes[str(code)] += 1
        finally:
            client.joined.set()

    def on_bare(self, message: dict, now: float) -> None:
        if message.get("type") == "pong":
            self.stats.pongs += 1
            return
        self.count_delivered(now)
        self.stats.event_types[message.get("type", "?")] += 1
        if message.get("type") == "question.ask":
            self.record_latency(message.get("text", ""), now)

    def on_ours(self, client: Client, message: dict, now: float) -> None:
        kind = message.get("type")
        if kind == "snapshot":
            self.stats.snapshots += 1
            if client.joined.is_set():  # a resume too far behind: start over from here
                self.stats.recoveries += 1
            client.me = (message.get("me") or {}).get("id", 0)
            for question in message.get("questions") or []:
                self.learn_question(question)
            client.last_seq = max(client.last_seq, message["seq"])
            self.max_seq = max(self.max_seq, client.last_seq)
            client.pending = {s: e for s, e in client.pending.items() if s > client.last_seq}
            client.joined.set()
            self.apply_pending(client, now)
        elif kind == "batch":
            for event in message["events"]:
                self.on_event(client, event, now)
        elif kind == "resumed":
            self.stats.recoveries += 1
            for event in message["events"]:
                self.on_event(client, event, now)
        elif kind == "ack":
            self.stats.acks[message.get("for")] += 1
            if message.get("for") == "question.ask" and message.get("id"):
                client.own_questions.add(message["id"])
        elif kind == "error":
            self.stats.errors[message.get("code", "?")] += 1
            if message.get("for") in {"question.ask", "question.upvote"}:
                self.answered_errors += 1
        elif kind == "pong":
            self.stats.pongs += 1
        elif "seq" in message:
            self.on_event(client, message, now)
        else:
            self.stats.errors[f"unexpected frame {kind}"] += 1

    def on_event(self, client: Client, event: dict, now: float) -> None:
        seq = event["seq"]
        self.max_seq = max(self.max_seq, seq)
        if seq <= client.last_seq or seq in client.pending:
            self.stats.repeats += 1
            return
        self.count_delivered(now)
        self.stats.event_types[event.get("type", "?")] += 1
        if event.get("type") == "question.asked":
            question = event.get("question") or {}
            self.learn_question(question)
            self.record_latency(question.get("text", ""), now)
        if seq == client.last_seq + 1:
            client.last_seq = seq
            self.apply_pending(client, now)
        else:
            if not client.pending:
                self.stats.gaps += 1
            client.pending[seq] = event
            if client.gap_timer is None:
                loop = asyncio.get_running_loop()
                client.gap_timer = loop.call_later(RESUME_AFTER, self.check_gap, client)

    def learn_question(self, question: dict) -> None:
        if question.get("id") is not None and question["id"] not in self.known:
            self.known.add(question["id"])
            self.questions.append(question["id"])

    def apply_pending(self, client: Client, now: float) -> None:
        while client.last_seq + 1 in client.pending:
            client.pending.pop(client.last_seq + 1)
            client.last_seq += 1
        for seq in [s for s in client.pending if s <= client.last_seq]:
            client.pending.pop(seq)

    def check_gap(self, client: Client) -> None:
        client.gap_timer = None
        if client.pending and not self.closing:
            self.stats.resumes_sent += 1
            self.spawn(self.send(client, {"type": "resume", "last_seq": client.last_seq}))
            client.gap_timer = asyncio.get_running_loop().call_later(
                RESUME_AFTER * 3, self.check_gap, client
            )

    def count_delivered(self, now: float) -> None:
        self.stats.delivered += 1
        if now <= self.window_end:
            self.stats.delivered_in_window += 1

    def record_latency(self, text: str, now: float) -> None:
        match = SENT_AT.search(text)
        if match:
            self.stats.latencies_ms.append((now - float(match.group(1))) * 1000)

    # --- sending ------------------------------------------------------------------------
    def spawn(self, coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        self.sending.add(task)
        task.add_done_callback(self.sending.discard)

    async def send(self, client: Client, message: dict) -> None:
        try:
            await client.ws.send(json.dumps(message))
            self.stats.sent[message["type"]] += 1
        except ConnectionClosed:
            self.stats.errors["send on closed socket"] += 1

    async def paced(self, rate: float, end: float, make) -> None:
        """Call ``make(client)`` ``rate`` times a second, round-robin over the clients."""
        if rate <= 0:
            return
        live = [c for c in self.clients if c.ws is not None]
        if not live:
            return
        order = itertools.cycle(random.sample(live, len(live)))
        interval = 1.0 / rate
        next_at = time.time()
        while next_at < end:
            await asyncio.sleep(max(0.0, next_at - time.time()))
            message = make(next(order))
            if message is not None:
                client, payload = message
                self.spawn(self.send(client, payload))
            next_at += interval

    def ask(self, client: Client):
        tag = uuid.uuid4().hex[:12]
        return client, {
            "type": "question.ask",
            "cid": f"q-{tag}",
            "text": f"bench question {tag} t={time.time():.6f}",
        }

    def upvote(self, client: Client):
        choices = [q for q in self.questions[-50:] if q not in client.own_questions]
        if self.mode == "ours" and not choices:
            return None
        target = random.choice(choices) if choices else 0
        cid = f"v-{uuid.uuid4().hex[:12]}"
        return client, {"type": "question.upvote", "cid": cid, "id": target}

    async def heartbeats(self, end: float) -> None:
        async def beat(client: Client) -> None:
            await asyncio.sleep(random.uniform(0, HEARTBEAT_EVERY))
            while time.time() < end:
                await self.send(client, {"type": "heartbeat"})
                await asyncio.sleep(HEARTBEAT_EVERY)

        await asyncio.gather(*(beat(c) for c in self.clients if c.ws is not None))

    async def load(self, go: float, duration: float, drain: float) -> None:
        await asyncio.sleep(max(0.0, go - time.time()))
        end = go + duration
        self.window_end = end
        beats = asyncio.create_task(self.heartbeats(end))
        await asyncio.gather(
            self.paced(self.config["ask_rate"], end, self.ask),
            self.paced(self.config["vote_rate"], end, self.upvote),
        )
        beats.cancel()
        await self.wait_drained(end + drain)

    async def wait_drained(self, deadline: float) -> None:
        await asyncio.sleep(0.5)
        while time.time() < deadline:
            # Quiet for a while: the server may still be sending what it committed.
            newest = max((c.last_frame_at for c in self.clients), default=0)
            quiet = time.time() - newest > QUIET
            if self.mode == "ours":
                behind = [c for c in self.clients if c.ws and c.last_seq < self.max_seq]
                if quiet and not behind and self.unanswered() == 0:
                    return
            elif quiet:
                return
            await asyncio.sleep(0.2)

    def unanswered(self) -> int:
        """Questions and upvotes sent that got neither an ack nor an error yet."""
        sent = self.stats.sent["question.ask"] + self.stats.sent["question.upvote"]
        answered = self.stats.acks["question.ask"] + self.stats.acks["question.upvote"]
        return sent - answered - self.answered_errors

    async def close_all(self) -> None:
        self.closing = True
        await asyncio.gather(
            *(c.ws.close() for c in self.clients if c.ws is not None), return_exceptions=True
        )
        for task in self.readers:
            task.cancel()

    def report(self, cpu_s: float) -> dict:
        s = self.stats
        last_seqs = [c.last_seq for c in self.clients if c.ws is not None]
        return {
            "phase": "done",
            "cpu_s": cpu_s,
            "latencies_ms": [round(x, 2) for x in s.latencies_ms],
            "delivered": s.delivered,
            "delivered_in_window": s.delivered_in_window,
            "frames": s.frames,
            "repeats": s.repeats,
            "gaps": s.gaps,
            "resumes_sent": s.resumes_sent,
            "recoveries": s.recoveries,
            "snapshots": s.snapshots,
            "snapshot_bytes": s.snapshot_bytes,
            "acks": dict(s.acks),
            "errors": dict(s.errors),
            "closes": dict(s.closes),
            "pongs": s.pongs,
            "sent": dict(s.sent),
            "event_types": dict(s.event_types),
            "last_seqs": last_seqs,
            "max_seq": self.max_seq,
            "unanswered": self.unanswered() if self.mode == "ours" else 0,
            "still_open_gaps": sum(1 for c in self.clients if c.pending),
        }


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def emit(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def main() -> None:
    loop = asyncio.get_running_loop()
    config = json.loads(await loop.run_in_executor(None, sys.stdin.readline))
    worker = Worker(config)
    emit(await worker.connect_all())
    go = json.loads(await loop.run_in_executor(None, sys.stdin.readline))
    cpu_before = cpu_seconds()
    await worker.load(go["go"], go["duration"], go["drain"])
    cpu_used = cpu_seconds() - cpu_before
    drained_at = time.time()  # closing makes the server commit presence events: not counted
    await worker.close_all()
    emit({**worker.report(cpu_used), "drained_at": drained_at})


if __name__ == "__main__":
    asyncio.run(main())
