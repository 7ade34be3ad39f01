"""Writes of sessions, enrolment, attendance, notifications and calendar tokens.

Each state change has one entry point here; views, the seed's follow-ups, the reminder
command and the live-delivery consumers all call these. Every write runs in
``transaction.atomic``; e-mails are queued with ``transaction.on_commit``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.models import AuditEvent, Employee, PositionCategory, Role, RoleGrant
from hub.needs.services import needs_deliver_for_session
from hub.permissions import access_for
from hub.services import audit_record

from . import rules
from .models import (
    Attendance,
    CalendarFeedToken,
    Enrolment,
    Notification,
    Session,
    SessionSettings,
)
from .signals import session_ending, session_started

MSG_NOT_ALLOWED = _("You may not change this session.")
MSG_NOT_TRAINER = _("Only HQ or a trainer may schedule sessions.")
MSG_TRAINERS_ROLE = _("Every trainer of a session must hold the trainer role.")
MSG_TRAINER_SELF = _("A trainer schedules sessions they teach: add yourself as a trainer.")
MSG_NO_TRAINERS = _("A session needs at least one trainer.")
MSG_BAD_TRANSITION = _("A %(status)s session cannot be %(verb)s.")
MSG_NOT_SCHEDULED = _("Only a scheduled session can be changed.")
MSG_CAPACITY_BELOW = _("The capacity cannot be lower than the %(count)s learners enrolled.")
MSG_LOCATION_REQUIRED = _("An in-person session needs a location.")
MSG_CAPACITY_MIN = _("A session needs at least one seat.")
MSG_NOT_OPEN = _("This session is not open to you.")
MSG_NOT_ENROLLABLE = _("Enrolment is closed for this session.")
MSG_HAS_LEFT = _("This employee has left the company.")
MSG_IS_TRAINER = _("A trainer of the session cannot enrol in it.")
MSG_ASSIGN_NOT_ALLOWED = _("You may not enrol this employee.")
MSG_ALREADY = _("Already enrolled or on the waitlist.")
MSG_CANCEL_DEADLINE = _("The cancellation deadline has passed; ask your manager or the trainer.")
MSG_CANCEL_NOT_ALLOWED = _("You may not cancel this enrolment.")
MSG_NOT_ACTIVE = _("This enrolment is not active.")
MSG_RECORDING_ENDED = _("A recording can be attached once the session has ended.")
MSG_CODE_INVALID = _("This check-in code is not valid (wrong, expired or for another session).")
MSG_CHECKIN_CLOSED = _("Check-in is not open for this session.")
MSG_CHECKIN_MODE = _("Check-in by code is only for in-person sessions.")
MSG_NOT_ENROLLED = _("You are not enrolled in this session.")
MSG_TOO_MANY_CODES = _("Too many wrong codes: wait a few minutes and ask the trainer.")
MSG_REASON_REQUIRED = _("A reason is required for a correction.")
MSG_ATTENDANCE_CLOSED = _("Attendance is recorded once the session has started.")

CHECKIN_MAX_FAILURES = 10
CHECKIN_LOCKOUT_SECONDS = 600

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
# Fields whose change is announced to enrolled and waitlisted learners.
ANNOUNCED_FIELDS = ("starts_at", "ends_at", "mode", "location", "stream_url")


# --- sessions ------------------------------------------------------------------------------


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


def _lock(session: Session) -> Session:
    return Session.objects.select_for_update().get(pk=session.pk)


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
        locked = _lock(session)
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
            _notify_learners(locked, Notification.Kind.CHANGED, waitlisted_too=True)
        _promote_waitlisted(locked)
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
    locked = _lock(session)
    if locked.status not in allowed_from:
        raise ValidationError(
            MSG_BAD_TRANSITION % {"status": locked.get_status_display(), "verb": VERB_LABELS[verb]}
        )
    locked.status = target
    return locked


def session_start(*, session: Session, actor, now: dt.datetime | None = None) -> Session:
    """scheduled → live (its trainers or HQ), at most ``early_start_minutes`` (settings) before
    the scheduled start; records ``started_at``."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _transition(session=session, actor=actor, verb="start")
        settings = SessionSettings.load()  # after the permission check: load may create it
        refusal = rules.start_refusal(
            now=now,
            scheduled_start=locked.starts_at,
            early_start_minutes=settings.early_start_minutes,
        )
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
        refusal = rules.end_refusal(
            now=now,
            scheduled_start=locked.starts_at,
            end_not_before_start=settings.end_not_before_start,
        )
        if refusal:
            raise ValidationError(refusal)
        locked.ended_at = now
        locked.delivered_minutes = rules.delivered_minutes(
            scheduled_start=locked.starts_at, scheduled_end=locked.ends_at, ended_at=now
        )
        locked.save(update_fields=["status", "ended_at", "delivered_minutes"])
        session_ending.send(sender=Session, session=locked, actor=actor)
        attendance_finalise(session=locked)
        needs_deliver_for_session(session=locked)
    return locked


