"""One rule, one place: the session page's buttons (Enrol, cancel, check in, Start, End) are
shown exactly when the service would accept the write, for every refusal reason, and the
refusal the page shows is the service's own message."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from hub.organisation.models import PositionCategory, Role
from hub.sessions import rules, services
from hub.sessions.models import Attendance, Enrolment, Session, SessionSettings
from tests.factories import EmployeeFactory, EnrolmentFactory, SessionFactory, grant, make_manager
from tests.hub.sessions.helpers import make_trainer

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _english():
    """The pages are read in English (``client_for``); the services' messages too."""
    with translation.override("en"):
        yield


def _page(client_for, employee, session) -> str:
    return client_for(employee).get(reverse("sessions:detail", args=[session.pk])).content.decode()


def _soon(minutes_ahead: int, **kwargs) -> Session:
    start = timezone.now().replace(microsecond=0) + minutes_ahead * MIN
    return SessionFactory(starts_at=start, ends_at=start + 60 * MIN, **kwargs)


# --- Enrol ---------------------------------------------------------------------------------


def _enrol_case(case: str, branch):
    """(session, learner) for one case of the Enrol button."""
    trainer = make_trainer()
    learner = EmployeeFactory(branch=branch, position_category=PositionCategory.NEW_HIRE)
    kwargs = {"trainers": [trainer]}
    if case == "open":
        return SessionFactory(**kwargs), learner
    if case == "full":  # the waitlist is still an enrolment
        session = SessionFactory(capacity=1, **kwargs)
        EnrolmentFactory(session=session)
        return session, learner
    if case == "audience":
        return SessionFactory(audience=PositionCategory.MANAGER, **kwargs), learner
    if case == "trainer":
        return SessionFactory(trainers=[trainer, make_trainer(branch=branch)]), trainer
    if case == "started":  # scheduled, but its start has passed
        return _soon(-5, **kwargs), learner
    if case in {"live", "cancelled", "ended"}:
        start = timezone.now() - 10 * MIN
        return SessionFactory(status=case, starts_at=start, ends_at=start + 60 * MIN, **kwargs), (
            learner
        )
    raise AssertionError(case)


@pytest.mark.parametrize(
    "case", ["open", "full", "audience", "trainer", "started", "live", "cancelled", "ended"]
)
def test_the_enrol_button_and_the_enrolment_service_agree(case, branch, client_for):
    session, learner = _enrol_case(case, branch)
    page = _page(client_for, learner, session)
    shown = 'data-testid="enrol"' in page
    refusal = services.enrolment_refusal(actor=learner.user, session=session, learner=learner)
    assert shown == (refusal is None) == (case in {"open", "full"})
    if shown:
        says_waitlist = "Join the waitlist" in page
        enrolment = services.enrolment_create(session=session, learner=learner, actor=learner.user)
        assert enrolment.status == ("waitlisted" if case == "full" else "enrolled")
        assert says_waitlist == (enrolment.status == "waitlisted")  # the label told the truth
    else:
        with pytest.raises(ValidationError) as caught:
            services.enrolment_create(session=session, learner=learner, actor=learner.user)
        assert caught.value.messages == [refusal]
        assert not Enrolment.objects.filter(session=session, learner=learner).exists()


def test_a_leaver_is_refused_by_the_same_rule_the_bulk_service_skips_with(branch):
    manager = make_manager(branch)
    leaver = EmployeeFactory(branch=branch, leave_date=timezone.localdate())
    session = SessionFactory(trainers=[make_trainer()])
    refusal = services.enrolment_refusal(actor=manager.user, session=session, learner=leaver)
    report = services.enrolment_bulk_create(session=session, learners=[leaver], actor=manager.user)
    assert refusal == str(services.MSG_HAS_LEFT)
    assert report.skipped == [(leaver, refusal)]


# --- cancel --------------------------------------------------------------------------------


def _cancel_case(case: str, branch):
    """(enrolment, the employee looking at the page) for one case of the cancel button."""
    trainer = make_trainer()
    learner = EmployeeFactory(branch=branch)
    hours = SessionSettings.load().cancel_deadline_hours
    if case == "before deadline":
        session = SessionFactory(trainers=[trainer])
    elif case in {"after deadline", "waitlisted after deadline", "manager after deadline"}:
        session = _soon(hours * 60 - 30, trainers=[trainer])
    elif case == "started":
        session = _soon(-5, trainers=[trainer])
    else:
        raise AssertionError(case)
    if case == "manager after deadline":  # a branch manager enrolled in a session themselves
        learner = make_manager(branch)
    status = "waitlisted" if case == "waitlisted after deadline" else "enrolled"
    return EnrolmentFactory(session=session, learner=learner, status=status), learner


