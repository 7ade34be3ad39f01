"""Delivered duration (PRODUCT.md "Exact definitions"): the start and end windows, the delivered
minutes, attendance clipped to them, 0 h for a session nobody completed, and the issue's two
scenarios end to end (hours, completion, need state)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from hub.needs.models import TrainingNeed
from hub.organisation.models import AuditEvent
from hub.sessions import rules, services
from hub.sessions.models import Attendance, Session, SessionSettings
from hub.sessions.selectors import recently_taught, teaching_hours
from tests.factories import EmployeeFactory, EnrolmentFactory, SessionFactory
from tests.hub.needs.helpers import make_need
from tests.hub.sessions.helpers import make_trainer

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
YEAR = (dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
MIN = dt.timedelta(minutes=1)


# --- the pure rules ------------------------------------------------------------------------


@pytest.mark.parametrize(("early", "refused"), [(0, False), (29, False), (30, False), (31, True)])
def test_start_window_boundary(early, refused):
    refusal = rules.start_refusal(
        now=START - early * MIN, scheduled_start=START, early_start_minutes=30
    )
    assert (refusal is not None) == refused


def test_start_refusal_says_how_early():
    refusal = rules.start_refusal(
        now=START - 31 * MIN, scheduled_start=START, early_start_minutes=30
    )
    assert "30" in str(refusal)


@pytest.mark.parametrize(
    ("now", "refused"),
    [
        (START - 20 * MIN, True),
        (START - dt.timedelta(seconds=1), True),
        (START, False),  # exactly at the scheduled start: allowed (delivers 0 min)
        (START + MIN, False),
    ],
)
def test_end_window_boundary(now, refused):
    refusal = rules.end_refusal(now=now, scheduled_start=START, end_not_before_start=True)
    assert (refusal is not None) == refused


def test_end_rule_switched_off_allows_an_end_before_the_start():
    assert (
        rules.end_refusal(now=START - 20 * MIN, scheduled_start=START, end_not_before_start=False)
        is None
    )


@pytest.mark.parametrize(
    ("ended_at", "minutes"),
    [
        (START + dt.timedelta(hours=2), 120),  # at the scheduled end
        (START + dt.timedelta(hours=3), 120),  # an overrun adds nothing
        (START + dt.timedelta(minutes=45, seconds=59), 45),  # early end: whole minutes
        (START, 0),
        (START - 20 * MIN, 0),  # never negative
    ],
)
def test_delivered_minutes(ended_at, minutes):
    end = START + dt.timedelta(hours=2)
    assert rules.delivered_minutes(scheduled_start=START, scheduled_end=end, ended_at=ended_at) == (
        minutes
    )


# --- services ------------------------------------------------------------------------------


def _session(trainer, *, minutes=120, mode="in_person", **kwargs):
    return SessionFactory(
        trainers=[trainer],
        mode=mode,
        starts_at=START,
        ends_at=START + minutes * MIN,
        **kwargs,
    )


def _need_on(session, branch_owner):
    need = make_need(
        branch=branch_owner.branch,
        submitted_by=branch_owner,
        status=TrainingNeed.Status.IN_DELIVERY,
        claimed_by=session.trainers.first(),
    )
    need.sessions.add(session)
    return need


def _fresh(enrolment):
    return type(enrolment).objects.select_related("session").get(pk=enrolment.pk)


def test_start_more_than_the_window_early_is_refused_and_changes_nothing():
    trainer = make_trainer()
    session = _session(trainer)
    with pytest.raises(ValidationError) as refused:
        services.session_start(session=session, actor=trainer.user, now=START - 31 * MIN)
    assert "30" in refused.value.messages[0]
    session.refresh_from_db()
    assert (session.status, session.started_at) == (Session.Status.SCHEDULED, None)
    started = services.session_start(session=session, actor=trainer.user, now=START - 30 * MIN)
    assert (started.status, started.started_at) == (Session.Status.LIVE, START - 30 * MIN)


def test_issue_in_person_session_ended_before_its_start(manager):
    """Started 20 minutes early and ended at once: the end is refused; ended exactly at the
    scheduled start it delivers 0 minutes, nobody completes, 0 h, the need stays in
    delivery, and the trainer's report flags it."""
    trainer = make_trainer()
    session = _session(trainer, minutes=120)
    need = _need_on(session, manager)
    enrolment = EnrolmentFactory(session=session, learner=EmployeeFactory(branch=manager.branch))
    code_now = START - 25 * MIN
    minutes = SessionSettings.load().checkin_code_minutes
    services.attendance_check_in(
        session=session,
        learner=enrolment.learner,
        code=rules.checkin_code(session.pk, code_now, minutes),
        now=code_now,
    )
    services.session_start(session=session, actor=trainer.user, now=START - 20 * MIN)

    with pytest.raises(ValidationError) as refused:
        services.session_end(session=session, actor=trainer.user, now=START - 20 * MIN)
    assert refused.value.messages == [
        str(rules.MSG_END_BEFORE_START) % {"start": "2026-03-02 17:00"}
    ]
    session.refresh_from_db()
    assert (session.status, session.delivered_minutes) == (Session.Status.LIVE, None)
    assert not Attendance.objects.filter(completed=True).exists()

    ended = services.session_end(session=session, actor=trainer.user, now=START)
    assert (ended.status, ended.delivered_minutes, ended.ended_at) == ("ended", 0, START)
    attendance = Attendance.objects.get(enrolment=enrolment)
    assert (attendance.minutes_present, attendance.completed) == (0, False)
    assert teaching_hours(employee=trainer, start=YEAR[0], end=YEAR[1]) == Decimal("0.0")
    need.refresh_from_db()
    assert need.status == TrainingNeed.Status.IN_DELIVERY
    report = recently_taught(employee=trainer).get()
    assert (report.has_completer, report.credited_minutes) == (False, 0)


