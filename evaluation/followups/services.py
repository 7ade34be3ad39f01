"""Writes of manager follow-ups: dispatch N days after a session ended, one reminder, closing
(all run daily by ``manage.py send_survey_reminders``), and a manager's answer (once, final).

Timing comes from ``SurveySettings`` (``followup_after_days``, ``followup_reminder_after_days``,
``followup_close_after_days``); notifications go through ``hub.sessions`` (in-app, and e-mail
through its django-tasks job), one per manager and session, never one per learner.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evaluation.followups.models import COMMENT_MAX, RATING_HIGH, RATING_LOW, FollowUp
from evaluation.surveys.models import SurveySettings
from hub.organisation.models import Employee, RoleGrant
from hub.organisation.roles import Role
from hub.sessions.models import Enrolment, Notification, Session
from hub.sessions.services.notifications import notify

MSG_NOT_ADDRESSED = _("Only the managers this follow-up was sent to can answer it.")
MSG_CLOSED = _("This follow-up is closed; answers are no longer accepted.")
MSG_ALREADY_ANSWERED = _("This follow-up has already been answered. Answers are final.")
MSG_RATING = _("Choose a rating from 1 to 5.")
MSG_COMMENT_TOO_LONG = _("Please keep the comment under %(max)s characters.")

Through = FollowUp.managers.through
BATCH_SIZE = 2000


class AlreadyAnswered(Exception):
    """The follow-up has an answer (by this or another addressed manager): nothing written."""


def followups_url() -> str:
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    return base + reverse("evaluation:followups")


def _body(*, reminder: bool) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        if reminder:
            text = gettext(
                "Reminder: please tell us whether your team members apply what they learned "
                "in this session (1 minute each)."
            )
        else:
            text = gettext(
                "Your team members completed this session a while ago. Do they apply what was "
                "taught? Please rate each of them (1 minute each)."
            )
    return f"{text} {followups_url()}"


def _notify_by_session(pairs: set[tuple[int, int]], *, reminder: bool) -> None:
    """One notification per (session, manager) of ``pairs``."""
    if not pairs:
        return
    by_session: dict[int, list[int]] = defaultdict(list)
    for session_id, manager_id in sorted(pairs):
        by_session[session_id].append(manager_id)
    sessions = Session.objects.in_bulk(list(by_session))
    people = Employee.objects.in_bulk([m for ids in by_session.values() for m in ids])
    body = _body(reminder=reminder)
    for session_id, manager_ids in by_session.items():
        notify(
            [people[m] for m in manager_ids],
            Notification.Kind.FOLLOW_UP,
            sessions[session_id],
            body,
        )


def followups_dispatch(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Create the follow-ups of every completer (``Enrolment.objects.completed()``) of ENDED
    sessions whose end (``ended_at``, else ``ends_at``) lies between N + M and N days ago
    (N: ``followup_after_days``, M: ``followup_close_after_days``; older sessions are not
    asked about any more), once per (session, learner).

    Each row is addressed to every branch manager of the learner's branch except the learner
    (``managers``), open for M days; a learner with nobody to ask gets a row without
    ``sent_at`` (counted as "no manager", never sent). Managers are notified once per session.

    Idempotent and safe in parallel: the due sessions are locked (``SELECT … FOR UPDATE``)
    before the missing learners are read, and the unique (session, learner) constraint is the
    backstop. Returns {"sent": rows sent, "no_manager": rows without a manager}."""
    now = now or timezone.now()
    config = SurveySettings.load()
    latest_end = now - dt.timedelta(days=config.followup_after_days)
    earliest_end = latest_end - dt.timedelta(days=config.followup_close_after_days)
    closes = now + dt.timedelta(days=config.followup_close_after_days)
    counts = {"sent": 0, "no_manager": 0}
    with transaction.atomic():
        session_ids = list(
            Session.objects.select_for_update()
            .annotate(end=Coalesce("ended_at", "ends_at"))
            .filter(status=Session.Status.ENDED, end__gt=earliest_end, end__lte=latest_end)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not session_ids:
            return counts
        asked = FollowUp.objects.filter(session=OuterRef("session"), learner=OuterRef("learner"))
        candidates = list(
            Enrolment.objects.completed()
            .filter(session_id__in=session_ids)
            .exclude(Exists(asked))
            .order_by("session_id", "learner_id")
            .values_list("session_id", "learner_id", "learner__branch_id")
        )
        if not candidates:
            return counts
        managers_of: dict[int, set[int]] = defaultdict(set)
        for branch_id, employee_id in RoleGrant.objects.filter(
            role=Role.BRANCH_MANAGER, branch_id__in={c[2] for c in candidates}
        ).values_list("branch_id", "employee_id"):
            managers_of[branch_id].add(employee_id)
        rows, addressed = [], []
        for session_id, learner_id, branch_id in candidates:
            managers = sorted(managers_of[branch_id] - {learner_id})
            rows.append(
                FollowUp(
                    session_id=session_id,
                    learner_id=learner_id,
                    sent_at=now if managers else None,
                    closes_at=closes,
                )
            )
            addressed.append(managers)
        created = FollowUp.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        Through.objects.bulk_create(
            (
                Through(followup_id=row.pk, employee_id=m)
                for row, managers in zip(created, addressed, strict=True)
                for m in managers
            ),
            batch_size=BATCH_SIZE,
        )
        _notify_by_session(
            {(row.session_id, m) for row, ms in zip(created, addressed, strict=True) for m in ms},
            reminder=False,
        )
        counts["sent"] = sum(1 for managers in addressed if managers)
        counts["no_manager"] = len(rows) - counts["sent"]
    return counts


def followup_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind, once per follow-up, the addressed managers of the open unanswered follow-ups
    sent at least ``followup_reminder_after_days`` ago (one notification per manager and
    session). The rows are claimed under a row lock, so a parallel run reminds nobody twice.
    Returns how many follow-ups were reminded about."""
    now = now or timezone.now()
    days = SurveySettings.load().followup_reminder_after_days
    with transaction.atomic():
        due = list(
            FollowUp.objects.select_for_update()
            .filter(
                sent_at__lte=now - dt.timedelta(days=days),
                reminder_sent_at__isnull=True,
                answered_at__isnull=True,
                closed_at__isnull=True,
                closes_at__gt=now,
            )
            .values_list("pk", "session_id")
        )
        if not due:
            return 0
        ids = [pk for pk, _session in due]
        FollowUp.objects.filter(pk__in=ids).update(reminder_sent_at=now)
        pairs = set(
            Through.objects.filter(followup_id__in=ids).values_list(
                "followup__session_id", "employee_id"
            )
        )
        _notify_by_session(pairs, reminder=True)
    return len(ids)


def followups_close_overdue(*, now: dt.datetime | None = None) -> int:
    """Close the unanswered follow-ups past their closing time. Returns how many."""
    now = now or timezone.now()
    return FollowUp.objects.filter(
        closed_at__isnull=True, answered_at__isnull=True, closes_at__lte=now
    ).update(closed_at=now)


# --- answering -----------------------------------------------------------------------------


def is_addressed(*, followup: FollowUp, employee: Employee | None) -> bool:
    if employee is None:
        return False
    return Through.objects.filter(followup_id=followup.pk, employee_id=employee.pk).exists()


def clean_answer(*, rating, comment: str | None) -> tuple[int, str]:
    """A rating 1-5 (required) and a comment of at most 1000 characters. Raises one
    ValidationError mapping "rating" / "comment" to their messages."""
    errors: dict[str, ValidationError] = {}
    try:
        value = int(str(rating).strip())
    except (TypeError, ValueError):
        value = None
    if value is None or not RATING_LOW <= value <= RATING_HIGH:
        errors["rating"] = ValidationError(MSG_RATING, code="rating")
    text = (comment or "").strip()
    if len(text) > COMMENT_MAX:
        errors["comment"] = ValidationError(
            MSG_COMMENT_TOO_LONG, code="comment", params={"max": COMMENT_MAX}
        )
    if errors:
        raise ValidationError(errors)
    return value, text


def followup_answer(
    *, followup: FollowUp, manager: Employee | None, rating, comment: str = "", now=None
) -> FollowUp:
    """An addressed manager answers ``followup``: a rating 1-5 and an optional comment.

    Refuses anyone not addressed (PermissionDenied; HQ admins do not answer for a manager),
    an invalid answer (ValidationError with "rating"/"comment", nothing stored), a closed
    follow-up (ValidationError, code "closed") and an answered one (AlreadyAnswered). The
    write is one conditional UPDATE (still unanswered and open), so of two parallel submits,
    by one manager or two, exactly one stores its answer. Answers are final."""
    now = now or timezone.now()
    if not is_addressed(followup=followup, employee=manager):
        raise PermissionDenied(MSG_NOT_ADDRESSED)
    value, text = clean_answer(rating=rating, comment=comment)
    stored = FollowUp.objects.filter(
        pk=followup.pk,
        sent_at__isnull=False,
        answered_at__isnull=True,
        closed_at__isnull=True,
        closes_at__gt=now,
    ).update(rating=value, comment=text, answered_by=manager, answered_at=now)
    followup.refresh_from_db()
    if not stored:
        if followup.answered:
            raise AlreadyAnswered
        raise ValidationError(MSG_CLOSED, code="closed")
    return followup
