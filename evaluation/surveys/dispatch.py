"""Sending surveys: when a session's completions are final (``session_delivered``) or a
learner completes by watching the recording, each completer is invited once, in-app and by
e-mail (``hub.sessions`` notifications and their django-tasks mail); a reminder once after
N days to those without a receipt; closing after M days (``SurveySettings``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from evaluation.surveys.editing import template_for_session
from evaluation.surveys.models import Survey, SurveyInvitation, SurveyReceipt, SurveySettings
from hub.organisation.models import Employee
from hub.sessions.models import Enrolment, Notification, Session
from hub.sessions.services.notifications import notify


def survey_url(survey: Survey) -> str:
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    return base + reverse("evaluation:survey_answer", args=[survey.pk])


def _body(survey: Survey, *, reminder: bool) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        if reminder:
            text = gettext("Reminder: please answer the survey of this session (about 1 minute).")
        else:
            text = gettext("Thank you for taking part. Please answer the short survey.")
    return f"{text} {survey_url(survey)}"


def survey_for_session(*, session: Session, now: dt.datetime | None = None) -> Survey | None:
    """The session's survey, created when missing on the template chosen for the session or
    its course, else the default (``editing.template_for_session``); open now, closing M
    days after the session ended. None without a template."""
    existing = Survey.objects.filter(session=session).select_related("template").first()
    if existing is not None:
        return existing
    template = template_for_session(session)
    if template is None:
        return None
    now = now or timezone.now()
    opens = session.ended_at or now
    closes = opens + dt.timedelta(days=SurveySettings.load().close_after_days)
    survey, _created = Survey.objects.get_or_create(
        session=session, defaults={"template": template, "opens_at": opens, "closes_at": closes}
    )
    return survey


def survey_dispatch(*, session: Session, now: dt.datetime | None = None) -> int:
    """Invite every completer of the ended ``session`` not invited yet (idempotent: one
    invitation per learner, claimed under the survey's row lock). Returns how many."""
    if session.status != Session.Status.ENDED:
        return 0
    now = now or timezone.now()
    with transaction.atomic():
        survey = survey_for_session(session=session, now=now)
        if survey is None or survey.closed_at is not None or survey.closes_at <= now:
            return 0
        Survey.objects.select_for_update().filter(pk=survey.pk).get()
        invited = SurveyInvitation.objects.filter(survey=survey).values("learner_id")
        learner_ids = list(
            Enrolment.objects.completed()
            .filter(session=session)
            .exclude(learner_id__in=invited)
            .values_list("learner_id", flat=True)
        )
        if not learner_ids:
            return 0
        SurveyInvitation.objects.bulk_create(
            SurveyInvitation(survey=survey, learner_id=i, sent_at=now) for i in learner_ids
        )
        learners = list(Employee.objects.filter(pk__in=learner_ids))
        notify(learners, Notification.Kind.SURVEY, session, body=_body(survey, reminder=False))
    return len(learner_ids)


def survey_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind, once per survey, the invited learners without a receipt, N days after the
    survey opened (still open). Returns how many learners were reminded."""
    now = now or timezone.now()
    days = SurveySettings.load().reminder_after_days
    sent = 0
    with transaction.atomic():
        due = list(
            Survey.objects.select_for_update(of=("self",))
            .filter(
                reminder_sent_at__isnull=True,
                closed_at__isnull=True,
                closes_at__gt=now,
                opens_at__lte=now - dt.timedelta(days=days),
            )
            .select_related("session")
        )
        for survey in due:
            answered = SurveyReceipt.objects.filter(survey=survey).values("learner_id")
            learners = list(
                Employee.objects.filter(survey_invitations__survey=survey).exclude(pk__in=answered)
            )
            survey.reminder_sent_at = now
            survey.save(update_fields=["reminder_sent_at"])
            notify(learners, Notification.Kind.SURVEY, survey.session, _body(survey, reminder=True))
            sent += len(learners)
    return sent


def surveys_close_overdue(*, now: dt.datetime | None = None) -> int:
    """Close the open surveys past their closing time. Returns how many."""
    now = now or timezone.now()
    return Survey.objects.filter(closed_at__isnull=True, closes_at__lte=now).update(closed_at=now)
