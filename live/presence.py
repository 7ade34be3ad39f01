"""Presence in live rooms: a process's buffered joins, leaves and heartbeats written as
presence intervals, and, when the session ends, the intervals merged into online minutes
for the attendance service (``room_end``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from hub.sessions import rules as session_rules
from hub.sessions.models import Enrolment, Session, SessionSettings
from hub.sessions.services import attendance_record_online
from live import selectors
from live.intervals import merge_intervals
from live.models import LiveEvent, LiveRoom, PresenceInterval
from live.services import events_append, monitor_publish


@dataclass
class PresenceChanges:
    """Buffered presence of one process: ``joins`` (connection, employee id, joined at),
    ``leaves`` (connection, left at), ``seen`` (connections heard from since the last flush),
    ``people`` (employee id → (name, branch)) for the roster entries of newcomers, and
    ``staff`` (employee ids admitted as staff, left off the roster)."""

    joins: list[tuple[str, int, dt.datetime]] = field(default_factory=list)
    leaves: list[tuple[str, dt.datetime]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    people: dict[int, tuple[str, str]] = field(default_factory=dict)
    staff: set[int] = field(default_factory=set)  # employee ids that joined as staff

    def __bool__(self) -> bool:
        return bool(self.joins or self.leaves or self.seen)


def presence_flush(*, session_id: int, changes: PresenceChanges) -> tuple[list[LiveEvent], int]:
    """Write a batch of joins, leaves and heartbeats as presence intervals (one insert and a
    few updates however many people), and emit ``presence.changed`` if who is present
    changed. Returns the events and the number of rows written."""
    now = timezone.now()
    with transaction.atomic():
        before = selectors.present_employee_ids(session_id, now)
        PresenceInterval.objects.bulk_create(
            [
                PresenceInterval(
                    session_id=session_id,
                    employee_id=employee_id,
                    connection=connection,
                    joined_at=joined_at,
                    last_seen_at=max(joined_at, now),
                )
                for connection, employee_id, joined_at in changes.joins
            ],
            ignore_conflicts=True,
        )
        written = len(changes.joins)
        if changes.seen:
            written += PresenceInterval.objects.filter(
                connection__in=list(changes.seen), left_at__isnull=True
            ).update(last_seen_at=now)
        for connection, left_at in changes.leaves:
            written += PresenceInterval.objects.filter(
                connection=connection, left_at__isnull=True
            ).update(left_at=left_at, last_seen_at=left_at)
        after = selectors.present_employee_ids(session_id, now)
        joined, left = after - before, before - after
        session = Session.objects.get(pk=session_id)
        if (not joined and not left) or session.status != Session.Status.LIVE:
            return [], written
        late_after = session_rules.late_after(
            starts_at=session.starts_at,
            late_after_minutes=SessionSettings.load().late_after_minutes,
        )
        first_join = {emp: at for _conn, emp, at in changes.joins}
        entries = [
            selectors.roster_entry(
                emp,
                *changes.people.get(emp, ("", "")),
                joined_at=first_join.get(emp, now),
                late_after=late_after,
                present=True,
            )
            for emp in sorted(joined - changes.staff)  # staff are not on the learners' roster
        ]
        events = events_append(
            session_id,
            [
                (
                    "presence.changed",
                    {"present": len(after)},
                    {"present": len(after), "joined": entries, "left": sorted(left)},
                )
            ],
        )
    return events, written


def presence_minutes(
    session: Session, *, now: dt.datetime
) -> tuple[dict[int, int], dict[int, dt.datetime]]:
    """Minutes online per employee, from merged intervals clipped to [scheduled start, now];
    an interval that lost its connection without a leave ends at its last heartbeat."""
    intervals: dict[int, list] = {}
    first: dict[int, dt.datetime] = {}
    for employee_id, joined, seen, left in PresenceInterval.objects.filter(
        session=session
    ).values_list("employee_id", "joined_at", "last_seen_at", "left_at"):
        # A connection lost without a leave ends at its last heartbeat.
        lost = left is None and seen < now - selectors.PRESENCE_STALE
        end = left or (seen if lost else now)
        start = max(joined, session.starts_at)
        intervals.setdefault(employee_id, []).append((start, min(end, now)))
        first[employee_id] = min(first.get(employee_id, joined), joined)
    minutes = {
        emp: int(sum((end - start).total_seconds() for start, end in merge_intervals(spans)) // 60)
        for emp, spans in intervals.items()
    }
    return minutes, first


def room_end(*, session: Session) -> None:
    """Inside ``session_end``'s transaction: close the room's presence at the session's end
    time, hand the online minutes of enrolled learners to attendance (clipped there to the
    delivered duration), and emit ``session.ended``. Nothing for a session that never had a
    live room."""
    if not LiveRoom.objects.filter(session=session).exists():
        return
    now = session.ended_at or timezone.now()
    minutes, first = presence_minutes(session, now=now)
    enrolments = dict(
        Enrolment.objects.filter(
            session=session, status=Enrolment.Status.ENROLLED, learner_id__in=list(minutes)
        ).values_list("learner_id", "pk")
    )
    attendance_record_online(
        session=session,
        minutes={enrolments[emp]: m for emp, m in minutes.items() if emp in enrolments},
        joined_at={enrolments[emp]: at for emp, at in first.items() if emp in enrolments},
    )
    stale = now - selectors.PRESENCE_STALE
    open_intervals = PresenceInterval.objects.filter(session=session, left_at__isnull=True)
    open_intervals.filter(last_seen_at__lt=stale).update(left_at=F("last_seen_at"))
    open_intervals.update(left_at=now, last_seen_at=now)
    events_append(session.pk, [("session.ended", {}, None)])
    transaction.on_commit(lambda: monitor_publish(session_id=session.pk))