def test_issue_live_session_ended_early_with_everyone_absent_credits_nothing(manager):
    """A 90-minute live session ended an hour early with all 25 learners absent: it delivered
    30 minutes, credits 0 h (flagged on My teaching) and delivers no need."""
    trainer = make_trainer()
    session = _session(trainer, minutes=90, mode="live_online", stream_url="https://x.example/1")
    need = _need_on(session, manager)
    for _ in range(25):
        EnrolmentFactory(session=session, learner=EmployeeFactory(branch=manager.branch))
    services.session_start(session=session, actor=trainer.user, now=START)
    ended = services.session_end(session=session, actor=trainer.user, now=START + 30 * MIN)
    assert ended.delivered_minutes == 30
    assert Attendance.objects.filter(enrolment__session=session, status="absent").count() == 25
    assert teaching_hours(employee=trainer, start=YEAR[0], end=YEAR[1]) == Decimal("0.0")
    need.refresh_from_db()
    assert need.status == TrainingNeed.Status.IN_DELIVERY


def test_early_end_credits_only_the_delivered_time_and_clips_attendance(manager):
    """A 120-minute session ended after 60 minutes: 1.0 h; a learner reported at 100 minutes
    is clipped to 60 and completes against the 60 delivered; one at 47 does not (80 %)."""
    trainer = make_trainer()
    session = _session(trainer, minutes=120, mode="live_online", stream_url="https://x.example/1")
    need = _need_on(session, manager)
    full = EnrolmentFactory(session=session)
    short = EnrolmentFactory(session=session)
    services.session_start(session=session, actor=trainer.user, now=START)
    services.attendance_record_minutes(enrolment=full, minutes=100)
    services.attendance_record_minutes(enrolment=short, minutes=47)
    services.session_end(session=session, actor=trainer.user, now=START + 60 * MIN)
    full_record, short_record = (Attendance.objects.get(enrolment=e) for e in (full, short))
    assert (full_record.minutes_present, full_record.completed) == (60, True)
    assert (short_record.minutes_present, short_record.completed) == (47, False)
    assert teaching_hours(employee=trainer, start=YEAR[0], end=YEAR[1]) == Decimal("1.0")
    need.refresh_from_db()
    assert need.status == TrainingNeed.Status.DELIVERED
    # Minutes recorded after the end (a recording watched, a correction) stay clipped too.
    services.attendance_record_minutes(enrolment=_fresh(short), minutes=500)
    assert Attendance.objects.get(enrolment=short).minutes_present == 60


