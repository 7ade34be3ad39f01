"""In-app notifications of sessions and their e-mails, and the day-before reminders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from hub.organisation.models import Employee
from hub.sessions.models import (
    Enrolment,
    Notification,
    Session,
)


def notify(
    recipients: list[Employee], kind: str, session: Session | None, body: str = ""
) -> list[Notification]:
    """Write in-app notifications and queue their e-mails after commit."""
    if not recipients:
        return []
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient=r,
                kind=kind,
                session=session,
                title=session.title if session else "",
                body=body,
            )
            for r in recipients
        ]
    )
    ids = [n.pk for n in rows]  # SQLite ≥ 3.35 and PostgreSQL return the new ids

    def enqueue() -> None:
        from hub.sessions.tasks import notification_emails_send

        notification_emails_send.enqueue(ids)

    transaction.on_commit(enqueue)
    return rows


def notify_learners(session: Session, kind: str, *, waitlisted_too: bool = False) -> None:
    statuses = [Enrolment.Status.ENROLLED]
    if waitlisted_too:
        statuses.append(Enrolment.Status.WAITLISTED)
    learners = [
        e.learner for e in session.enrolments.filter(status__in=statuses).select_related("learner")
    ]
    notify(learners, kind, session)


def notifications_mark_read(*, employee: Employee, ids: Iterable[int] | None = None) -> int:
    """Mark the employee's notifications read (all, or only ``ids``); returns how many."""
    qs = Notification.objects.filter(recipient=employee, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    with transaction.atomic():
        return qs.update(read_at=timezone.now())


def session_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind enrolled learners of sessions starting within the next 24 hours.

    Idempotent: each enrolment is reminded once (``reminder_sent_at``, claimed under a row
    lock), so the command may run every hour or twice at once. Returns how many were sent.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Enrolment.objects.select_for_update(of=("self",))
            .filter(
                status=Enrolment.Status.ENROLLED,
                reminder_sent_at__isnull=True,
                session__status=Session.Status.SCHEDULED,
                session__starts_at__gt=now,
                session__starts_at__lte=now + dt.timedelta(hours=24),
            )
            .select_related("learner", "session")
            .order_by("pk")
        )
        Enrolment.objects.filter(pk__in=[e.pk for e in due]).update(reminder_sent_at=now)
        by_session: dict[int, list[Enrolment]] = {}
        for enrolment in due:
            by_session.setdefault(enrolment.session_id, []).append(enrolment)
        for rows in by_session.values():
            notify([e.learner for e in rows], Notification.Kind.REMINDER, rows[0].session)
    return len(due)
