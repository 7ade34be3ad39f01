"""Writes of trainer nominations and the mentor programme: one entry point per state change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.organisation.models import AuditEvent, Employee, Role, RoleGrant
from hub.organisation.permissions import access_for, is_hq_admin
from hub.organisation.services import audit_record, role_grant
from tiers.models import (
    MentoringLog,
    MentorPairing,
    MentorProgrammeSettings,
    MentorRating,
    TrainerNomination,
)
from tiers.rules import quarter_start

MSG_NOT_YOUR_BRANCH = _("You can only nominate employees of a branch you manage.")
MSG_SELF_NOMINATION = _("A branch manager cannot nominate themselves.")
MSG_HAS_LEFT = _("This employee has left the company.")
MSG_ALREADY_TRAINER = _("This employee is already a trainer.")
MSG_ALREADY_PENDING = _("This employee already has a nomination waiting for HQ.")
MSG_REASON_REQUIRED = _("Give a reason.")
MSG_HQ_ONLY = _("Only an HQ training admin may decide nominations and pair mentors.")
MSG_NOT_PENDING = _("This nomination has already been decided.")
MSG_SELF_MENTOR = _("A mentor cannot mentor themselves.")
MSG_MENTOR_FULL = _("This mentor already has %(limit)s active mentees (the programme's limit).")
MSG_MENTEE_TAKEN = _("This employee already has an active mentor.")
MSG_NOT_THE_MENTOR = _("Only the mentor of this pairing may log its sessions.")
MSG_NOT_THE_MENTEE = _("Only the mentee of this pairing may do this.")
MSG_PAIRING_ENDED = _("This pairing has ended.")
MSG_LOG_IN_FUTURE = _("A mentoring session cannot be logged for a future date.")
MSG_LOG_BEFORE_PAIRING = _("The date is before the pairing started.")
MSG_LIMIT_POSITIVE = _("A mentor needs room for at least one mentee.")
MSG_MENTEES_RANGE = _("The fewest mentees cannot be more than the most mentees.")
MSG_ALREADY_RATED = _("You have already rated your mentor for this period.")


def _actor_employee_id(actor) -> int | None:
    return access_for(actor).employee_id


def _require_hq_admin(actor) -> None:
    if not is_hq_admin(actor):
        raise PermissionDenied(MSG_HQ_ONLY)


# --- trainer nominations ----------------------------------------------------------------------


def nomination_create(*, nominee: Employee, reason: str, actor) -> TrainerNomination:
    """A branch manager nominates an employee of a branch they manage as a trainer candidate.

    Preconditions: ``actor`` manages ``nominee.branch`` and is not the nominee (a manager's own
    name would count towards their own nomination rule); the nominee is current staff, not
    already a trainer and has no pending nomination (the nominee's row is locked while this is
    checked, and a unique constraint backs it). Writes one pending nomination.
    """
    access = access_for(actor)
    if access.employee_id is None or not access.manages(nominee.branch_id):
        raise PermissionDenied(MSG_NOT_YOUR_BRANCH)
    if nominee.pk == access.employee_id:
        raise ValidationError({"nominee": MSG_SELF_NOMINATION})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": MSG_REASON_REQUIRED})
    if nominee.has_left():
        raise ValidationError({"nominee": MSG_HAS_LEFT})
    with transaction.atomic():
        Employee.objects.select_for_update().filter(pk=nominee.pk).order_by("pk").first()
        if RoleGrant.objects.filter(employee=nominee, role=Role.TRAINER).exists():
            raise ValidationError({"nominee": MSG_ALREADY_TRAINER})
        pending = TrainerNomination.objects.filter(
            nominee=nominee, status=TrainerNomination.Status.PENDING
        )
        if pending.exists():
            raise ValidationError({"nominee": MSG_ALREADY_PENDING})
        nomination = TrainerNomination(
            nominee=nominee,
            branch_id=nominee.branch_id,
            nominated_by_id=access.employee_id,
            reason=reason,
        )
        nomination.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                nomination.save()
        except IntegrityError as exc:
            raise ValidationError({"nominee": MSG_ALREADY_PENDING}) from exc
    return nomination


def _lock_pending(nomination: TrainerNomination) -> TrainerNomination:
    locked = (
        TrainerNomination.objects.select_for_update()
        .filter(pk=nomination.pk)
        .order_by("pk")
        .first()
    )
    if locked is None or not locked.is_pending:
        raise ValidationError(MSG_NOT_PENDING)
    return locked


def nomination_approve(
    *, nomination: TrainerNomination, actor, note: str = ""
) -> TrainerNomination:
    """HQ approves a pending nomination: the nominee gets the Trainer role.

    Preconditions: ``actor`` is an HQ admin; the nomination is pending (locked while checked).
    Writes the decision, the Trainer role grant (``hub.organisation.services.role_grant``,
    which audits ``role.granted``) and one ``nomination.approved`` audit event, in one
    transaction.
    """
    _require_hq_admin(actor)
    with transaction.atomic():
        locked = _lock_pending(nomination)
        nominee = Employee.objects.select_related("user").get(pk=locked.nominee_id)
        if nominee.has_left():
            raise ValidationError(MSG_HAS_LEFT)
        locked.status = TrainerNomination.Status.APPROVED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_reason = (note or "").strip()
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        role_grant(employee=nominee, role=Role.TRAINER, actor=actor)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.NOMINATION_APPROVED,
            summary=f"{nominee} ✓ {Role.TRAINER.label}",
            data={"nomination": locked.pk, "employee_no": nominee.employee_no},
        )
    return locked


def nomination_decline(*, nomination: TrainerNomination, reason: str, actor) -> TrainerNomination:
    """HQ declines a pending nomination with a reason the manager will read.

    Preconditions: ``actor`` is an HQ admin; ``reason`` is not blank; the nomination is
    pending. Writes the decision and one ``nomination.declined`` audit event.
    """
    _require_hq_admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": MSG_REASON_REQUIRED})
    with transaction.atomic():
        locked = _lock_pending(nomination)
        locked.status = TrainerNomination.Status.DECLINED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_reason = reason
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        nominee = locked.nominee
        audit_record(
            actor=actor,
            action=AuditEvent.Action.NOMINATION_DECLINED,
            summary=f"{nominee} ✗ {reason}",
            data={"nomination": locked.pk, "employee_no": nominee.employee_no},
        )
    return locked


# --- mentor programme -----------------------------------------------------------------------


def mentor_pair(
    *, mentor: Employee, mentee: Employee, actor, started_on: dt.date | None = None
) -> MentorPairing:
    """HQ pairs ``mentor`` with ``mentee``.

    Preconditions: ``actor`` is an HQ admin; both are current staff and differ; the mentee has
    no active mentor; the mentor has fewer active mentees than the programme's limit. Both
    employee rows are locked (in primary-key order) before counting, so two simultaneous
    pairings cannot both take the mentor's last place. Writes the pairing and one
    ``mentor.paired`` audit event.
    """
    _require_hq_admin(actor)
    if mentor.pk == mentee.pk:
        raise ValidationError(MSG_SELF_MENTOR)
    for person in (mentor, mentee):
        if person.has_left():
            raise ValidationError(MSG_HAS_LEFT)
    limit = MentorProgrammeSettings.load().mentee_limit
    with transaction.atomic():
        list(
            Employee.objects.select_for_update()
            .filter(pk__in=[mentor.pk, mentee.pk])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if MentorPairing.objects.active().filter(mentee=mentee).exists():
            raise ValidationError(MSG_MENTEE_TAKEN)
        if MentorPairing.objects.active().filter(mentor=mentor).count() >= limit:
            raise ValidationError(MSG_MENTOR_FULL % {"limit": limit})
        pairing = MentorPairing(
            mentor=mentor,
            mentee=mentee,
            started_on=started_on or timezone.localdate(),
            created_by=actor,
        )
        pairing.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                pairing.save()
        except IntegrityError as exc:
            raise ValidationError(MSG_MENTEE_TAKEN) from exc
        audit_record(
            actor=actor,
            action=AuditEvent.Action.MENTOR_PAIRED,
            summary=f"{mentor} → {mentee}",
            data={"mentor": mentor.employee_no, "mentee": mentee.employee_no},
        )
    return pairing


PROGRAMME_RULES = (
    "mentee_limit",
    "outstanding_min_hours",
    "outstanding_min_rating",
    "outstanding_min_mentees",
    "outstanding_max_mentees",
)


def _audit_value(value):
    return str(value) if isinstance(value, Decimal) else value


def mentor_programme_update(
    *,
    actor,
    mentee_limit: int | None = None,
    outstanding_min_hours: Decimal | None = None,
    outstanding_min_rating: Decimal | None = None,
    outstanding_min_mentees: int | None = None,
    outstanding_max_mentees: int | None = None,
) -> MentorProgrammeSettings:
    """An HQ admin changes the mentor programme's rules (a ``None`` rule stays as it is): how
    many active mentees a mentor may have, and the Outstanding Mentor thresholds. The only way
    these rules change (they are not a Wagtail setting any more, which wrote no audit).

    Lowering the limit ends no pairing: a mentor above it just takes no new mentee until
    below. Writes the settings and one ``mentor.rules`` audit event with each changed rule's
    old and new value (nothing when no rule changed).
    """
    _require_hq_admin(actor)
    wanted = {
        "mentee_limit": mentee_limit,
        "outstanding_min_hours": outstanding_min_hours,
        "outstanding_min_rating": outstanding_min_rating,
        "outstanding_min_mentees": outstanding_min_mentees,
        "outstanding_max_mentees": outstanding_max_mentees,
    }
    wanted = {name: value for name, value in wanted.items() if value is not None}
    if "mentee_limit" in wanted and wanted["mentee_limit"] < 1:
        raise ValidationError({"mentee_limit": MSG_LIMIT_POSITIVE})
    with transaction.atomic():
        settings = MentorProgrammeSettings.load()
        settings = MentorProgrammeSettings.objects.select_for_update().get(pk=settings.pk)
        changed = {
            name: [getattr(settings, name), value]
            for name, value in wanted.items()
            if getattr(settings, name) != value
        }
        if not changed:
            return settings
        for name, (_old, new) in changed.items():
            setattr(settings, name, new)
        if settings.outstanding_min_mentees > settings.outstanding_max_mentees:
            raise ValidationError({"outstanding_min_mentees": MSG_MENTEES_RANGE})
        settings.full_clean()
        settings.save(update_fields=list(changed))
        audit_record(
            actor=actor,
            action=AuditEvent.Action.MENTOR_RULES_CHANGED,
            summary=", ".join(f"{name}: {old} → {new}" for name, (old, new) in changed.items()),
            data={
                name: [_audit_value(old), _audit_value(new)] for name, (old, new) in changed.items()
            },
        )
    return settings


def mentor_unpair(
    *, pairing: MentorPairing, actor, ended_on: dt.date | None = None
) -> MentorPairing:
    """HQ ends a pairing (its logs and ratings stay). Ending an ended pairing changes nothing.

    Writes ``ended_on`` and one ``mentor.unpaired`` audit event.
    """
    _require_hq_admin(actor)
    with transaction.atomic():
        locked = MentorPairing.objects.select_for_update().get(pk=pairing.pk)
        if locked.ended_on is not None:
            return locked
        locked.ended_on = max(ended_on or timezone.localdate(), locked.started_on)
        locked.save(update_fields=["ended_on"])
        audit_record(
            actor=actor,
            action=AuditEvent.Action.MENTOR_UNPAIRED,
            summary=f"{locked.mentor} ↛ {locked.mentee}",
            data={"pairing": locked.pk},
        )
    return locked


def mentoring_log_create(
    *, pairing: MentorPairing, date: dt.date, hours: Decimal, topic: str, actor
) -> MentoringLog:
    """The mentor logs one mentoring session; it counts once the mentee confirms it.

    Preconditions: ``actor`` is the pairing's mentor; the pairing is active; the date is not
    in the future nor before the pairing started; 0 < hours ≤ 24.
    """
    if _actor_employee_id(actor) != pairing.mentor_id:
        raise PermissionDenied(MSG_NOT_THE_MENTOR)
    if not pairing.is_active:
        raise ValidationError(MSG_PAIRING_ENDED)
    if date > timezone.localdate():
        raise ValidationError({"date": MSG_LOG_IN_FUTURE})
    if date < pairing.started_on:
        raise ValidationError({"date": MSG_LOG_BEFORE_PAIRING})
    log = MentoringLog(pairing=pairing, date=date, hours=hours, topic=(topic or "").strip())
    log.full_clean()
    with transaction.atomic():
        log.save()
    return log


def mentoring_log_confirm(*, log: MentoringLog, actor) -> MentoringLog:
    """The mentee confirms a logged session (idempotent). Only the mentee may confirm."""
    if _actor_employee_id(actor) != log.pairing.mentee_id:
        raise PermissionDenied(MSG_NOT_THE_MENTEE)
    with transaction.atomic():
        updated = MentoringLog.objects.filter(pk=log.pk, confirmed_at__isnull=True).update(
            confirmed_at=timezone.now()
        )
        if updated:
            log.refresh_from_db(fields=["confirmed_at"])
    return log


def mentor_rate(
    *,
    pairing: MentorPairing,
    score: int,
    actor,
    comment: str = "",
    period_start: dt.date | None = None,
) -> MentorRating:
    """The mentee rates the mentor once per period (default: the current calendar quarter).

    Preconditions: ``actor`` is the pairing's mentee; the pairing had not ended before the
    period began; no rating for this pairing and period yet (a unique constraint backs the
    check); 0 ≤ score ≤ 100.
    """
    if _actor_employee_id(actor) != pairing.mentee_id:
        raise PermissionDenied(MSG_NOT_THE_MENTEE)
    period = period_start or quarter_start(timezone.localdate())
    if pairing.ended_on is not None and pairing.ended_on < period:
        raise ValidationError(MSG_PAIRING_ENDED)
    rating = MentorRating(
        pairing=pairing, period_start=period, score=score, comment=(comment or "").strip()
    )
    rating.full_clean(validate_constraints=False)
    if MentorRating.objects.filter(pairing=pairing, period_start=period).exists():
        raise ValidationError(MSG_ALREADY_RATED)
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError as exc:
        raise ValidationError(MSG_ALREADY_RATED) from exc
    return rating
