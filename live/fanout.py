"""How one server process delivers a live room's events to its own connections.

Naively every connection joins the room's channel-layer group and every event costs one
layer delivery and one consumer handler call per client (~200 to 500 µs each: see
docs/live-ceiling.md). Here, per process and room:

- one **relay** channel joins the room's group, so an event crosses the layer once per
  process, not once per client;
- committed events and changed vote/poll totals are gathered for a short **tick** and sent as
  one frame; each frame is serialised once per audience (learners, staff) and written to
  every local socket as text, without a handler call per client;
- presence (joins, leaves, heartbeats) is buffered and written in one transaction per tick;
- the last events stay in memory (``recent``) so joins and resumes rarely read the database,
  and the snapshot is built once and shared by everyone who joins meanwhile.

Everything here runs on the server's event loop; database work goes through
``live_db``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque

from channels.layers import get_channel_layer

from live import broadcast, presence, protocol, services, snapshot
from live.db import live_db

log = logging.getLogger(__name__)

TICK = 0.15  # seconds between frames of a busy room
HEARTBEAT_FLUSH = 15.0  # seconds between writes of "still here"
MONITOR_EVERY = 1.0  # seconds between monitor updates of a room
RECENT = 1000  # events kept in memory per room
SNAPSHOT_TAIL = 50  # rebuild the shared snapshot once this many events followed it
SNAPSHOT_AGE = 5.0  # ... or once it is this many seconds old
PRESENCE_FLUSH = 1.0  # seconds between writes of joins and leaves
HOLD = 0.25  # seconds events wait for an earlier one from another process
LINGER = 5.0  # seconds an empty room keeps its relay before it is let go


class Stats:
    """Counters of this process, read by the benchmark through the log (``live.stats``)."""

    frames = 0
    deliveries = 0
    presence_writes = 0
    resumes = 0
    snapshots = 0
    send_failures = 0  # frames a socket could not take (closing, reset): the others still got them


class Room:
    def __init__(self, session_id: int, hub: Hub) -> None:
        self.session_id = session_id
        self.hub = hub
        self.loop = asyncio.get_running_loop()
        self.learners: set = set()
        self.staff: set = set()
        self.outbox: list = []
        self.dirty_questions: set[int] = set()
        self.dirty_polls: set[int] = set()
        self.presence = presence.PresenceChanges()
        self.last_heartbeat_flush = self.last_presence_flush = time.monotonic()
        self.last_seq = 0
        # seq → (learner event, staff event), contiguous run ending at last_seq.
        self.recent: dict[int, tuple[dict, dict]] = {}
        self.recent_order: deque[int] = deque()
        # Events that came before the one they follow (seq → pair), since when.
        self.held: dict[int, tuple[dict, dict]] = {}
        self.held_since: float | None = None
        self.started = False  # last_seq is known once the first frame came
        # (seq, learner body text, staff body text, built at): JSON without the closing
        # brace, so a connection's own part is appended without serialising it all again.
        self.snapshot: tuple[int, str, str, float] | None = None
        self.snapshot_lock = asyncio.Lock()
        self.rates: dict[tuple[int, str], deque[float]] = {}
        self.monitor_due = True
        self.last_monitor = 0.0
        self.ended = False
        self.task = self.loop.create_task(self.run())

    # --- membership ----------------------------------------------------------------------

    @property
    def connections(self) -> set:
        return self.learners | self.staff

    def add(self, consumer) -> None:
        (self.staff if consumer.admitted.is_staff else self.learners).add(consumer)
        who = consumer.admitted
        self.presence.people[who.employee_id] = (who.name, who.branch)
        if who.is_staff:
            self.presence.staff.add(who.employee_id)
        self.presence.joins.append((consumer.connection_id, who.employee_id, consumer.joined_at))

    def remove(self, consumer, left_at) -> None:
        self.learners.discard(consumer)
        self.staff.discard(consumer)
        self.presence.seen.discard(consumer.connection_id)
        self.presence.leaves.append((consumer.connection_id, left_at))

    def seen(self, consumer) -> None:
        self.presence.seen.add(consumer.connection_id)

    def allow(self, employee_id: int, bucket: str, limit: int, window: float = 60.0) -> bool:
        """Sliding-window rate limit per person (all their tabs in this process)."""
        now = time.monotonic()
        stamps = self.rates.setdefault((employee_id, bucket), deque())
        while stamps and stamps[0] <= now - window:
            stamps.popleft()
        if len(stamps) >= limit:
            return False
        stamps.append(now)
        return True

    # --- called from other threads (on commit) ------------------------------------------

    def enqueue(self, events) -> None:
        self.outbox.extend(events)

    def mark_dirty(self, questions=(), polls=()) -> None:
        self.dirty_questions.update(questions)
        self.dirty_polls.update(polls)

    # --- the tick ------------------------------------------------------------------------

    async def run(self) -> None:
        idle_since = None
        while True:
            await asyncio.sleep(TICK)
            try:
                if self.held_since is not None and time.monotonic() - self.held_since >= HOLD:
                    await self.release_held()
                await self.flush()
            except Exception:  # keep the room alive; the next tick retries
                log.exception("live room %s: flush failed", self.session_id)
            if self.connections:
                idle_since = None
            elif idle_since is None:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > LINGER and not self.outbox:
                await self.hub.release(self)
                return

    async def send_outbox(self) -> bool:
        if not self.outbox:
            return False
        by_seq = {event.seq: event for event in self.outbox}
        events, self.outbox = [by_seq[seq] for seq in sorted(by_seq)], []
        await broadcast.send_frame(self.session_id, events)
        return True

    async def flush(self) -> None:
        # What is committed goes out first; database work must not hold it back.
        if await self.send_outbox():
            self.monitor_due = True
        now = time.monotonic()
        heartbeat_due = now - self.last_heartbeat_flush >= HEARTBEAT_FLUSH
        presence_due = now - self.last_presence_flush >= PRESENCE_FLUSH
        if (presence_due and (self.presence.joins or self.presence.leaves)) or (
            heartbeat_due and self.presence.seen
        ):
            self.last_presence_flush = now
            changes, self.presence = self.presence, presence.PresenceChanges()
            self.presence.people = changes.people
            if not heartbeat_due:  # heartbeats wait for their own, rarer write
                self.presence.seen, changes.seen = changes.seen, set()
            else:
                self.last_heartbeat_flush = now
            # The events it commits reach ``outbox`` through ``broadcast`` (on commit).
            _events, written = await live_db(presence.presence_flush)(
                session_id=self.session_id, changes=changes
            )
            Stats.presence_writes += written
        if self.dirty_questions or self.dirty_polls:
            questions, polls = self.dirty_questions, self.dirty_polls
            self.dirty_questions, self.dirty_polls = set(), set()
            await live_db(services.counts_events_append)(
                session_id=self.session_id, questions=questions, polls=polls
            )
        if await self.send_outbox():
            self.monitor_due = True
        if self.monitor_due and now - self.last_monitor >= MONITOR_EVERY and not self.ended:
            self.monitor_due, self.last_monitor = False, now
            await live_db(services.monitor_publish)(session_id=self.session_id)

    # --- delivery (from the relay) -------------------------------------------------------

    async def receive_frame(self, learner_events: list[dict], staff_events: list[dict]) -> None:
        """Deliver a frame's events in seq order. With several processes, frames overtake
        each other: events after a hole wait (up to ``HOLD``) for the frame that fills it,
        so clients rarely see a gap; an event that comes after its hole was given up on is
        sent as it is (clients put it in its place)."""
        late = []
        for pair in zip(learner_events, staff_events, strict=True):
            seq = pair[0]["seq"]
            if self.started and seq <= self.last_seq:
                late.append(pair)
            else:
                self.held[seq] = pair
        if not self.started and self.held:
            self.last_seq, self.started = min(self.held) - 1, True
        ready = []
        while self.last_seq + 1 in self.held:
            self.last_seq += 1
            ready.append(self.held.pop(self.last_seq))
            self.remember(self.last_seq, ready[-1])
        if not self.held:
            self.held_since = None
        elif self.held_since is None:
            self.held_since = time.monotonic()
        await self.deliver(late + ready)

    async def release_held(self) -> None:
        """Give up waiting for a hole (a frame the layer lost): send what waits after it."""
        ready = [self.held[seq] for seq in sorted(self.held)]
        self.held, self.held_since = {}, None
        self.recent.clear()  # memory is no longer contiguous
        self.recent_order.clear()
        for pair in ready:
            self.last_seq = pair[0]["seq"]
            self.remember(self.last_seq, pair)
        await self.deliver(ready)

    def remember(self, seq: int, pair: tuple[dict, dict]) -> None:
        self.recent[seq] = pair
        self.recent_order.append(seq)
        while len(self.recent_order) > RECENT:
            self.recent.pop(self.recent_order.popleft(), None)

    async def deliver(self, pairs: list[tuple[dict, dict]]) -> None:
        if not pairs:
            return
        learner_events = [learner for learner, _staff in pairs]
        staff_events = [staff for _learner, staff in pairs]
        seqs = [e["seq"] for e in learner_events]
        texts = {
            False: protocol.dumps({"type": "batch", "events": learner_events}),
            True: protocol.dumps({"type": "batch", "events": staff_events}),
        }
        Stats.frames += 1
        if any(e["type"] == "room.settings" for e in learner_events):
            self.snapshot = None  # built with the old settings
        for audience, staff in ((self.learners, False), (self.staff, True)):
            for consumer in list(audience):
                try:
                    if await consumer.deliver(seqs, texts[staff]):
                        Stats.deliveries += 1
                except Exception as failure:  # one socket's failure is not the others'
                    self.send_failed(consumer, failure)
        if any(e["type"] == "session.ended" for e in learner_events):
            self.ended = True
            for consumer in list(self.connections):
                try:
                    await consumer.end()
                except Exception as failure:
                    self.send_failed(consumer, failure)

    def send_failed(self, consumer, failure: Exception) -> None:
        """A socket that is closing (autobahn's ``Disconnected``) or reset: count and log it;
        its ``disconnect`` takes it out of the room."""
        Stats.send_failures += 1
        log.warning(
            "live room %s: a frame to connection %s failed (%s: %s)",
            self.session_id,
            getattr(consumer, "connection_id", "?"),
            type(failure).__name__,
            failure,
        )

    def events_after(self, last_seq: int, *, staff: bool) -> list[dict] | None:
        """The events after ``last_seq`` from memory, or None if memory does not hold them."""
        if last_seq >= self.last_seq:
            return []
        if last_seq + 1 not in self.recent:
            return None
        return [self.recent[s][1 if staff else 0] for s in range(last_seq + 1, self.last_seq + 1)]

    def remembered_after(self, seq: int, *, staff: bool) -> list[dict]:
        """The events in memory after ``seq`` (those it holds, even past a hole)."""
        return [self.recent[s][1 if staff else 0] for s in self.recent_order if s > seq]

    async def snapshot_for(
        self, *, staff: bool, fresh: bool = False, at_least: int = 0
    ) -> tuple[int, str]:
        """The shared snapshot: its ``seq`` and its JSON text without the closing brace.
        Rebuilt when too many events followed it, when it is old, when ``fresh``, or when
        it and the events in memory after it do not reach seq ``at_least`` (the seq the
        joiner's ``me`` was read at: a snapshot's questions are never older than its ``me``).
        """
        async with self.snapshot_lock:
            current = self.snapshot
            if (
                fresh
                or current is None
                or self.last_seq - current[0] > SNAPSHOT_TAIL
                or time.monotonic() - current[3] > SNAPSHOT_AGE
                or self.events_after(current[0], staff=staff) is None
                or max(current[0], self.last_seq) < at_least
            ):
                seq, learner, staff_part = await live_db(snapshot.snapshot_parts)(self.session_id)
                current = (
                    seq,
                    protocol.dumps(learner)[:-1],
                    protocol.dumps(staff_part)[:-1],
                    time.monotonic(),
                )
                self.snapshot = current
                Stats.snapshots += 1
        return current[0], current[2] if staff else current[1]


class Hub:
    """The rooms this process serves, and its relay channel."""

    def __init__(self) -> None:
        self.rooms: dict[int, Room] = {}
        self.layer = None
        self.relay_channel: str | None = None
        self.relay_task: asyncio.Task | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    async def room(self, session_id: int) -> Room:
        loop = asyncio.get_running_loop()
        if self.loop is not loop:  # a new event loop (tests): start afresh
            self.rooms, self.relay_channel, self.relay_task, self.loop = {}, None, None, loop
        if self.relay_channel is None:
            self.layer = get_channel_layer()
            # The default prefix: channels_redis reads all of a process's channels of one
            # prefix with one loop, but lets only one prefix's loop read at a time.
            self.relay_channel = await self.layer.new_channel()
            self.relay_task = loop.create_task(self.relay())
        room = self.rooms.get(session_id)
        if room is None:
            room = self.rooms[session_id] = Room(session_id, self)
            await self.layer.group_add(broadcast.group_name(session_id), self.relay_channel)
        return room

    def local(self, session_id: int) -> Room | None:
        room = self.rooms.get(session_id)
        if room is None or room.loop.is_closed():
            return None
        return room

    async def release(self, room: Room) -> None:
        if self.rooms.get(room.session_id) is room and not room.connections:
            del self.rooms[room.session_id]
            await self.layer.group_discard(
                broadcast.group_name(room.session_id), self.relay_channel
            )

    async def relay(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.relay_channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("live relay: receive failed")
                await asyncio.sleep(1)
                continue
            room = self.rooms.get(message.get("session"))
            if room is not None and message.get("type") == "live.frame":
                try:
                    await room.receive_frame(message["learner"], message["staff"])
                except Exception:  # one bad frame or socket must not stop the relay
                    log.exception("live relay: delivery failed")


hub = Hub()
broadcast.serve_rooms(hub.local)
