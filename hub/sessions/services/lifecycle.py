"""Sessions: scheduling, editing and the status transitions (start, end, cancel)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.organisation.models import AuditEvent, Employee, PositionCategory, Role, RoleGrant
from hub.organisation.permissions import access_for
from hub.organisation.services import audit_record
from hub.sessions import rules
from hub.sessions.models import (
    Enrolment,
    Notification,
    Session,
    SessionSettings,
)
from hub.sessions.services.attendance import attendance_finalise
from hub.sessions.services.common import MSG_NOT_ALLOWED, lock_session
from hub.sessions.services.enrolment import promote_waitlisted
from hub.sessions.services.notifications import notify_learners
from hub.sessions.signals import session_delivered, session_ending, session_started

MSG_NOT_TRAINER = _("Only HQ or a trainer may schedule sessions.")
MSG_TRAINERS_ROLE = _("Every trainer of a session must hold the trainer role.")
MSG_TRAINER_SELF = _("A trainer schedules sessions they teach: add yourself as a trainer.")
MSG_NO_TRAINERS = _("A session needs at least one trainer.")
MSG_BAD_TRANSITION = _("A %(status)s session cannot be %(verb)s.")
MSG_NOT_SCHEDULED = _("Only a scheduled session can be changed.")
MSG_CAPACITY_BELOW = _("The capacity cannot be lower than the %(count)s learners enrolled.")
MSG_LOCATION_REQUIRED = _("An in-person session needs a location.")
MSG_CAPACITY_MIN = _("A session needs at least one seat.")
MSG_RECORDING_ENDED = _("A recording can be attached once the session has ended.")
SESSION_FIELDS = (
    "title",
    "course",
    "branch",
    "mode",
    "starts_at",
    "ends_at",
    "capacity",
    "location",
    "stream_url",
    "description",
)
ANNOUNCED_FIELDS = ("starts_at", "ends_at", "mode", "location", "stream_url")


def _audience_value(audience: Iterable[str]) -> str:
    values = [c for c in PositionCategory.values if c in set(audience or ())]
    return ",".join(values)


def _check_trainers(trainers: list[Employee]) -> None:
    if not trainers:
        raise ValidationError({"trainers": MSG_NO_TRAINERS})
    ids = {t.pk for t in trainers}
    holding = set(
        RoleGrant.objects.filter(employee_id__in=ids, role=Role.TRAINER).values_list(
            "employee_id", flat=True
        )
    )
    if holding != ids:
        raise ValidationError({"trainers": MSG_TRAINERS_ROLE})


def _validate_session(session: Session) -> None:
    if session.capacity is not None and session.capacity < 1:
        raise ValidationError({"capacity": MSG_CAPACITY_MIN})
    if session.mode == Session.Mode.IN_PERSON and not session.location.strip():
        raise ValidationError({"location": MSG_LOCATION_REQUIRED})
    session.full_clean(exclude=["course", "created_by"])


def session_create(
    *,
    actor,
    title: str,
    trainers: list[Employee],
    mode: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int,
    branch=None,
    course=None,
    location: str = "",
    stream_url: str = "",
    audience: Iterable[str] = (),
    description: str = "",
) -> Session:
    """Schedule a session. ``actor`` is HQ, or a trainer who is among ``trainers``; every
    trainer holds the trainer role. Writes the session and its trainer links."""
    access = access_for(actor)
    trainers = list(trainers)
    if not access.is_hq_admin:
        if Role.TRAINER not in access.roles:
            raise PermissionDenied(MSG_NOT_TRAINER)
        if access.employee_id not in {t.pk for t in trainers}:
            raise ValidationError({"trainers": MSG_TRAINER_SELF})
    _check_trainers(trainers)
    session = Session(
        title=title,
        course=course,
        branch=branch,
        mode=mode,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        location=location,
        stream_url=stream_url,
        audience=_audience_value(audience),
        description=description,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _validate_session(session)
    with transaction.atomic():
        session.save()
        session.trainers.set(trainers)
    return session


def session_update(
    *, session: Session, actor, trainers: list[Employee] | None = None, audience=None, **changes
) -> Session:
    """Change a scheduled session (its trainers or HQ). A change of time, mode or place is
    announced to enrolled and waitlisted learners; a larger capacity promotes waitlisted
    learners; a capacity below the enrolled count is refused. A new start time clears the
    sent reminders so learners are reminded again before the new time."""
    if not rules.can_run_session(actor, session):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    unknown = set(changes) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"unknown session fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = lock_session(session)
        if locked.status != Session.Status.SCHEDULED:
            raise ValidationError(MSG_NOT_SCHEDULED)
        before = {name: getattr(locked, name) for name in ANNOUNCED_FIELDS}
        for name, value in changes.items():
            setattr(locked, name, value)
        if audience is not None:
            locked.audience = _audience_value(audience)
        enrolled = locked.enrolments.filter(status=Enrolment.Status.ENROLLED).count()
        if locked.capacity < enrolled:
            raise ValidationError({"capacity": MSG_CAPACITY_BELOW % {"count": enrolled}})
        _validate_session(locked)
        locked.save()
        if trainers is not None:
            trainers = list(trainers)
            _check_trainers(trainers)
            access = access_for(actor)
            if not access.is_hq_admin and access.employee_id not in {t.pk for t in trainers}:
                raise ValidationError({"trainers": MSG_TRAINER_SELF})
            locked.trainers.set(trainers)
        if locked.starts_at != before["starts_at"]:
            # A moved session gets a fresh day-before reminder for its new time.
            locked.enrolments.filter(reminder_sent_at__isnull=False).update(reminder_sent_at=None)
        if any(getattr(locked, name) != value for name, value in before.items()):
            notify_learners(locked, Notification.Kind.CHANGED, waitlisted_too=True)
        promote_waitlisted(locked)
    return locked


# Legal transitions: verb → (allowed from, to).
TRANSITIONS = {
    "start": ({Session.Status.SCHEDULED}, Session.Status.LIVE),
    "end": ({Session.Status.LIVE}, Session.Status.ENDED),
    "cancel": ({Session.Status.SCHEDULED}, Session.Status.CANCELLED),
}
VERB_LABELS = {"start": _("started"), "end": _("ended"), "cancel": _("cancelled")}


def _transition(*, session: Session, actor, verb: str) -> Session:
    if not rules.can_run_session(actor, session):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    allowed_from, target = TRANSITIONS[verb]
    locked = lock_session(session)
    if locked.status not in allowed_from:
        raise ValidationError(
            MSG_BAD_TRANSITION % {"status": locked.get_status_display(), "verb": VERB_LABELS[verb]}
        )
    locked.status = target
    return locked


def session_start_refusal(
    *, session: Session, now: dt.datetime, settings: SessionSettings
) -> str | None:
    """Why a scheduled ``session`` cannot be started at ``now`` (None: it can): the rule behind
    the Start button and ``session_start`` (``rules.start_refusal`` with the settings)."""
    return rules.start_refusal(
        now=now,
        scheduled_start=session.starts_at,
        early_start_minutes=settings.early_start_minutes,
    )


def session_end_refusal(
    *, session: Session, now: dt.datetime, settings: SessionSettings
) -> str | None:
    """Why a live ``session`` cannot be ended at ``now`` (None: it can): the rule behind the
    End button and ``session_end`` (``rules.end_refusal`` with the settings)."""
    return rules.end_refusal(
        now=now,
        scheduled_start=session.starts_at,
        end_not_before_start=settings.end_not_before_start,
    )


def session_start(*, session: Session, actor, now: dt.datetime | None = None) -> Session:
    """scheduled → live (its trainers or HQ), at most ``early_start_minutes`` (settings) before
    the scheduled start; records ``started_at``."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _transition(session=session, actor=actor, verb="start")
        settings = SessionSettings.load()  # after the permission check: load may create it
        refusal = session_start_refusal(session=locked, now=now, settings=settings)
        if refusal:
            raise ValidationError(refusal)
        locked.started_at = now
        locked.save(update_fields=["status", "started_at"])
        session_started.send(sender=Session, session=locked, actor=actor)
    return locked


