"""hub.sessions attendance: check-in codes, minutes, the completion rule, corrections."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from hub.organisation.models import AuditEvent
from hub.sessions import rules, services
from hub.sessions.models import Attendance, Enrolment, SessionSettings
from tests.factories import EnrolmentFactory, SessionFactory
from tests.hub.sessions.helpers import live_session, make_trainer


@pytest.fixture(autouse=True)
def _english():
    """These tests match the services' English messages (the default language is Chinese)."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db


def _code(session, now=None):
    minutes = SessionSettings.load().checkin_code_minutes
    return rules.checkin_code(session.pk, now or timezone.now(), minutes)


def test_right_code_checks_in_and_is_on_time():
    session = live_session(make_trainer())
    enrolment = EnrolmentFactory(session=session)
    attendance = services.attendance_check_in(
        session=session, learner=enrolment.learner, code=_code(session)
    )
    assert attendance.checked_in_at is not None
    assert attendance.status == Attendance.Status.PRESENT


def test_code_of_another_session_is_refused():
    trainer = make_trainer()
    session, other = live_session(trainer), live_session(trainer)
    enrolment = EnrolmentFactory(session=session)
    with pytest.raises(ValidationError, match="not valid"):
        services.attendance_check_in(session=session, learner=enrolment.learner, code=_code(other))


def test_expired_code_is_refused_but_the_previous_window_still_counts():
    session = live_session(make_trainer())
    enrolment = EnrolmentFactory(session=session)
    minutes = SessionSettings.load().checkin_code_minutes
    now = timezone.now()
    previous = _code(session, now - dt.timedelta(minutes=minutes))
    expired = _code(session, now - dt.timedelta(minutes=2 * minutes))
    assert rules.checkin_code_valid(session.pk, previous, now, minutes)
    assert not rules.checkin_code_valid(session.pk, expired, now, minutes)
    with pytest.raises(ValidationError):
        services.attendance_check_in(
            session=session, learner=enrolment.learner, code=expired, now=now
        )


def test_malformed_codes_are_refused():
    assert not rules.checkin_code_valid(1, "12345", timezone.now(), 2)
    assert not rules.checkin_code_valid(1, "abcdef", timezone.now(), 2)
    assert not rules.checkin_code_valid(1, "", timezone.now(), 2)


def test_code_changes_every_window_and_differs_per_session():
    base = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)
    codes = {rules.checkin_code(7, base + dt.timedelta(minutes=2 * i), 2) for i in range(20)}
    assert len(codes) > 15
    assert rules.checkin_code(7, base, 2) != rules.checkin_code(8, base, 2)


def test_check_in_refused_for_waitlisted_online_or_too_early():
    trainer = make_trainer()
    session = live_session(trainer)
    waiting = EnrolmentFactory(session=session, status="waitlisted")
    with pytest.raises(ValidationError):
        services.attendance_check_in(session=session, learner=waiting.learner, code=_code(session))
    online = live_session(trainer, mode="live_online")
    enrolment = EnrolmentFactory(session=online)
    with pytest.raises(ValidationError):
        services.attendance_check_in(session=online, learner=enrolment.learner, code=_code(online))
    future = SessionFactory(trainers=[trainer])  # a week ahead: not open yet
    early = EnrolmentFactory(session=future)
    with pytest.raises(ValidationError, match="not open"):
        services.attendance_check_in(session=future, learner=early.learner, code=_code(future))


def test_late_check_in_is_late():
    session = live_session(make_trainer())
    enrolment = EnrolmentFactory(session=session)
    late = session.starts_at + dt.timedelta(minutes=SessionSettings.load().late_after_minutes + 1)
    attendance = services.attendance_check_in(
        session=session, learner=enrolment.learner, code=_code(session, late), now=late
    )
    assert attendance.status == Attendance.Status.LATE


@pytest.mark.parametrize(
    ("minutes", "status", "completed"),
    [(60, "present", True), (48, "present", True), (47, "partial", False), (0, "absent", False)],
)
def test_completion_rule_at_80_percent(minutes, status, completed):
    session = live_session(make_trainer(), minutes=60, mode="live_online")
    enrolment = EnrolmentFactory(session=session)
    services.attendance_record_minutes(enrolment=enrolment, minutes=minutes)
    trainer = session.trainers.first()
    services.session_end(session=session, actor=trainer.user, now=session.ends_at)
    attendance = Attendance.objects.get(enrolment=enrolment)
    assert (attendance.status, attendance.completed) == (status, completed)


def test_hq_configured_rule_applies(hq_admin):
    services.session_settings_update(actor=hq_admin.user, completion_percent=50)
    session = live_session(make_trainer(), minutes=60, mode="live_online")
    enrolment = EnrolmentFactory(session=session)
    services.attendance_record_minutes(enrolment=enrolment, minutes=30)
    services.attendance_finalise(session=session)
    assert Attendance.objects.get(enrolment=enrolment).completed


def test_only_hq_changes_the_rule(learner):
    with pytest.raises(PermissionDenied):
        services.session_settings_update(actor=learner.user, completion_percent=10)
    trainer = make_trainer()
    with pytest.raises(PermissionDenied):
        services.session_settings_update(actor=trainer.user, completion_percent=10)


def test_record_minutes_keeps_largest_total_and_clamps():
    session = live_session(make_trainer(), minutes=60, mode="live_online")
    enrolment = EnrolmentFactory(session=session)
    services.attendance_record_minutes(enrolment=enrolment, minutes=30)
    services.attendance_record_minutes(enrolment=enrolment, minutes=20)
    assert Attendance.objects.get(enrolment=enrolment).minutes_present == 30
    services.attendance_record_minutes(enrolment=enrolment, minutes=40, add=True)
    assert Attendance.objects.get(enrolment=enrolment).minutes_present == 60


