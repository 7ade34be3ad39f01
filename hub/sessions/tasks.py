"""Background jobs of sessions (django-tasks): notification e-mails."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from hub.sessions.models import Notification

logger = logging.getLogger(__name__)


@task()
def notification_emails_send(notification_ids: list[int]) -> int:
    """Mail each not-yet-mailed notification to its recipient (skipping those without an
    address). Claims each row with a conditional update, so a job run twice mails once."""
    sent = 0
    rows = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
    for notification in rows.select_related("recipient__user", "session__branch"):
        address = notification.recipient.user.email
        if not address:
            continue
        claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            continue
        context = {"notification": notification, "session": notification.session}
        with translation.override(settings.LANGUAGE_CODE):
            subject = render_to_string("hub/email/session_subject.txt", context)
            body = render_to_string("hub/email/session_notification.txt", context)
        send_mail(" ".join(subject.split()), body, None, [address])
        sent += 1
    return sent