def session_end(*, session: Session, actor, now: dt.datetime | None = None) -> Session:
    """live → ended (its trainers or HQ), not before the scheduled start (settings). Stores
    ``ended_at`` and the delivered duration (``rules.delivered_minutes``), finalises attendance
    against it with the completion rule, and, when a learner completed, every training need in
    delivery that is linked to the session becomes delivered."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _transition(session=session, actor=actor, verb="end")
        settings = SessionSettings.load()  # after the permission check: load may create it
        refusal = session_end_refusal(session=locked, now=now, settings=settings)
        if refusal:
            raise ValidationError(refusal)
        locked.ended_at = now
        locked.delivered_minutes = rules.delivered_minutes(
            scheduled_start=locked.starts_at, scheduled_end=locked.ends_at, ended_at=now
        )
        locked.save(update_fields=["status", "ended_at", "delivered_minutes"])
        session_ending.send(sender=Session, session=locked, actor=actor)
        attendance_finalise(session=locked)
        session_delivered.send(sender=Session, session=locked)
    return locked


def session_cancel(*, session: Session, actor, reason: str = "") -> Session:
    """scheduled → cancelled (its trainers or HQ). Enrolled and waitlisted learners are told;
    one ``session.cancelled`` audit event."""
    with transaction.atomic():
        locked = _transition(session=session, actor=actor, verb="cancel")
        locked.cancelled_at = timezone.now()
        locked.cancel_reason = reason.strip()[:300]
        locked.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        notify_learners(locked, Notification.Kind.CANCELLED, waitlisted_too=True)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.SESSION_CANCELLED,
            summary=f"{locked.title} ({locked.starts_at:%Y-%m-%d %H:%M})",
            data={"session": locked.pk, "reason": locked.cancel_reason},
        )
    return locked


def session_attach_recording(*, session: Session, actor, url: str) -> Session:
    """Attach the recording's URL to an ended session (its trainers or HQ)."""
    if not rules.can_run_session(actor, session):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    with transaction.atomic():
        locked = lock_session(session)
        if locked.status != Session.Status.ENDED:
            raise ValidationError(MSG_RECORDING_ENDED)
        locked.recording_url = url
        locked.full_clean(exclude=["course", "created_by"])
        locked.save(update_fields=["recording_url"])
    return locked
