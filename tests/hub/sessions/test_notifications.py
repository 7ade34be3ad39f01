"""Notifications: in-app rows and e-mails through the django-tasks backend; reminders once."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from hub.sessions import services
from hub.sessions.models import Notification
from tests.factories import EmployeeFactory, EnrolmentFactory, SessionFactory
from tests.hub.sessions.helpers import make_trainer

pytestmark = pytest.mark.django_db


def _learner(**kwargs):
    person = EmployeeFactory(**kwargs)
    person.user.email = f"{person.employee_no.lower()}@example.com"
    person.user.save(update_fields=["email"])
    return person


def test_enrolment_mails_through_the_task_backend(django_capture_on_commit_callbacks):
    session = SessionFactory(trainers=[make_trainer()], capacity=1)
    first, second = _learner(), _learner()
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_create(session=session, learner=first, actor=first.user)
        services.enrolment_create(session=session, learner=second, actor=second.user)
    assert [m.to for m in mail.outbox] == [[first.user.email], [second.user.email]]
    assert session.title in mail.outbox[0].body
    kinds = dict(Notification.objects.values_list("recipient_id", "kind"))
    assert kinds == {first.pk: "enrolled", second.pk: "waitlisted"}
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 2


def test_nothing_is_mailed_before_commit():
    session = SessionFactory(trainers=[make_trainer()])
    learner = _learner()
    services.enrolment_create(session=session, learner=learner, actor=learner.user)
    # Inside the test transaction the on_commit hook has not run: no mail yet.
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=learner, kind="enrolled").exists()


def test_promotion_change_and_cancel_are_mailed(django_capture_on_commit_callbacks):
    trainer = make_trainer()
    session = SessionFactory(trainers=[trainer], capacity=1)
    seat = EnrolmentFactory(session=session, learner=_learner())
    waiting = EnrolmentFactory(session=session, learner=_learner(), status="waitlisted")
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_cancel(enrolment=seat, actor=seat.learner.user)
        services.session_update(session=session, actor=trainer.user, location="五楼大会议室")
        services.session_cancel(session=session, actor=trainer.user)
    kinds = list(
        Notification.objects.filter(recipient=waiting.learner)
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds == ["promoted", "changed", "cancelled"]
    assert len([m for m in mail.outbox if m.to == [waiting.learner.user.email]]) == 3


def test_learner_without_address_gets_in_app_only(django_capture_on_commit_callbacks, learner):
    session = SessionFactory(trainers=[make_trainer()])
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_create(session=session, learner=learner, actor=learner.user)
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=learner).count() == 1


def test_reminder_sent_once_for_sessions_within_a_day(django_capture_on_commit_callbacks):
    trainer = make_trainer()
    now = timezone.now()
    soon = SessionFactory(
        trainers=[trainer],
        starts_at=now + dt.timedelta(hours=20),
        ends_at=now + dt.timedelta(hours=21),
    )
    later = SessionFactory(
        trainers=[trainer],
        starts_at=now + dt.timedelta(hours=30),
        ends_at=now + dt.timedelta(hours=31),
    )
    a = EnrolmentFactory(session=soon, learner=_learner())
    EnrolmentFactory(session=soon, learner=_learner(), status="waitlisted")
    EnrolmentFactory(session=later, learner=_learner())
    with django_capture_on_commit_callbacks(execute=True):
        assert services.session_reminders_send(now=now) == 1
        assert services.session_reminders_send(now=now) == 0
        call_command("send_session_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Notification.objects.filter(kind="reminder").count() == 1
    assert [m.to for m in mail.outbox] == [[a.learner.user.email]]


def test_notification_page_shows_unread_and_marks_read(client_for, learner):
    session = SessionFactory(trainers=[make_trainer()])
    services.enrolment_create(session=session, learner=learner, actor=learner.user)
    other = EmployeeFactory()
    Notification.objects.create(recipient=other, kind="reminder", title="别人的")
    client = client_for(learner)
    page = client.get(reverse("sessions:notifications"))
    assert page.status_code == 200
    assert page.context["unread"] == 1
    assert "别人的" not in page.content.decode()
    assert client.post(reverse("sessions:notifications")).status_code == 302
    assert Notification.objects.filter(recipient=learner, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 1


def test_moved_session_is_reminded_again_for_its_new_time():
    trainer = make_trainer()
    now = timezone.now()
    session = SessionFactory(
        trainers=[trainer],
        starts_at=now + dt.timedelta(hours=20),
        ends_at=now + dt.timedelta(hours=21),
    )
    EnrolmentFactory(session=session, learner=_learner())
    assert services.session_reminders_send(now=now) == 1
    services.session_update(
        session=session,
        actor=trainer.user,
        starts_at=now + dt.timedelta(days=3),
        ends_at=now + dt.timedelta(days=3, hours=1),
    )
    assert services.session_reminders_send(now=now) == 0  # not within a day any more
    later = now + dt.timedelta(days=2, hours=6)
    assert services.session_reminders_send(now=later) == 1
    assert Notification.objects.filter(kind="reminder").count() == 2


def test_a_change_other_than_the_time_does_not_repeat_the_reminder():
    trainer = make_trainer()
    now = timezone.now()
    session = SessionFactory(
        trainers=[trainer],
        starts_at=now + dt.timedelta(hours=20),
        ends_at=now + dt.timedelta(hours=21),
    )
    EnrolmentFactory(session=session, learner=_learner())
    assert services.session_reminders_send(now=now) == 1
    services.session_update(session=session, actor=trainer.user, location="五楼大会议室")
    assert services.session_reminders_send(now=now) == 0


def test_plain_text_mail_is_not_html_escaped(django_capture_on_commit_callbacks):
    session = SessionFactory(trainers=[make_trainer()], title='Q&A "合规" <入门>')
    learner = _learner()
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_create(session=session, learner=learner, actor=learner.user)
    [message] = mail.outbox
    assert message.subject.endswith('Q&A "合规" <入门>')
    assert 'Q&A "合规" <入门>' in message.body