def session_cancel(*, session: Session, actor, reason: str = "") -> Session:
    """scheduled → cancelled (its trainers or HQ). Enrolled and waitlisted learners are told;
    one ``session.cancelled`` audit event."""
    with transaction.atomic():
        locked = _transition(session=session, actor=actor, verb="cancel")
        locked.cancelled_at = timezone.now()
        locked.cancel_reason = reason.strip()[:300]
        locked.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        _notify_learners(locked, Notification.Kind.CANCELLED, waitlisted_too=True)
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
        locked = _lock(session)
        if locked.status != Session.Status.ENDED:
            raise ValidationError(MSG_RECORDING_ENDED)
        locked.recording_url = url
        locked.full_clean(exclude=["course", "created_by"])
        locked.save(update_fields=["recording_url"])
    return locked


# --- enrolment -----------------------------------------------------------------------------


@dataclass
class EnrolmentReport:
    """What a (bulk) enrolment did, learner by learner."""

    enrolled: list[Enrolment] = field(default_factory=list)
    waitlisted: list[Enrolment] = field(default_factory=list)
    skipped: list[tuple[Employee, str]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "enrolled": len(self.enrolled),
            "waitlisted": len(self.waitlisted),
            "skipped": len(self.skipped),
        }


def _enrol_refusal(*, actor, session: Session, learner: Employee) -> str | None:
    """Why ``actor`` may not enrol ``learner`` (None when they may). Permission problems raise."""
    access = access_for(actor)
    if access.employee_id == learner.pk:
        if not session.is_open_to(branch_id=learner.branch_id, category=learner.position_category):
            return str(MSG_NOT_OPEN)
    elif access.is_hq_admin:
        pass
    elif learner.branch_id in access.managed_branch_ids:
        if session.branch_id is not None and session.branch_id != learner.branch_id:
            return str(MSG_NOT_OPEN)
    else:
        raise PermissionDenied(MSG_ASSIGN_NOT_ALLOWED)
    if learner.has_left():
        return str(MSG_HAS_LEFT)
    if learner.pk in rules.trainer_ids(session):
        return str(MSG_IS_TRAINER)
    return None


def _enrol_locked(
    *,
    session: Session,
    learner: Employee,
    actor,
    report: EnrolmentReport,
    enrolled_count: int,
    existing_by_learner: dict[int, Enrolment],
) -> int:
    """Enrol one learner in a locked session (trainers prefetched, the learners' earlier
    enrolments in ``existing_by_learner``); returns the new enrolled count."""
    refusal = _enrol_refusal(actor=actor, session=session, learner=learner)
    if refusal:
        report.skipped.append((learner, refusal))
        return enrolled_count
    existing = existing_by_learner.get(learner.pk)
    if existing is not None and existing.status != Enrolment.Status.CANCELLED:
        report.skipped.append((learner, str(MSG_ALREADY)))
        return enrolled_count
    status = (
        Enrolment.Status.ENROLLED
        if enrolled_count < session.capacity
        else Enrolment.Status.WAITLISTED
    )
    self_enrol = access_for(actor).employee_id == learner.pk
    enrolment = existing or Enrolment(session=session, learner=learner)
    enrolment.status = status
    enrolment.queued_at = timezone.now()
    enrolment.cancelled_at = None
    enrolment.reminder_sent_at = None
    enrolment.assigned_by = None if self_enrol else actor
    enrolment.save()
    existing_by_learner[learner.pk] = enrolment
    if status == Enrolment.Status.ENROLLED:
        report.enrolled.append(enrolment)
        return enrolled_count + 1
    report.waitlisted.append(enrolment)
    return enrolled_count


