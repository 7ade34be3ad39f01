"""Attendance: minutes present, online presence, check-in codes, corrections, completion."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.organisation.models import AuditEvent, Employee
from hub.organisation.services import audit_record
from hub.sessions import rules
from hub.sessions.models import (
    Attendance,
    Enrolment,
    Session,
    SessionSettings,
)
from hub.sessions.services.common import MSG_NOT_ALLOWED
from hub.sessions.signals import session_delivered

MSG_CODE_INVALID = _("This check-in code is not valid (wrong, expired or for another session).")
MSG_CHECKIN_CLOSED = _("Check-in is not open for this session.")
MSG_CHECKIN_MODE = _("Check-in by code is only for in-person sessions.")
MSG_NOT_ENROLLED = _("You are not enrolled in this session.")
MSG_TOO_MANY_CODES = _("Too many wrong codes: wait a few minutes and ask the trainer.")
MSG_REASON_REQUIRED = _("A reason is required for a correction.")
MSG_ATTENDANCE_CLOSED = _("Attendance is recorded once the session has started.")
CHECKIN_MAX_FAILURES = 10
CHECKIN_LOCKOUT_SECONDS = 600


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
            session_delivered.send(sender=Session, session=session)
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
                threshold = rules.late_after(
                    starts_at=session.starts_at, late_after_minutes=settings.late_after_minutes
                )
                late = rules.is_late(record.checked_in_at, threshold)
                since = record.checked_in_at if late else session.starts_at
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


def checkin_refusal(*, session: Session, now: dt.datetime) -> str | None:
    """Why nobody can check in to ``session`` by code at ``now`` (None: check-in is open).
    Only in-person sessions; open while live, and while scheduled from
    ``rules.CHECKIN_OPENS_BEFORE`` the start until its scheduled end. The session page shows
    the check-in form exactly when this is None."""
    if session.mode != Session.Mode.IN_PERSON:
        return str(MSG_CHECKIN_MODE)
    open_now = session.status == Session.Status.LIVE or (
        session.status == Session.Status.SCHEDULED
        and session.starts_at - rules.CHECKIN_OPENS_BEFORE <= now < session.ends_at
    )
    return None if open_now else str(MSG_CHECKIN_CLOSED)


def attendance_check_in(
    *, session: Session, learner: Employee, code: str, now: dt.datetime | None = None
) -> Attendance:
    """An enrolled learner checks in to an in-person session with the code the trainer shows.

    Open from 30 minutes before the start while the session is scheduled or live. The code
    must be this session's code of the current (or just-expired) window.
    """
    now = now or timezone.now()
    refusal = checkin_refusal(session=session, now=now)
    if refusal:
        raise ValidationError(refusal)
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
            late = rules.is_late(
                now,
                rules.late_after(
                    starts_at=session.starts_at, late_after_minutes=settings.late_after_minutes
                ),
            )
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
            session_delivered.send(sender=Session, session=session)
    return attendance