@pytest.mark.parametrize(
    "case",
    [
        "before deadline",
        "after deadline",
        "waitlisted after deadline",
        "manager after deadline",
        "started",
    ],
)
def test_the_cancel_button_and_the_cancel_service_agree(case, branch, client_for):
    enrolment, learner = _cancel_case(case, branch)
    page = _page(client_for, learner, enrolment.session)
    shown = 'data-testid="cancel-enrolment"' in page
    refusal = services.enrolment_cancel_refusal(enrolment=enrolment, actor=learner.user)
    expected = case in {"before deadline", "waitlisted after deadline", "manager after deadline"}
    assert shown == (refusal is None) == expected
    if shown:
        assert services.enrolment_cancel(enrolment=enrolment, actor=learner.user).status == (
            Enrolment.Status.CANCELLED
        )
    else:
        assert escape(refusal) in page  # the page says why, in the service's words
        with pytest.raises(ValidationError) as caught:
            services.enrolment_cancel(enrolment=enrolment, actor=learner.user)
        assert caught.value.messages == [refusal]
        enrolment.refresh_from_db()
        assert enrolment.status != Enrolment.Status.CANCELLED


# --- check in ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "open_"),
    [("a week ahead", False), ("in 20 minutes", True), ("live", True), ("online", False)],
)
def test_the_checkin_form_and_the_checkin_service_agree(case, open_, learner, client_for):
    trainer = make_trainer()
    if case == "a week ahead":
        session = SessionFactory(trainers=[trainer])
    elif case == "in 20 minutes":
        session = _soon(20, trainers=[trainer])
    elif case == "live":
        session = _soon(-5, trainers=[trainer], status="live")
    else:
        session = _soon(20, trainers=[trainer], mode="live_online", location="")
    EnrolmentFactory(session=session, learner=learner)
    shown = 'data-testid="checkin"' in _page(client_for, learner, session)
    now = timezone.now()
    assert shown == (services.checkin_refusal(session=session, now=now) is None) == open_
    code = rules.checkin_code(session.pk, now, SessionSettings.load().checkin_code_minutes)
    if shown:
        attendance = services.attendance_check_in(
            session=session, learner=learner, code=code, now=now
        )
        assert attendance.checked_in_at == now
    else:
        with pytest.raises(ValidationError) as caught:
            services.attendance_check_in(session=session, learner=learner, code=code, now=now)
        assert caught.value.messages == [services.checkin_refusal(session=session, now=now)]
        assert not Attendance.objects.filter(enrolment__session=session).exists()


# --- start and end -------------------------------------------------------------------------


@pytest.mark.parametrize(("minutes_ahead", "allowed"), [(60, False), (10, True)])
def test_the_start_button_and_session_start_agree(minutes_ahead, allowed, client_for):
    trainer = make_trainer()
    session = _soon(minutes_ahead, trainers=[trainer])
    page = _page(client_for, trainer, session)
    assert ('data-testid="start" disabled' not in page) == allowed
    if allowed:
        assert services.session_start(session=session, actor=trainer.user).status == "live"
    else:
        with pytest.raises(ValidationError) as caught:
            services.session_start(session=session, actor=trainer.user)
        assert escape(caught.value.messages[0]) in page


@pytest.mark.parametrize(("minutes_ahead", "allowed"), [(10, False), (-10, True)])
def test_the_end_button_and_session_end_agree(minutes_ahead, allowed, client_for):
    trainer = make_trainer()
    session = _soon(minutes_ahead, trainers=[trainer], status="live")
    page = _page(client_for, trainer, session)
    assert ('data-testid="end" disabled' not in page) == allowed
    if allowed:
        assert services.session_end(session=session, actor=trainer.user).status == "ended"
    else:
        with pytest.raises(ValidationError) as caught:
            services.session_end(session=session, actor=trainer.user)
        assert escape(caught.value.messages[0]) in page


def test_a_trainer_role_alone_is_not_a_trainer_of_the_session(branch):
    """``rules.is_session_trainer`` is the one "teaches this session" check: the live room,
    the assignments and the roster all ask it."""
    from evaluation import permissions as evaluation_permissions
    from live import selectors as live_selectors

    teaching, other = make_trainer(branch=branch), EmployeeFactory(branch=branch)
    grant(other, Role.TRAINER)
    session = SessionFactory(trainers=[teaching], mode="live_online", location="")
    assert evaluation_permissions.is_session_trainer is rules.is_session_trainer
    for employee, teaches in ((teaching, True), (other, False)):
        assert rules.is_session_trainer(employee.user, session) is teaches
        assert (live_selectors.room_access(employee.user, session) == "trainer") is teaches
        assert evaluation_permissions.can_manage_assignments(employee.user, session) is teaches


def test_the_session_list_and_the_hq_overview_count_seats_alike():
    from hub.needs import selectors as needs_selectors
    from hub.sessions import selectors
    from tests.factories import make_hq_admin

    hq = make_hq_admin()
    session = SessionFactory(trainers=[make_trainer()], capacity=2)
    for status in ("enrolled", "enrolled", "waitlisted", "cancelled"):
        EnrolmentFactory(session=session, status=status)
    listed = selectors.session_list(user=hq.user).get(pk=session.pk)
    overview = needs_selectors.overview_sessions(filters=needs_selectors.OverviewFilters()).get(
        pk=session.pk
    )
    assert (listed.enrolled_count, listed.waitlisted_count) == (2, 1)
    assert (overview.enrolled, overview.waitlisted) == (2, 1)
    assert not hasattr(needs_selectors, "_seats")  # one subquery: hub.sessions.selectors.seats