def enrolment_bulk_create(
    *, session: Session, learners: Iterable[Employee], actor
) -> EnrolmentReport:
    """Enrol learners (self-enrolment, a manager for their branches, or HQ for anyone).

    Holds a SELECT … FOR UPDATE lock on the session row while counting seats, so two
    simultaneous requests can never both take the last seat: the later one is waitlisted.
    Learners who may not be enrolled are skipped with a reason; an actor without the right
    to enrol someone raises ``PermissionDenied``. Notifies each learner on commit.
    """
    report = EnrolmentReport()
    learners = list(learners)
    with transaction.atomic():
        # A fixed number of queries per learner whatever the batch: trainers and earlier
        # enrolments are read once.
        locked = Session.objects.select_for_update().prefetch_related("trainers").get(pk=session.pk)
        if locked.status != Session.Status.SCHEDULED or locked.starts_at <= timezone.now():
            raise ValidationError(MSG_NOT_ENROLLABLE)
        count = locked.enrolments.filter(status=Enrolment.Status.ENROLLED).count()
        existing_by_learner = {
            e.learner_id: e
            for e in locked.enrolments.filter(learner_id__in=[learner.pk for learner in learners])
        }
        for learner in learners:
            count = _enrol_locked(
                session=locked,
                learner=learner,
                actor=actor,
                report=report,
                enrolled_count=count,
                existing_by_learner=existing_by_learner,
            )
        _notify([e.learner for e in report.enrolled], Notification.Kind.ENROLLED, locked)
        _notify([e.learner for e in report.waitlisted], Notification.Kind.WAITLISTED, locked)
    return report


def enrolment_create(*, session: Session, learner: Employee, actor) -> Enrolment:
    """Enrol one learner (see ``enrolment_bulk_create``); a refusal raises ValidationError."""
    report = enrolment_bulk_create(session=session, learners=[learner], actor=actor)
    if report.skipped:
        raise ValidationError(report.skipped[0][1])
    return (report.enrolled or report.waitlisted)[0]


def cancel_deadline(session: Session, settings: SessionSettings | None = None) -> dt.datetime:
    settings = settings or SessionSettings.load()
    return session.starts_at - dt.timedelta(hours=settings.cancel_deadline_hours)


def enrolment_cancel(*, enrolment: Enrolment, actor, now: dt.datetime | None = None) -> Enrolment:
    """Cancel an enrolment or leave the waitlist.

    The learner may cancel a seat until the cancellation deadline (and leave the waitlist
    until the start); their branch's manager or HQ may cancel while the session is scheduled.
    A freed seat goes to the oldest waitlisted learner, who is notified.
    """
    now = now or timezone.now()
    access = access_for(actor)
    learner = enrolment.learner
    is_self = access.employee_id == learner.pk
    is_admin = access.is_hq_admin or learner.branch_id in access.managed_branch_ids
    if not (is_self or is_admin):
        raise PermissionDenied(MSG_CANCEL_NOT_ALLOWED)
    with transaction.atomic():
        session = _lock(enrolment.session)
        locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if locked.status == Enrolment.Status.CANCELLED:
            raise ValidationError(MSG_NOT_ACTIVE)
        if session.status != Session.Status.SCHEDULED or session.starts_at <= now:
            raise ValidationError(MSG_NOT_ENROLLABLE)
        if (
            not is_admin
            and locked.status == Enrolment.Status.ENROLLED
            and now > cancel_deadline(session)
        ):
            raise ValidationError(MSG_CANCEL_DEADLINE)
        was_enrolled = locked.status == Enrolment.Status.ENROLLED
        locked.status = Enrolment.Status.CANCELLED
        locked.cancelled_at = now
        locked.save(update_fields=["status", "cancelled_at"])
        # A check-in made before the start (and before this cancel) must not count later:
        # the session has not started, so there is no correction to keep.
        Attendance.objects.filter(enrolment=locked).delete()
        if was_enrolled:
            _promote_waitlisted(session)
    return locked


def _promote_waitlisted(session: Session) -> list[Enrolment]:
    """Fill free seats of a locked session from the waitlist, oldest first; notify them."""
    enrolled = session.enrolments.filter(status=Enrolment.Status.ENROLLED).count()
    free = session.capacity - enrolled
    if free <= 0:
        return []
    promoted = list(
        session.enrolments.filter(status=Enrolment.Status.WAITLISTED)
        .select_related("learner")
        .order_by("queued_at", "pk")[:free]
    )
    for enrolment in promoted:
        enrolment.status = Enrolment.Status.ENROLLED
    Enrolment.objects.bulk_update(promoted, ["status"])
    _notify([e.learner for e in promoted], Notification.Kind.PROMOTED, session)
    return promoted


