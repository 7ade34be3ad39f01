"""Enrolment: self-enrolment, assignment by a manager or HQ, cancelling, the waitlist."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.organisation.models import Employee
from hub.organisation.permissions import access_for
from hub.sessions import rules
from hub.sessions.models import (
    Attendance,
    Enrolment,
    Notification,
    Session,
    SessionSettings,
)
from hub.sessions.services.common import lock_session
from hub.sessions.services.notifications import notify

MSG_NOT_OPEN = _("This session is not open to you.")
MSG_NOT_ENROLLABLE = _("Enrolment is closed for this session.")
MSG_HAS_LEFT = _("This employee has left the company.")
MSG_IS_TRAINER = _("A trainer of the session cannot enrol in it.")
MSG_ASSIGN_NOT_ALLOWED = _("You may not enrol this employee.")
MSG_ALREADY = _("Already enrolled or on the waitlist.")
MSG_CANCEL_DEADLINE = _("The cancellation deadline has passed; ask your manager or the trainer.")
MSG_CANCEL_NOT_ALLOWED = _("You may not cancel this enrolment.")
MSG_NOT_ACTIVE = _("This enrolment is not active.")


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


def _closed_refusal(session: Session, now: dt.datetime) -> str | None:
    """Enrolment (and cancelling) is open while the session is scheduled and not yet begun."""
    if session.status != Session.Status.SCHEDULED or session.starts_at <= now:
        return str(MSG_NOT_ENROLLABLE)
    return None


def _learner_refusal(*, actor, session: Session, learner: Employee) -> str | None:
    access = access_for(actor)
    if access.employee_id == learner.pk:
        if not session.is_open_to(branch_id=learner.branch_id, category=learner.position_category):
            return str(MSG_NOT_OPEN)
    elif access.is_hq_admin:
        pass
    elif access.manages(learner.branch_id):
        if session.branch_id is not None and session.branch_id != learner.branch_id:
            return str(MSG_NOT_OPEN)
    else:
        raise PermissionDenied(MSG_ASSIGN_NOT_ALLOWED)
    if learner.has_left():
        return str(MSG_HAS_LEFT)
    if learner.pk in rules.trainer_ids(session):
        return str(MSG_IS_TRAINER)
    return None


def enrolment_refusal(
    *, actor, session: Session, learner: Employee, now: dt.datetime | None = None
) -> str | None:
    """Why ``actor`` may not enrol ``learner`` in ``session`` now (None when they may): the one
    rule behind the session page's Enrol button and ``enrolment_bulk_create``. An actor without
    the right to enrol that learner at all raises ``PermissionDenied``. An existing active
    enrolment is the caller's to check (the page shows it instead of the button; the service
    skips the learner with ``MSG_ALREADY``)."""
    return _closed_refusal(session, now or timezone.now()) or _learner_refusal(
        actor=actor, session=session, learner=learner
    )


def seat_status(*, enrolled: int, capacity: int) -> str:
    """The status a new enrolment gets with ``enrolled`` seats already taken: a seat while
    there is one, else the waitlist. The service and the demo seed's bulk writes share it."""
    return Enrolment.Status.ENROLLED if enrolled < capacity else Enrolment.Status.WAITLISTED


def _enrol_locked(
    *,
    session: Session,
    learner: Employee,
    actor,
    report: EnrolmentReport,
    enrolled_count: int,
    existing_by_learner: dict[int, Enrolment],
    now: dt.datetime,
) -> int:
    """Enrol one learner in a locked session (trainers prefetched, the learners' earlier
    enrolments in ``existing_by_learner``); returns the new enrolled count."""
    refusal = enrolment_refusal(actor=actor, session=session, learner=learner, now=now)
    if refusal:
        report.skipped.append((learner, refusal))
        return enrolled_count
    existing = existing_by_learner.get(learner.pk)
    if existing is not None and existing.status != Enrolment.Status.CANCELLED:
        report.skipped.append((learner, str(MSG_ALREADY)))
        return enrolled_count
    status = seat_status(enrolled=enrolled_count, capacity=session.capacity)
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
        now = timezone.now()
        if _closed_refusal(locked, now):
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
                now=now,
            )
        notify([e.learner for e in report.enrolled], Notification.Kind.ENROLLED, locked)
        notify([e.learner for e in report.waitlisted], Notification.Kind.WAITLISTED, locked)
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


def _may_cancel_any(actor, learner: Employee) -> bool:
    """Their branch's manager or an HQ admin may cancel a learner's enrolment."""
    access = access_for(actor)
    return access.is_hq_admin or access.manages(learner.branch_id)


def enrolment_cancel_refusal(
    *,
    enrolment: Enrolment,
    actor,
    session: Session | None = None,
    now: dt.datetime | None = None,
    settings: SessionSettings | None = None,
) -> str | None:
    """Why ``actor`` may not cancel ``enrolment`` now (None when they may): the one rule behind
    the session page's cancel button and ``enrolment_cancel``. Neither the learner nor their
    branch's manager or HQ: ``PermissionDenied``. ``session`` is the enrolment's (locked)
    session when the caller has it."""
    access = access_for(actor)
    learner = enrolment.learner
    is_admin = _may_cancel_any(actor, learner)
    if not (access.employee_id == learner.pk or is_admin):
        raise PermissionDenied(MSG_CANCEL_NOT_ALLOWED)
    session = session or enrolment.session
    now = now or timezone.now()
    if enrolment.status == Enrolment.Status.CANCELLED:
        return str(MSG_NOT_ACTIVE)
    closed = _closed_refusal(session, now)
    if closed:
        return closed
    if (
        not is_admin
        and enrolment.status == Enrolment.Status.ENROLLED
        and now > cancel_deadline(session, settings)
    ):
        return str(MSG_CANCEL_DEADLINE)
    return None


def enrolment_cancel(*, enrolment: Enrolment, actor, now: dt.datetime | None = None) -> Enrolment:
    """Cancel an enrolment or leave the waitlist (``enrolment_cancel_refusal`` says when).

    The learner may cancel a seat until the cancellation deadline (and leave the waitlist
    until the start); their branch's manager or HQ may cancel while the session is scheduled.
    A freed seat goes to the oldest waitlisted learner, who is notified.
    """
    now = now or timezone.now()
    with transaction.atomic():
        session = lock_session(enrolment.session)
        locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        locked.learner = enrolment.learner
        refusal = enrolment_cancel_refusal(enrolment=locked, actor=actor, session=session, now=now)
        if refusal:
            raise ValidationError(refusal)
        was_enrolled = locked.status == Enrolment.Status.ENROLLED
        locked.status = Enrolment.Status.CANCELLED
        locked.cancelled_at = now
        locked.save(update_fields=["status", "cancelled_at"])
        # A check-in made before the start (and before this cancel) must not count later:
        # the session has not started, so there is no correction to keep.
        Attendance.objects.filter(enrolment=locked).delete()
        if was_enrolled:
            promote_waitlisted(session)
    return locked


def promote_waitlisted(session: Session) -> list[Enrolment]:
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
    notify([e.learner for e in promoted], Notification.Kind.PROMOTED, session)
    return promoted
