"""Answering once, anonymity in the database, dispatch to completers, reminders, closing,
template versions and the audited settings."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from evaluation.models import (
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyReceipt,
    SurveyResponse,
    SurveySettings,
    SurveyTemplate,
)
from evaluation.surveys import dispatch, services
from hub.organisation.models import AuditEvent, Employee
from hub.sessions.models import Notification, Session
from hub.sessions.signals import session_delivered
from tests.evaluation.helpers import enrol, make_session
from tests.evaluation.surveys.helpers import answers_for, completer, default_template, make_survey
from tests.factories import EmployeeFactory, make_hq_admin

pytestmark = pytest.mark.django_db


# --- answering -----------------------------------------------------------------------------


def test_submit_stores_response_answers_score_and_receipt():
    survey = make_survey(make_session())
    learner = completer(survey.session)
    response = services.response_submit(survey=survey, learner=learner, answers=answers_for(survey))
    # 4, 4, 4 -> 75 each; NPS 8 -> 80; (75 * 3 + 80) / 4 = 76.25
    assert response.satisfaction == Decimal("76.25")
    assert SurveyAnswer.objects.filter(response=response).count() == 5
    assert SurveyReceipt.objects.filter(survey=survey, learner=learner).count() == 1


def test_second_submit_is_already_answered_and_writes_nothing():
    survey = make_survey(make_session())
    learner = completer(survey.session)
    services.response_submit(survey=survey, learner=learner, answers=answers_for(survey))
    with pytest.raises(services.AlreadyAnswered):
        services.response_submit(survey=survey, learner=learner, answers=answers_for(survey))
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    assert SurveyAnswer.objects.count() == 5
    assert SurveyReceipt.objects.count() == 1


def test_non_completers_are_refused():
    survey = make_survey(make_session())
    enrolled_only = EmployeeFactory()
    enrol(survey.session, enrolled_only)  # enrolled, no completed attendance
    for learner in (enrolled_only, EmployeeFactory()):
        with pytest.raises(PermissionDenied):
            services.response_submit(survey=survey, learner=learner, answers=answers_for(survey))
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize(("value", "code"), [("", "required"), ("6", "range"), ("x", "range")])
def test_invalid_required_rating_is_refused_and_nothing_stored(value, code):
    survey = make_survey(make_session())
    learner = completer(survey.session)
    answers = answers_for(survey, rating_5=value)
    with pytest.raises(ValidationError) as caught:
        services.response_submit(survey=survey, learner=learner, answers=answers)
    messages = [m for ms in caught.value.message_dict.values() for m in ms]
    expected = (
        str(services.MSG_REQUIRED)
        if code == "required"
        else str(services.MSG_RATING_RANGE) % {"low": 1, "high": 5}
    )
    assert messages == [expected] * 3  # each of the three 1-5 questions
    assert not SurveyResponse.objects.exists()
    assert not SurveyReceipt.objects.exists()


def test_nps_out_of_range_is_refused():
    survey = make_survey(make_session())
    learner = completer(survey.session)
    with pytest.raises(ValidationError):
        services.response_submit(
            survey=survey, learner=learner, answers=answers_for(survey, rating_10="11")
        )
    assert not SurveyResponse.objects.exists()


def test_optional_comment_may_be_empty():
    survey = make_survey(make_session())
    learner = completer(survey.session)
    response = services.response_submit(
        survey=survey, learner=learner, answers=answers_for(survey, text="")
    )
    assert not SurveyAnswer.objects.filter(response=response, question__kind="text").exists()


def test_closed_survey_refuses():
    survey = make_survey(make_session(), closes_in=dt.timedelta(seconds=-1))
    learner = completer(survey.session)
    with pytest.raises(ValidationError):
        services.response_submit(survey=survey, learner=learner, answers=answers_for(survey))
    assert not SurveyResponse.objects.exists()


def test_anonymous_response_has_no_link_to_the_learner_in_the_database():
    survey = make_survey(make_session())
    learner = completer(survey.session)
    services.response_submit(survey=survey, learner=learner, answers=answers_for(survey))
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(SurveyResponse._meta.db_table)
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - a model table name
        columns = [c[0] for c in cursor.description]
        rows = cursor.fetchall()
    assert len(rows) == 1
    row = dict(zip(columns, rows[0], strict=True))
    assert row["learner_id"] is None
    # No other column refers to an employee, and none carries the learner's id or user id.
    employee_fks = [
        f.column
        for model in (SurveyResponse, SurveyAnswer)
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is Employee
    ]
    assert employee_fks == ["learner_id"]
    # Random ids and only the day: neither row order nor time ties it to the receipt.
    local = timezone.localtime(SurveyResponse.objects.get().submitted_at)
    assert (local.hour, local.minute, local.second) == (0, 0, 0)
    assert isinstance(SurveyResponse.objects.get().pk, type(SurveyAnswer.objects.first().pk))
    assert len(str(SurveyResponse.objects.get().pk)) == 36
    # The receipt records that they answered, and nothing of what.
    receipt_columns = {f.column for f in SurveyReceipt._meta.concrete_fields}
    assert receipt_columns == {"id", "survey_id", "learner_id", "answered_on"}


def test_named_template_keeps_the_learner():
    template = default_template()
    template.anonymous = False
    template.save()
    survey = make_survey(make_session(), template=template)
    learner = completer(survey.session)
    response = services.response_submit(survey=survey, learner=learner, answers=answers_for(survey))
    assert response.learner == learner


# --- dispatch ------------------------------------------------------------------------------


def test_dispatch_invites_completers_only_once_in_app_and_by_email(
    django_capture_on_commit_callbacks,
):
    session = make_session()
    session.ended_at = timezone.now()
    session.save()
    done = completer(session)
    done.user.email = "learner@example.com"
    done.user.save()
    enrol(session, EmployeeFactory())  # enrolled, did not complete
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch.survey_dispatch(session=session) == 1
        assert dispatch.survey_dispatch(session=session) == 0
    assert list(SurveyInvitation.objects.values_list("learner_id", flat=True)) == [done.pk]
    notes = Notification.objects.filter(session=session)
    assert [n.recipient_id for n in notes] == [done.pk]
    assert notes[0].kind == Notification.Kind.SURVEY  # labelled 问卷, not a session reminder
    survey = session.survey
    assert f"/surveys/{survey.pk}/" in notes[0].body
    assert survey.closes_at == session.ended_at + dt.timedelta(days=7)
    assert len(mail.outbox) == 1 and f"/surveys/{survey.pk}/" in mail.outbox[0].body
    assert "starts within a day" not in mail.outbox[0].body


def test_a_later_completion_is_invited_through_session_delivered():
    session = make_session()
    first = completer(session)
    session_delivered.send(sender=Session, session=session)
    late = completer(session)
    session_delivered.send(sender=Session, session=session)
    invited = set(SurveyInvitation.objects.values_list("learner_id", flat=True))
    assert invited == {first.pk, late.pk}


def test_no_dispatch_before_the_session_ended():
    session = make_session(status=Session.Status.LIVE)
    completer(session)
    assert dispatch.survey_dispatch(session=session) == 0
    assert not SurveyInvitation.objects.exists()


def test_reminder_once_to_invited_without_receipt_then_close():
    session = make_session()
    answered, silent = completer(session), completer(session)
    dispatch.survey_dispatch(session=session)
    survey = session.survey
    services.response_submit(survey=survey, learner=answered, answers=answers_for(survey))
    Notification.objects.all().delete()
    assert dispatch.survey_reminders_send(now=timezone.now() + dt.timedelta(days=1)) == 0
    later = timezone.now() + dt.timedelta(days=2, minutes=1)
    assert dispatch.survey_reminders_send(now=later) == 1
    assert [n.recipient_id for n in Notification.objects.all()] == [silent.pk]
    assert Notification.objects.get().kind == Notification.Kind.SURVEY
    assert dispatch.survey_reminders_send(now=later + dt.timedelta(days=1)) == 0
    assert dispatch.surveys_close_overdue(now=later) == 0
    assert dispatch.surveys_close_overdue(now=timezone.now() + dt.timedelta(days=8)) == 1
    survey.refresh_from_db()
    assert survey.closed_at is not None and not survey.is_open()


# --- templates and settings ----------------------------------------------------------------


def test_editing_a_template_in_use_creates_a_new_version():
    hq = make_hq_admin()
    template = default_template()
    assert services.template_revise(template=template, actor=hq.user) == template  # unused
    make_survey(make_session(), template=template)
    copy = services.template_revise(template=template, actor=hq.user)
    assert (copy.family, copy.version, copy.is_current, copy.is_default) == (
        template.family,
        2,
        True,
        True,
    )
    template.refresh_from_db()
    assert not template.is_current and not template.is_default
    old = SurveyQuestion.objects.filter(section__template=template).count()
    assert SurveyQuestion.objects.filter(section__template=copy).count() == old == 5
    assert services.default_template() == copy
    # the unused copy is the draft: asking again returns it, no version 3
    assert services.template_revise(template=template, actor=hq.user) == copy


def test_only_hq_admins_revise_templates_and_change_settings():
    template = default_template()
    with pytest.raises(PermissionDenied):
        services.template_revise(template=template, actor=EmployeeFactory().user)
    with pytest.raises(PermissionDenied):
        services.survey_settings_update(actor=EmployeeFactory().user, reminder_after_days=3)


def test_settings_update_is_audited():
    hq = make_hq_admin()
    services.survey_settings_update(actor=hq.user, reminder_after_days=3, close_after_days=7)
    assert SurveySettings.load().reminder_after_days == 3
    event = AuditEvent.objects.get()
    assert event.data == {"survey": {"reminder_after_days": [2, 3]}}


@pytest.mark.parametrize(("reminder", "close"), [(0, 7), (7, 7), (9, 7)])
def test_a_reminder_outside_the_open_survey_is_refused_and_nothing_changes(reminder, close):
    hq = make_hq_admin()
    with pytest.raises(ValidationError) as refused:
        services.survey_settings_update(
            actor=hq.user, reminder_after_days=reminder, close_after_days=close
        )
    assert "reminder_after_days" in refused.value.message_dict
    settings = SurveySettings.load()
    assert (settings.reminder_after_days, settings.close_after_days) == (2, 7)
    assert not AuditEvent.objects.exists()


def test_a_reminder_the_day_before_closing_is_accepted():
    hq = make_hq_admin()
    services.survey_settings_update(actor=hq.user, reminder_after_days=6, close_after_days=7)
    assert SurveySettings.load().reminder_after_days == 6


def test_a_completion_recorded_after_the_end_sends_the_survey():
    """The recording path: minutes recorded for an ended session (as recording progress does
    through ``attendance_record_minutes``) complete the learner, and the survey follows."""
    from hub.sessions.services import attendance_record_minutes

    session = make_session()
    learner = EmployeeFactory()
    enrolment = enrol(session, learner)
    attendance_record_minutes(enrolment=enrolment, minutes=session.attendance_minutes)
    assert list(SurveyInvitation.objects.values_list("learner_id", flat=True)) == [learner.pk]
    assert Notification.objects.filter(recipient=learner, session=session).count() == 1


def _choice_template():
    template = SurveyTemplate.objects.create(name="选择题", anonymous=False)
    section = template.sections.create(position=0, title_zh="选择")
    options = [{"zh": "甲", "en": "A"}, {"zh": "乙", "en": "B"}, {"zh": "丙", "en": "C"}]
    single = section.questions.create(kind="single", text_zh="单选", options=options)
    multiple = section.questions.create(
        kind="multiple", text_zh="多选", options=options, required=False
    )
    optional = section.questions.create(kind="rating_5", text_zh="评分", required=False)
    return template, single, multiple, optional


def test_choices_are_validated_and_stored():
    template, single, multiple, _optional = _choice_template()
    survey = make_survey(make_session(), template=template)
    learner = completer(survey.session)
    for bad in ({single.pk: ["3"]}, {single.pk: ["0", "1"]}, {single.pk: ["x"]}, {}):
        with pytest.raises(ValidationError):
            services.response_submit(survey=survey, learner=learner, answers=bad)
    assert not SurveyResponse.objects.exists()
    response = services.response_submit(
        survey=survey, learner=learner, answers={single.pk: ["1"], multiple.pk: ["2", "0"]}
    )
    stored = {a.question_id: a.choices for a in response.answers.all()}
    assert stored == {single.pk: [1], multiple.pk: [0, 2]}
    assert response.satisfaction is None  # no rating in the satisfaction set
