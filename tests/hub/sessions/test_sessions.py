"""hub.sessions.services: scheduling, editing and the status transitions, and who may make them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from hub.organisation.models import AuditEvent
from hub.sessions import services
from hub.sessions.models import Enrolment, Notification, Session
from hub.sessions.selectors import teaching_hours
from tests.factories import EmployeeFactory, EnrolmentFactory, SessionFactory
from tests.hub.needs.helpers import attend
from tests.hub.sessions.helpers import live_session, make_trainer

pytestmark = pytest.mark.django_db


def _times(days=3, hours=2):
    start = (timezone.now() + dt.timedelta(days=days)).replace(microsecond=0)
    return start, start + dt.timedelta(hours=hours)


def _create(actor, trainers, **kwargs):
    start, end = _times()
    values = {
        "title": "理财产品合规销售",
        "trainers": trainers,
        "mode": Session.Mode.IN_PERSON,
        "starts_at": start,
        "ends_at": end,
        "capacity": 20,
        "location": "二楼会议室",
    }
    values.update(kwargs)
    return services.session_create(actor=actor.user, **values)


def test_trainer_schedules_own_session(branch):
    trainer = make_trainer(branch)
    session = _create(trainer, [trainer], audience=["new_hire"])
    assert session.status == Session.Status.SCHEDULED
    assert list(session.trainers.all()) == [trainer]
    assert session.audience_list == ["new_hire"]


def test_trainer_must_be_among_trainers(branch):
    trainer, other = make_trainer(branch), make_trainer(branch)
    with pytest.raises(ValidationError):
        _create(trainer, [other])


def test_learner_cannot_schedule(learner):
    with pytest.raises(PermissionDenied):
        _create(learner, [learner])


def test_hq_schedules_for_any_trainer(hq_admin):
    trainer = make_trainer()
    session = _create(hq_admin, [trainer], branch=trainer.branch)
    assert session.branch == trainer.branch


def test_trainers_need_the_trainer_role(hq_admin, learner):
    with pytest.raises(ValidationError) as not_trainer:
        _create(hq_admin, [learner])
    assert not_trainer.value.message_dict == {"trainers": [str(services.MSG_TRAINERS_ROLE)]}
    with pytest.raises(ValidationError) as nobody:
        _create(hq_admin, [])
    assert nobody.value.message_dict == {"trainers": [str(services.MSG_NO_TRAINERS)]}
    assert not Session.objects.exists()


def test_in_person_needs_location_and_end_after_start(hq_admin):
    trainer = make_trainer()
    with pytest.raises(ValidationError) as no_place:
        _create(hq_admin, [trainer], location="")
    assert set(no_place.value.message_dict) == {"location"}
    start, _end = _times()
    with pytest.raises(ValidationError) as no_length:
        _create(hq_admin, [trainer], starts_at=start, ends_at=start)
    assert "__all__" in no_length.value.message_dict
    assert not Session.objects.exists()


@pytest.mark.parametrize(("capacity", "ok"), [(0, False), (1, True)])
def test_a_session_needs_a_seat(hq_admin, capacity, ok):
    """The form's minimum is the service's too, so no other path makes a seatless session."""
    trainer = make_trainer()
    if ok:
        assert _create(hq_admin, [trainer], capacity=capacity).capacity == 1
        return
    with pytest.raises(ValidationError) as refused:
        _create(hq_admin, [trainer], capacity=capacity)
    assert refused.value.message_dict == {"capacity": [str(services.MSG_CAPACITY_MIN)]}


def test_co_trainers_may_run_and_others_may_not(branch):
    a, b, outsider = make_trainer(branch), make_trainer(branch), make_trainer(branch)
    session = SessionFactory(trainers=[a, b])
    with pytest.raises(PermissionDenied):
        services.session_start(session=session, actor=outsider.user, now=session.starts_at)
    services.session_start(session=session, actor=b.user, now=session.starts_at)
    services.session_end(session=session, actor=a.user, now=session.ends_at)
    session.refresh_from_db()
    assert session.status == Session.Status.ENDED


@pytest.mark.parametrize(
    ("status", "verb", "ok"),
    [
        ("scheduled", "start", True),
        ("scheduled", "end", False),
        ("scheduled", "cancel", True),
        ("live", "start", False),
        ("live", "end", True),
        ("live", "cancel", False),
        ("ended", "start", False),
        ("ended", "end", False),
        ("ended", "cancel", False),
        ("cancelled", "start", False),
        ("cancelled", "end", False),
        ("cancelled", "cancel", False),
    ],
)
def test_transitions(hq_admin, status, verb, ok):
    trainer = make_trainer()
    # Started ten minutes ago: inside the start and end windows, so only the status decides.
    start = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=10)
    session = SessionFactory(
        trainers=[trainer], status=status, starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )
    action = {
        "start": services.session_start,
        "end": services.session_end,
        "cancel": services.session_cancel,
    }[verb]
    if ok:
        result = action(session=session, actor=hq_admin.user)
        assert result.status == services.TRANSITIONS[verb][1]
    else:
        with pytest.raises(ValidationError):
            action(session=session, actor=hq_admin.user)
        session.refresh_from_db()
        assert session.status == status


def test_learner_and_manager_cannot_transition(learner, manager):
    trainer = make_trainer(learner.branch)
    session = SessionFactory(trainers=[trainer], branch=learner.branch)
    for person in (learner, manager):
        with pytest.raises(PermissionDenied):
            services.session_start(session=session, actor=person.user)
        with pytest.raises(PermissionDenied):
            services.session_cancel(session=session, actor=person.user)


def test_cancel_is_audited_and_notifies(hq_admin, django_capture_on_commit_callbacks):
    trainer = make_trainer()
    session = SessionFactory(trainers=[trainer])
    EnrolmentFactory(session=session)
    EnrolmentFactory(session=session, status="waitlisted")
    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(session=session, actor=trainer.user, reason="讲师出差")
    session.refresh_from_db()
    assert session.cancel_reason == "讲师出差"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SESSION_CANCELLED).count() == 1
    assert Notification.objects.filter(kind="cancelled", session=session).count() == 2


def test_update_announces_time_change_but_not_title(django_capture_on_commit_callbacks):
    trainer = make_trainer()
    session = SessionFactory(trainers=[trainer])
    EnrolmentFactory(session=session)
    services.session_update(session=session, actor=trainer.user, title="新标题")
    assert not Notification.objects.filter(kind="changed").exists()
    services.session_update(
        session=session,
        actor=trainer.user,
        starts_at=session.starts_at + dt.timedelta(hours=1),
        ends_at=session.ends_at + dt.timedelta(hours=1),
    )
    assert Notification.objects.filter(kind="changed", session=session).count() == 1


def test_update_refused_when_not_scheduled_or_by_outsider(learner):
    trainer = make_trainer()
    session = live_session(trainer)
    with pytest.raises(ValidationError):
        services.session_update(session=session, actor=trainer.user, title="x")
    other = SessionFactory(trainers=[trainer])
    with pytest.raises(PermissionDenied):
        services.session_update(session=other, actor=learner.user, title="x")


def test_capacity_cannot_drop_below_enrolled_and_raising_it_promotes():
    trainer = make_trainer()
    session = SessionFactory(trainers=[trainer], capacity=2)
    EnrolmentFactory.create_batch(2, session=session)
    waiting = EnrolmentFactory(session=session, status="waitlisted")
    with pytest.raises(ValidationError):
        services.session_update(session=session, actor=trainer.user, capacity=1)
    services.session_update(session=session, actor=trainer.user, capacity=3)
    waiting.refresh_from_db()
    assert waiting.status == Enrolment.Status.ENROLLED


def test_recording_only_after_the_session_ended():
    trainer = make_trainer()
    session = live_session(trainer)
    with pytest.raises(ValidationError):
        services.session_attach_recording(
            session=session, actor=trainer.user, url="https://video.example.com/1"
        )
    services.session_end(session=session, actor=trainer.user)
    result = services.session_attach_recording(
        session=session, actor=trainer.user, url="https://video.example.com/1"
    )
    assert result.recording_url == "https://video.example.com/1"


def test_teaching_hours_count_ended_sessions_only():
    trainer, co = make_trainer(), make_trainer()
    base = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

    def make(status, start, hours, trainers):
        session = SessionFactory(
            trainers=trainers,
            status=status,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=hours),
        )
        attend(session, EmployeeFactory(), "present")  # a learner completed it
        return session

    make("ended", base, 2, [trainer])
    make("ended", base + dt.timedelta(days=1), 1.5, [trainer, co])  # co-trained: full for both
    make("scheduled", base + dt.timedelta(days=2), 3, [trainer])
    make("cancelled", base + dt.timedelta(days=3), 3, [trainer])
    make("live", base + dt.timedelta(days=4), 3, [trainer])
    make("ended", base - dt.timedelta(days=400), 5, [trainer])  # outside the period
    year = (dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    assert teaching_hours(employee=trainer, start=year[0], end=year[1]) == Decimal("3.5")
    assert teaching_hours(employee=co, start=year[0], end=year[1]) == Decimal("1.5")
    assert teaching_hours(employee=EmployeeFactory(), start=year[0], end=year[1]) == Decimal("0.0")


def test_trainer_cannot_hand_the_session_away():
    trainer, other = make_trainer(), make_trainer()
    session = SessionFactory(trainers=[trainer])
    with pytest.raises(ValidationError):
        services.session_update(session=session, actor=trainer.user, trainers=[other])
    services.session_update(session=session, actor=trainer.user, trainers=[trainer, other])
    assert set(session.trainers.all()) == {trainer, other}
