"""Presence intervals → online minutes → attendance by the completion rule."""

import datetime as dt

import pytest
from django.utils import timezone

from hub.sessions.models import Attendance, Session, SessionSettings
from hub.sessions.services import attendance_correct, session_end
from live.intervals import merge_intervals
from live.models import PresenceInterval
from live.presence import presence_minutes
from tests.live.live_helpers import make_room

T0 = dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("spans", "minutes"),
    [
        ([], 0),
        ([(0, 30)], 30),
        ([(0, 30), (10, 20)], 30),  # a second tab inside the first
        ([(0, 30), (20, 50)], 50),  # overlapping tabs
        ([(0, 10), (10, 20)], 20),  # adjacent
        ([(30, 40), (0, 10)], 20),  # unsorted, a gap between
        ([(0, 10), (0, 10)], 10),  # duplicate
        ([(10, 5)], 0),  # backwards
    ],
)
def test_merge_intervals(spans, minutes):
    merged = merge_intervals([(at(a), at(b)) for a, b in spans])
    assert sum((end - start).total_seconds() for start, end in merged) == minutes * 60


def test_presence_and_playback_merge_with_the_one_function():
    """Online minutes and watched seconds count overlaps the same way: one merge."""
    from live import presence
    from live.recordings import rules as recording_rules

    assert presence.merge_intervals is merge_intervals
    assert recording_rules.merge_intervals is merge_intervals


def interval(room, person, joined, *, left=None, seen=None, n=[0]):  # noqa: B006
    n[0] += 1
    return PresenceInterval.objects.create(
        session=room.session,
        employee=person,
        connection=f"c{n[0]}",
        joined_at=joined,
        left_at=left,
        last_seen_at=seen or left or joined,
    )


@pytest.fixture
def room(db):
    return make_room(minutes=60)