# --- notifications -------------------------------------------------------------------------


def _notify(
    recipients: list[Employee], kind: str, session: Session | None, body: str = ""
) -> list[Notification]:
    """Write in-app notifications and queue their e-mails after commit."""
    if not recipients:
        return []
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient=r, kind=kind, session=session, title=session.title if session else ""
            )
            for r in recipients
        ]
    )
    ids = [n.pk for n in rows]  # SQLite ≥ 3.35 and PostgreSQL return the new ids

    def enqueue() -> None:
        from .tasks import notification_emails_send

        notification_emails_send.enqueue(ids)

    transaction.on_commit(enqueue)
    return rows


def _notify_learners(session: Session, kind: str, *, waitlisted_too: bool = False) -> None:
    statuses = [Enrolment.Status.ENROLLED]
    if waitlisted_too:
        statuses.append(Enrolment.Status.WAITLISTED)
    learners = [
        e.learner for e in session.enrolments.filter(status__in=statuses).select_related("learner")
    ]
    _notify(learners, kind, session)


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
            _notify([e.learner for e in rows], Notification.Kind.REMINDER, rows[0].session)
    return len(due)


# --- attendance ----------------------------------------------------------------------------


def _apply_rule(attendance: Attendance, session: Session, settings: SessionSettings) -> None:
    attendance.status, attendance.completed = rules.attendance_outcome(
        minutes=attendance.minutes_present,
        duration=session.attendance_minutes,
        checked_in_at=attendance.checked_in_at,
        starts_at=session.starts_at,
        completion_percent=settings.completion_percent,
        late_after_minutes=settings.late_after_minutes,
    )


def attendance_record_minutes(
    *,
    enrolment: Enrolment,
    minutes: int,
    joined_at: dt.datetime | None = None,
    add: bool = False,
) -> Attendance:
    """Record online attendance for an enrolled learner of a live or ended session.

    ``minutes`` is the learner's total so far (the record keeps the largest total reported),
    or, with ``add=True``, minutes to add. Clamped to the session's length (the delivered
    duration once it has ended). A trainer's correction is never overwritten. Status and
    completion follow the completion rule; a completion in an ended session delivers its needs.
    """
    settings = SessionSettings.load()
    with transaction.atomic():
        # Checked on the locked row: the caller's copy may predate a cancel or a transition.
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("session")
            .get(pk=enrolment.pk)
        )
        session = enrolment.session
        if enrolment.status != Enrolment.Status.ENROLLED:
            raise ValidationError(MSG_NOT_ENROLLED)
        if session.status not in {Session.Status.LIVE, Session.Status.ENDED}:
            raise ValidationError(MSG_ATTENDANCE_CLOSED)
        attendance, _created = Attendance.objects.select_for_update().get_or_create(
            enrolment=enrolment
        )
        if attendance.corrected_at is not None:
            return attendance
        total = (
            attendance.minutes_present + minutes
            if add
            else max(attendance.minutes_present, minutes)
        )
        attendance.minutes_present = max(0, min(total, session.attendance_minutes))
        if joined_at is not None and attendance.checked_in_at is None:
            attendance.checked_in_at = joined_at
        _apply_rule(attendance, session, settings)
        attendance.save()
        if attendance.completed and session.status == Session.Status.ENDED:
            needs_deliver_for_session(session=session)
    return attendance


def attendance_record_online(
    *, session: Session, minutes: dict[int, int], joined_at: dict[int, dt.datetime]
) -> int:
    """Record online minutes of many enrolled learners at once (by enrolment id), as
    ``attendance_record_minutes`` does for one: the record keeps the larger total, clamped to
    the session's length (the delivered duration once ``session_end`` has set it); the first
    join time becomes the check-in time; a trainer's correction is never overwritten. Status
    and completion are left to ``attendance_finalise``. Must run inside the caller's
    transaction. Returns the number of records changed."""
    enrolled = set(
        session.enrolments.filter(
            status=Enrolment.Status.ENROLLED, pk__in=list(minutes)
        ).values_list("pk", flat=True)
    )
    records = {
        a.enrolment_id: a
        for a in Attendance.objects.select_for_update().filter(enrolment_id__in=enrolled)
    }
    Attendance.objects.bulk_create(
        [Attendance(enrolment_id=pk) for pk in enrolled if pk not in records]
    )
    records = {
        a.enrolment_id: a
        for a in Attendance.objects.select_for_update().filter(enrolment_id__in=enrolled)
    }
    changed = []
    for pk, record in records.items():
        if record.corrected_at is not None:
            continue
        record.minutes_present = max(
            record.minutes_present, max(0, min(minutes[pk], session.attendance_minutes))
        )
        if record.checked_in_at is None and pk in joined_at:
            record.checked_in_at = joined_at[pk]
        record.updated_at = timezone.now()
        changed.append(record)
    Attendance.objects.bulk_update(changed, ["minutes_present", "checked_in_at", "updated_at"])
    return len(changed)


