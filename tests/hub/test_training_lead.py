"""The training lead reads everything HQ reads and writes nothing HQ-wide (issue: the lead
could grade, save the attendance rules, edit sessions, show check-in codes, moderate rooms).
The full URL-by-URL table is in ``test_url_permissions``; these pin the reported cases."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation import services as evaluation_services
from evaluation.models import Grade
from hub.organisation.models import AuditEvent, Role
from hub.sessions.models import Session, SessionSettings
from live.selectors import room_access
from tests.evaluation.helpers import enrol, make_assignment
from tests.factories import BranchFactory, EmployeeFactory, SessionFactory, grant
from tests.hub.sessions.helpers import make_trainer

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(db):
    hq = BranchFactory(code="HQ", name="总部", is_hq=True)
    lead = EmployeeFactory(branch=hq)
    grant(lead, Role.TRAINING_LEAD)
    return lead


@pytest.fixture
def session(learner):
    trainer = make_trainer()
    start = timezone.now() - dt.timedelta(days=1)
    session = SessionFactory(
        trainers=[trainer], status="ended", starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )
    enrol(session, learner)
    return session


def test_lead_cannot_grade_another_trainers_submission(client_for, lead, learner, session):
    assignment = make_assignment(session)
    submission = evaluation_services.submission_create(
        assignment=assignment, actor=learner.user, text="我的总结"
    )
    client = client_for(lead)
    # reads: the submissions and the submission itself
    assert client.get(reverse("evaluation:submissions", args=[assignment.pk])).status_code == 200
    assert client.get(reverse("evaluation:submission", args=[submission.pk])).status_code == 200
    url = reverse("evaluation:grade", args=[submission.pk])
    assert client.post(url, {"score": "90", "feedback": "好"}).status_code == 403
    assert not Grade.objects.exists()


def test_lead_reads_but_cannot_save_the_attendance_rules(client_for, lead, hq_admin):
    client = client_for(lead)
    page = client.get(reverse("sessions:settings"))
    assert page.status_code == 200
    assert 'data-testid="read-only"' in page.content.decode()
    before = SessionSettings.load().completion_percent
    values = {
        "completion_percent": "10",
        "late_after_minutes": "1",
        "cancel_deadline_hours": "1",
        "checkin_code_minutes": "1",
        "early_start_minutes": "30",
        "end_not_before_start": "on",
    }
    assert client.post(reverse("sessions:settings"), values).status_code == 403
    assert SessionSettings.load().completion_percent == before
    assert not AuditEvent.objects.exists()
    # the HQ admin saves them, audited
    assert client_for(hq_admin).post(reverse("sessions:settings"), values).status_code == 302
    assert SessionSettings.load().completion_percent == 10
    event = AuditEvent.objects.get(action=AuditEvent.Action.SESSION_RULES_CHANGED)
    assert event.data["completion_percent"] == [before, 10]
    assert event.actor == hq_admin.user


def test_lead_cannot_edit_run_or_show_the_code_of_a_session(client_for, lead):
    session = SessionFactory(trainers=[make_trainer()])
    client = client_for(lead)
    assert client.get(reverse("sessions:detail", args=[session.pk])).status_code == 200
    assert client.get(reverse("sessions:code", args=[session.pk])).status_code == 403
    assert client.get(reverse("sessions:edit", args=[session.pk])).status_code == 403
    cancel = reverse("sessions:transition", args=[session.pk, "cancel"])
    assert client.post(cancel).status_code == 403
    session.refresh_from_db()
    assert session.status == Session.Status.SCHEDULED


def test_lead_reads_a_recordings_questions_without_answering(client_for, lead, session):
    from live.models import Question

    session.recording_url = "https://video.example.com/replay.mp4"
    session.save(update_fields=["recording_url"])
    learner = session.enrolments.get().learner
    question = Question.objects.create(
        session=session, author=learner, text="第三步怎么做？", origin=Question.Origin.RECORDING
    )
    client = client_for(lead)
    page = client.get(reverse("live:recording", args=[session.pk])).content.decode()
    assert "第三步怎么做？" in page
    assert reverse("live:recording_answer", args=[question.pk]) not in page
    answer = client.post(reverse("live:recording_answer", args=[question.pk]), {"answer": "看"})
    assert answer.status_code == 403
    question.refresh_from_db()
    assert not question.answered


def test_lead_is_not_staff_in_a_live_room_but_the_hq_admin_is(lead, hq_admin):
    session = SessionFactory(trainers=[make_trainer()], mode="live_online", location="")
    assert room_access(lead.user, session) is None
    assert room_access(hq_admin.user, session) == "hq"