def test_two_tabs_count_once_a_dropped_connection_ends_at_its_last_heartbeat(room):
    now = timezone.now()
    start = room.session.starts_at
    a, b, c = room.learners
    interval(room, a, start, left=start + dt.timedelta(minutes=4))
    interval(room, a, start + dt.timedelta(minutes=1), left=start + dt.timedelta(minutes=3))
    # b's connection dropped: no leave, last heartbeat two minutes after the start.
    interval(room, b, start, seen=start + dt.timedelta(minutes=2))
    # c is still connected (heartbeat just now): counts until now.
    interval(room, c, start + dt.timedelta(minutes=1), seen=now)
    minutes, first = presence_minutes(room.session, now=now)
    assert minutes[a.pk] == 4
    assert minutes[b.pk] == 2
    assert minutes[c.pk] == int((now - start).total_seconds() // 60) - 1
    assert first[a.pk] == start


def test_rejoining_adds_the_time_of_both_visits(room):
    start = room.session.starts_at
    learner = room.learners[0]
    interval(room, learner, start, left=start + dt.timedelta(minutes=2))
    interval(room, learner, start + dt.timedelta(minutes=3), left=start + dt.timedelta(minutes=5))
    minutes, _ = presence_minutes(room.session, now=timezone.now())
    assert minutes[learner.pk] == 4


def test_time_before_the_start_does_not_count(room):
    start = room.session.starts_at
    learner = room.learners[0]
    interval(room, learner, start - dt.timedelta(minutes=10), left=start + dt.timedelta(minutes=1))
    minutes, _ = presence_minutes(room.session, now=timezone.now())
    assert minutes[learner.pk] == 1


def test_session_end_turns_presence_into_attendance_by_the_completion_rule(room):
    settings = SessionSettings.load()
    settings.completion_percent = 5  # 3 of 60 minutes
    settings.save()
    start = room.session.starts_at
    done, partial, absent = room.learners
    interval(room, done, start, left=start + dt.timedelta(minutes=4))
    interval(room, done, start + dt.timedelta(minutes=1), left=start + dt.timedelta(minutes=2))
    interval(room, partial, start, left=start + dt.timedelta(minutes=2))
    # Ended at its scheduled end: the whole 60 minutes were delivered.
    session_end(session=room.session, actor=room.trainer.user, now=room.session.ends_at)
    records = {
        a.enrolment.learner_id: a
        for a in Attendance.objects.select_related("enrolment").filter(
            enrolment__session=room.session
        )
    }
    assert (records[done.pk].minutes_present, records[done.pk].completed) == (4, True)
    assert records[done.pk].status == "present"
    assert (records[partial.pk].minutes_present, records[partial.pk].status) == (2, "partial")
    assert (records[absent.pk].minutes_present, records[absent.pk].status) == (0, "absent")
    assert not PresenceInterval.objects.filter(left_at__isnull=True).exists()


def test_session_end_keeps_a_trainers_correction(room):
    start = room.session.starts_at
    learner = room.learners[0]
    interval(room, learner, start, left=start + dt.timedelta(minutes=4))
    attendance_correct(
        enrolment=room.session.enrolments.get(learner=learner),
        actor=room.trainer.user,
        status="excused",
        minutes=0,
        reason="病假",
    )
    session_end(session=room.session, actor=room.trainer.user)
    record = Attendance.objects.get(enrolment__learner=learner)
    assert (record.status, record.minutes_present) == ("excused", 0)


@pytest.mark.django_db
def test_starting_an_online_session_opens_its_room_and_an_in_person_one_none():
    from hub.sessions.services import session_start
    from live.models import LiveEvent, LiveRoom
    from tests.hub.sessions.helpers import make_trainer, session_taught_by

    trainer = make_trainer()
    online = session_taught_by(trainer, mode="live_online")
    in_person = session_taught_by(trainer)
    for session in (online, in_person):
        session_start(session=session, actor=trainer.user, now=session.starts_at)
        session_end(session=session, actor=trainer.user, now=session.ends_at)
    assert list(LiveRoom.objects.values_list("session_id", flat=True)) == [online.pk]
    assert list(LiveEvent.objects.values_list("session_id", "type")) == [
        (online.pk, "session.ended")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("late_after", "late"), [(5, True), (10, False)])
def test_one_late_threshold_moves_the_live_badge_and_the_record_together(late_after, late):
    """Arriving 7 minutes after the start: the live roster's badge, the check-in record and
    the finalised minutes all follow ``SessionSettings.late_after_minutes``."""
    from hub.sessions import rules
    from hub.sessions.services import attendance_check_in, attendance_finalise
    from live import selectors
    from tests.factories import EnrolmentFactory, SessionFactory

    settings = SessionSettings.load()
    settings.late_after_minutes = late_after
    settings.save()
    room = make_room(learners=1)
    person = room.learners[0]
    start = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=30)
    Session.objects.filter(pk=room.session.pk).update(
        starts_at=start, ends_at=start + dt.timedelta(minutes=60)
    )
    room.session.refresh_from_db()
    arrived = start + dt.timedelta(minutes=7)
    interval(room, person, arrived)
    [entry] = selectors.roster(room.session, present=set(), hands=[])
    assert entry["late"] is late

    in_person = SessionFactory(
        trainers=[room.trainer],
        status="live",
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=60),
    )
    EnrolmentFactory(session=in_person, learner=person)
    code = rules.checkin_code(in_person.pk, arrived, settings.checkin_code_minutes)
    record = attendance_check_in(session=in_person, learner=person, code=code, now=arrived)
    assert (record.status == Attendance.Status.LATE) is late
    # Finalised: on time counts from the start, late from the check-in.
    in_person.status = "ended"
    in_person.save(update_fields=["status"])
    attendance_finalise(session=in_person)
    record.refresh_from_db()
    assert record.minutes_present == (53 if late else 60)
    assert (record.status == Attendance.Status.LATE) is late