def test_a_later_completion_credits_the_session_and_delivers_the_need(manager):
    """Nobody completed at the end (0 h); a trainer's correction that makes a learner
    complete credits the delivered duration and delivers the need."""
    trainer = make_trainer()
    session = _session(trainer, minutes=60)
    need = _need_on(session, manager)
    enrolment = EnrolmentFactory(session=session)
    services.session_start(session=session, actor=trainer.user, now=START)
    services.session_end(session=session, actor=trainer.user, now=START + 60 * MIN)
    assert teaching_hours(employee=trainer, start=YEAR[0], end=YEAR[1]) == Decimal("0.0")
    services.attendance_correct(
        enrolment=_fresh(enrolment),
        actor=trainer.user,
        status="present",
        minutes=60,
        reason="签到表漏签",
    )
    assert teaching_hours(employee=trainer, start=YEAR[0], end=YEAR[1]) == Decimal("1.0")
    need.refresh_from_db()
    assert need.status == TrainingNeed.Status.DELIVERED


def test_cancelled_session_counts_nothing():
    trainer = make_trainer()
    session = _session(trainer, status="cancelled")
    EnrolmentFactory(session=session)
    assert teaching_hours(employee=trainer, start=YEAR[0], end=YEAR[1]) == Decimal("0.0")


def test_hq_configures_the_windows(hq_admin):
    services.session_settings_update(
        actor=hq_admin.user, early_start_minutes=10, end_not_before_start=False
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.SESSION_RULES_CHANGED)
    assert event.data == {"early_start_minutes": [30, 10], "end_not_before_start": [True, False]}
    trainer = make_trainer()
    session = _session(trainer)
    with pytest.raises(ValidationError):
        services.session_start(session=session, actor=trainer.user, now=START - 11 * MIN)
    services.session_start(session=session, actor=trainer.user, now=START - 10 * MIN)
    ended = services.session_end(session=session, actor=trainer.user, now=START - 5 * MIN)
    assert (ended.status, ended.delivered_minutes) == (Session.Status.ENDED, 0)


# --- pages ---------------------------------------------------------------------------------


def test_the_session_page_shows_the_refusal_and_nothing_changes(client_for):
    trainer = make_trainer()
    session = SessionFactory(trainers=[trainer])  # a week ahead
    response = client_for(trainer).post(
        reverse("sessions:transition", args=[session.pk, "start"]), follow=True
    )
    assert "cannot be started yet" in response.content.decode()
    session.refresh_from_db()
    assert session.status == Session.Status.SCHEDULED
    # The page says so before anyone tries: the button is disabled with the same reason.
    page = client_for(trainer).get(reverse("sessions:detail", args=[session.pk])).content.decode()
    assert 'data-testid="start-refusal"' in page
    assert 'data-testid="start" disabled' in page


def test_my_teaching_flags_a_session_nobody_completed(client_for):
    trainer = make_trainer()
    session = _session(trainer, minutes=90)
    EnrolmentFactory(session=session)
    services.session_start(session=session, actor=trainer.user, now=START)
    services.session_end(session=session, actor=trainer.user, now=START + 90 * MIN)
    page = client_for(trainer).get(reverse("portal:teaching")).content.decode()
    assert 'data-testid="no-completer"' in page
    assert "90 min delivered" in page


def test_teaching_hours_round_half_up():
    """15 minutes is 0.25 h: shown 0.3 (half-up, like every PRODUCT.md figure), not 0.2."""
    trainer = make_trainer()
    session = _session(trainer, minutes=15, status="ended", delivered_minutes=15)
    enrolment = EnrolmentFactory(session=session)
    Attendance.objects.create(enrolment=enrolment, status="present", completed=True)
    assert str(teaching_hours(employee=trainer, start=YEAR[0], end=YEAR[1])) == "0.3"