def attendance_finalise(*, session: Session) -> int:
    """Close a session's attendance: one record per enrolled learner (absent when none),
    in-person check-ins credited from check-in (or from the start when on time) to the end,
    every record's minutes clipped to the delivered duration, and status and completion set by
    the completion rule on the delivered duration. Corrected and excused records keep their
    status (a correction's completion is re-judged on the clipped minutes). Idempotent;
    returns the number of records."""
    settings = SessionSettings.load()
    length = session.attendance_minutes
    delivered_until = min(session.ends_at, session.ended_at or session.ends_at)
    with transaction.atomic():
        existing = set(
            Attendance.objects.filter(enrolment__session=session).values_list(
                "enrolment_id", flat=True
            )
        )
        missing = session.enrolments.filter(status=Enrolment.Status.ENROLLED).exclude(
            pk__in=existing
        )
        missing_ids = list(missing.values_list("pk", flat=True))
        Attendance.objects.bulk_create([Attendance(enrolment_id=pk) for pk in missing_ids])
        records = list(
            Attendance.objects.filter(
                enrolment__session=session, enrolment__status=Enrolment.Status.ENROLLED
            )
        )
        for record in records:
            record.minutes_present = min(record.minutes_present, length)
            if record.corrected_at is not None:
                record.completed = _correction_completed(
                    record.status, record.minutes_present, session, settings
                )
                continue
            if record.status == Attendance.Status.EXCUSED:
                continue
            if (
                session.mode == Session.Mode.IN_PERSON
                and record.checked_in_at is not None
                and record.minutes_present == 0
            ):
                # On time (within the late threshold) counts from the start.
                grace_end = session.starts_at + dt.timedelta(minutes=settings.late_after_minutes)
                since = (
                    session.starts_at if record.checked_in_at <= grace_end else record.checked_in_at
                )
                seconds = (delivered_until - since).total_seconds()
                record.minutes_present = max(0, min(int(seconds // 60), length))
            _apply_rule(record, session, settings)
        Attendance.objects.bulk_update(
            records, ["minutes_present", "status", "completed", "updated_at"]
        )
    return len(records)


def _correction_completed(
    status: str, minutes: int, session: Session, settings: SessionSettings
) -> bool:
    """A corrected record completes when its status is present or late and its minutes meet
    the completion rule on the session's (delivered) length."""
    return status in {
        Attendance.Status.PRESENT,
        Attendance.Status.LATE,
    } and rules.meets_completion(
        minutes=minutes,
        duration=session.attendance_minutes,
        completion_percent=settings.completion_percent,
    )


def attendance_check_in(
    *, session: Session, learner: Employee, code: str, now: dt.datetime | None = None
) -> Attendance:
    """An enrolled learner checks in to an in-person session with the code the trainer shows.

    Open from 30 minutes before the start while the session is scheduled or live. The code
    must be this session's code of the current (or just-expired) window.
    """
    now = now or timezone.now()
    if session.mode != Session.Mode.IN_PERSON:
        raise ValidationError(MSG_CHECKIN_MODE)
    open_now = session.status == Session.Status.LIVE or (
        session.status == Session.Status.SCHEDULED
        and session.starts_at - rules.CHECKIN_OPENS_BEFORE <= now < session.ends_at
    )
    if not open_now:
        raise ValidationError(MSG_CHECKIN_CLOSED)
    settings = SessionSettings.load()
    # Six digits are guessable by brute force: a learner gets a few tries per session.
    failures_key = f"lectern:checkin-failures:{session.pk}:{learner.pk}"
    if cache.get(failures_key, 0) >= CHECKIN_MAX_FAILURES:
        raise ValidationError(MSG_TOO_MANY_CODES)
    if not rules.checkin_code_valid(session.pk, code, now, settings.checkin_code_minutes):
        cache.add(failures_key, 0, timeout=CHECKIN_LOCKOUT_SECONDS)
        cache.incr(failures_key)
        raise ValidationError(MSG_CODE_INVALID)
    enrolment = Enrolment.objects.filter(
        session=session, learner=learner, status=Enrolment.Status.ENROLLED
    ).first()
    if enrolment is None:
        raise ValidationError(MSG_NOT_ENROLLED)
    with transaction.atomic():
        attendance, _created = Attendance.objects.select_for_update().get_or_create(
            enrolment=enrolment
        )
        if attendance.checked_in_at is None:
            attendance.checked_in_at = now
            late = now > session.starts_at + dt.timedelta(minutes=settings.late_after_minutes)
            if attendance.corrected_at is None:
                attendance.status = Attendance.Status.LATE if late else Attendance.Status.PRESENT
            attendance.save()
    return attendance


def attendance_correct(
    *, enrolment: Enrolment, actor, status: str, minutes: int, reason: str
) -> Attendance:
    """A trainer of the session (or HQ) sets a learner's status and minutes with a reason.

    Allowed once the session is live or ended; minutes are clipped to the session's (delivered)
    length and completion follows ``_correction_completed``. The record keeps who and why,
    later automatic figures don't overwrite it, and one ``attendance.corrected`` audit event is
    written. A completion in an ended session delivers its needs.
    """
    session = enrolment.session
    if not rules.can_run_session(actor, session):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": MSG_REASON_REQUIRED})
    if session.status not in {Session.Status.LIVE, Session.Status.ENDED}:
        raise ValidationError(MSG_ATTENDANCE_CLOSED)
    if enrolment.status != Enrolment.Status.ENROLLED:
        raise ValidationError(MSG_NOT_ENROLLED)
    if status not in Attendance.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    settings = SessionSettings.load()
    minutes = max(0, min(int(minutes), session.attendance_minutes))
    with transaction.atomic():
        attendance, _created = Attendance.objects.select_for_update().get_or_create(
            enrolment=enrolment
        )
        before = {"status": attendance.status, "minutes": attendance.minutes_present}
        attendance.status = status
        attendance.minutes_present = minutes
        attendance.completed = _correction_completed(status, minutes, session, settings)
        attendance.corrected_at = timezone.now()
        attendance.corrected_by = actor
        attendance.correction_reason = reason[:300]
        attendance.save()
        audit_record(
            actor=actor,
            action=AuditEvent.Action.ATTENDANCE_CORRECTED,
            summary=f"{enrolment.learner} @ {session.title}: {before['status']} → {status}",
            data={
                "session": session.pk,
                "employee_no": enrolment.learner.employee_no,
                "before": before,
                "after": {"status": status, "minutes": minutes},
                "reason": reason[:300],
            },
        )
        if attendance.completed and session.status == Session.Status.ENDED:
            needs_deliver_for_session(session=session)
    return attendance


# --- settings and calendar -----------------------------------------------------------------


def session_settings_update(*, actor, **values) -> SessionSettings:
    """An HQ admin changes the completion rule, late threshold, cancellation deadline, code
    life or the start/end windows. Writes the settings and, when a value changed, one
    ``session.rules`` audit event with the old and new values."""
    if not access_for(actor).is_hq_admin:
        raise PermissionDenied(MSG_NOT_ALLOWED)
    with transaction.atomic():
        settings = SessionSettings.load()
        before = {name: getattr(settings, name) for name in values}
        for name, value in values.items():
            setattr(settings, name, value)
        settings.full_clean()
        settings.save()
        changed = {n: [before[n], v] for n, v in values.items() if before[n] != v}
        if changed:
            audit_record(
                actor=actor,
                action=AuditEvent.Action.SESSION_RULES_CHANGED,
                summary=", ".join(f"{n}: {old} → {new}" for n, (old, new) in changed.items()),
                data=changed,
            )
    return settings


def calendar_token_get_or_create(*, employee: Employee) -> CalendarFeedToken:
    with transaction.atomic():
        return CalendarFeedToken.objects.get_or_create(employee=employee)[0]


def calendar_token_regenerate(*, employee: Employee) -> CalendarFeedToken:
    """A new secret for the personal feed; the old URL stops working at once."""
    from .models import _new_token

    with transaction.atomic():
        token, created = CalendarFeedToken.objects.get_or_create(employee=employee)
        if not created:
            token.token = _new_token()
            token.created_at = timezone.now()
            token.save(update_fields=["token", "created_at"])
    return token