def test_record_minutes_refused_before_start():
    session = SessionFactory(trainers=[make_trainer()])
    enrolment = EnrolmentFactory(session=session)
    with pytest.raises(ValidationError):
        services.attendance_record_minutes(enrolment=enrolment, minutes=5)


def test_finalise_credits_in_person_check_in_and_marks_absentees():
    session = live_session(make_trainer(), minutes=60)
    present, absent = EnrolmentFactory(session=session), EnrolmentFactory(session=session)
    EnrolmentFactory(session=session, status="waitlisted")
    services.attendance_check_in(session=session, learner=present.learner, code=_code(session))
    count = services.attendance_finalise(session=session)
    assert count == 2
    a = Attendance.objects.get(enrolment=present)
    assert a.completed and a.minutes_present == 60
    assert Attendance.objects.get(enrolment=absent).status == Attendance.Status.ABSENT
    assert services.attendance_finalise(session=session) == 2  # idempotent


def test_correction_needs_reason_is_audited_and_sticks():
    trainer = make_trainer()
    session = live_session(trainer, minutes=60, mode="live_online")
    enrolment = EnrolmentFactory(session=session)
    with pytest.raises(ValidationError):
        services.attendance_correct(
            enrolment=enrolment, actor=trainer.user, status="excused", minutes=0, reason="  "
        )
    services.attendance_correct(
        enrolment=enrolment, actor=trainer.user, status="excused", minutes=0, reason="病假"
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.ATTENDANCE_CORRECTED)
    assert event.actor == trainer.user and event.data["reason"] == "病假"
    assert event.data["after"]["status"] == "excused"
    services.attendance_record_minutes(enrolment=enrolment, minutes=50)
    services.session_end(session=session, actor=trainer.user)
    attendance = Attendance.objects.get(enrolment=enrolment)
    assert attendance.status == "excused" and attendance.correction_reason == "病假"


def test_correction_by_outsider_or_before_start_is_refused(learner):
    trainer = make_trainer()
    session = live_session(trainer)
    enrolment = EnrolmentFactory(session=session)
    with pytest.raises(PermissionDenied):
        services.attendance_correct(
            enrolment=enrolment, actor=learner.user, status="present", minutes=60, reason="x"
        )
    scheduled = SessionFactory(trainers=[trainer])
    early = EnrolmentFactory(session=scheduled)
    with pytest.raises(ValidationError):
        services.attendance_correct(
            enrolment=early, actor=trainer.user, status="present", minutes=60, reason="x"
        )


def test_too_many_wrong_codes_lock_the_learner_out():
    from django.core.cache import cache

    cache.clear()
    session = live_session(make_trainer())
    enrolment = EnrolmentFactory(session=session)
    right = _code(session)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _ in range(services.CHECKIN_MAX_FAILURES):
        with pytest.raises(ValidationError, match="not valid"):
            services.attendance_check_in(session=session, learner=enrolment.learner, code=wrong)
    with pytest.raises(ValidationError, match="Too many"):
        services.attendance_check_in(session=session, learner=enrolment.learner, code=right)
    cache.clear()
    assert services.attendance_check_in(session=session, learner=enrolment.learner, code=right)


def test_check_in_then_cancelled_before_start_does_not_count(manager):
    """A learner who checked in early and whose seat the manager then cancelled has no
    attendance left: neither the finalised record nor the trainer's completed count."""
    trainer = make_trainer()
    start = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=20)
    session = SessionFactory(
        trainers=[trainer], starts_at=start, ends_at=start + dt.timedelta(minutes=60)
    )
    enrolment = EnrolmentFactory(session=session, learner__branch=manager.branch)
    services.attendance_check_in(session=session, learner=enrolment.learner, code=_code(session))
    services.enrolment_cancel(enrolment=enrolment, actor=manager.user)
    assert not Attendance.objects.filter(enrolment=enrolment).exists()


def test_finalise_ignores_records_of_cancelled_enrolments():
    from hub.sessions import selectors

    trainer = make_trainer()
    session = live_session(trainer, minutes=60)
    kept = EnrolmentFactory(session=session)
    gone = EnrolmentFactory(session=session, status="cancelled")
    Attendance.objects.create(enrolment=gone, checked_in_at=session.starts_at)
    services.attendance_check_in(session=session, learner=kept.learner, code=_code(session))
    services.session_end(session=session, actor=trainer.user)
    stale = Attendance.objects.get(enrolment=gone)
    assert stale.minutes_present == 0 and not stale.completed
    assert Attendance.objects.get(enrolment=kept).completed
    taught = selectors.recently_taught(employee=trainer).get()
    assert (taught.enrolled_count, taught.completed_count) == (1, 1)


def test_record_minutes_reads_the_enrolment_afresh():
    """A caller holding a stale copy cannot credit minutes to a seat cancelled since."""
    session = live_session(make_trainer())
    enrolment = EnrolmentFactory(session=session)
    stale = Enrolment.objects.select_related("session").get(pk=enrolment.pk)
    Enrolment.objects.filter(pk=enrolment.pk).update(status="cancelled")
    with pytest.raises(ValidationError):
        services.attendance_record_minutes(enrolment=stale, minutes=30)
    assert not Attendance.objects.filter(enrolment=enrolment).exists()
