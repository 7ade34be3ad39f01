"""The sessions part of the demo seed (hub.seeding.sessions)."""

import datetime as dt

import pytest
from django.db.models import Count, F, Q

from hub.organisation.models import Employee
from hub.seeding import SeedScale, demo_seed
from hub.seeding import sessions as seeding
from hub.sessions.models import Attendance, Enrolment, Session
from hub.sessions.selectors import teaching_hours
from hub.sessions.services import seat_status
from live.seeding import DEMO_TITLE as DEMO_LIVE_TITLE

pytestmark = pytest.mark.django_db
TINY = SeedScale("tiny", branches=3, employees=60, hq_employees=5, trainers=4)


def test_seed_writes_history_and_future_in_every_mode():
    result = demo_seed(seed=1, scale=TINY)
    assert result.created["sessions"] == seeding.SMALL_SESSIONS
    # ... and the demo's live room (live.seeding).
    assert Session.objects.count() == seeding.SMALL_SESSIONS + result.created["live sessions"]
    modes = set(Session.objects.values_list("mode", flat=True))
    assert modes == set(Session.Mode.values)
    statuses = set(Session.objects.values_list("status", flat=True))
    assert {"ended", "scheduled", "cancelled"} <= statuses
    assert Enrolment.objects.filter(status="waitlisted").exists()
    seated = Session.objects.annotate(
        seated=Count("enrolments", filter=Q(enrolments__status="enrolled"))
    )
    assert seated.filter(seated=F("capacity")).exists()  # some sessions are full
    assert not seated.filter(seated__gt=F("capacity")).exists()  # never over capacity
    # Seated in queue order by the enrolment service's own rule.
    for session in Session.objects.exclude(title=DEMO_LIVE_TITLE).prefetch_related("enrolments"):
        queue = sorted(session.enrolments.all(), key=lambda e: (e.queued_at, e.pk))
        assert [e.status for e in queue] == [
            seat_status(enrolled=min(n, session.capacity), capacity=session.capacity)
            for n in range(len(queue))
        ]
    # Attendance only for enrolled learners of ended sessions.
    assert not Attendance.objects.exclude(enrolment__session__status="ended").exists()
    assert not Attendance.objects.exclude(enrolment__status="enrolled").exists()
    assert Attendance.objects.filter(completed=True).exists()
    assert Attendance.objects.filter(status="absent").exists()


def test_demo_logins_have_something_to_click():
    demo_seed(seed=1, scale=TINY)
    trainer = Session.trainers.through.objects.filter(employee__user__username="trainer")
    assert trainer.count() >= 8
    me = Employee.objects.get(user__username="trainer")
    far = (
        dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
        dt.datetime(2100, 1, 1, tzinfo=dt.UTC),
    )
    assert teaching_hours(employee=me, start=far[0], end=far[1]) > 0
    assert Enrolment.objects.filter(learner__user__username="learner").exists()


def test_rerun_adds_no_sessions():
    demo_seed(seed=1, scale=TINY)
    before = (Session.objects.count(), Enrolment.objects.count(), Attendance.objects.count())
    result = demo_seed(seed=1, scale=TINY)
    assert result.created.get("sessions", 0) == 0
    assert (
        Session.objects.count(),
        Enrolment.objects.count(),
        Attendance.objects.count(),
    ) == before


def test_large_history_is_written_in_batches(monkeypatch):
    monkeypatch.setattr(seeding, "LARGE_SESSIONS", 25)
    monkeypatch.setattr(seeding, "LARGE_CHUNK", 10)
    monkeypatch.setattr(seeding, "LARGE_ATTENDANCE_PER_SESSION", 4)
    large_shape = SeedScale("large", branches=3, employees=60, hq_employees=5, trainers=4)
    result = demo_seed(seed=1, scale=large_shape)
    assert result.created["sessions"] == seeding.SMALL_SESSIONS + 25
    history = Attendance.objects.filter(enrolment__session__capacity=4).count()
    assert history == 25 * 4
    # Ids were allocated by the seed: the next ORM insert must not collide (PostgreSQL sequence).
    session = Session.objects.filter(capacity=4).first()
    learner = Employee.objects.exclude(enrolments__session=session).first()
    enrolment = Enrolment.objects.create(session=session, learner=learner, status="waitlisted")
    Attendance.objects.create(enrolment=enrolment)


def test_sessions_teach_the_retail_library_courses_and_fill_the_overview():
    """One company story: the sessions teach the (retail) library's courses, so the HQ
    overview shows a course category and its category filter finds sessions."""
    from hub.needs.selectors import OverviewFilters, overview_sessions

    demo_seed(seed=1, scale=TINY)
    seeded = Session.objects.filter(created_by__isnull=True).exclude(title=DEMO_LIVE_TITLE)
    assert not seeded.filter(course__isnull=True).exists()
    assert len(set(seeded.values_list("course__category", flat=True))) >= 2
    titles = set(seeded.values_list("title", flat=True))
    banking = ("理财", "存款", "信贷", "洗钱", "柜面", "网点", "客户经理", "保险", "存单")
    assert not [t for t in titles if any(word in t for word in banking)]
    assert {"连带销售技巧：从一件到一套", "顾客投诉现场处理演练"} <= titles
    shown = overview_sessions(filters=OverviewFilters())[:20]
    assert all(s.course.get_category_display() for s in shown)
    assert overview_sessions(filters=OverviewFilters(category="onboarding")).exists()
