"""Writes of the ROI inputs: HQ's cost settings and metric benefit basis, and a session's
venue and materials costs. Each checks permission, validates with ``full_clean`` (a refused
value stores nothing) and writes in one transaction; HQ's changes leave an audit event."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from evaluation.metrics.models import MetricDefinition
from evaluation.permissions import can_enter_session_cost
from evaluation.roi.models import MetricBenefitBasis, RoiSettings, SessionCost
from hub.organisation.models import AuditEvent
from hub.organisation.permissions import access_for
from hub.organisation.services import audit_record
from hub.sessions.models import Session

MSG_NOT_ALLOWED = _("Only an HQ training admin may change the ROI assumptions.")
MSG_NOT_ALLOWED_COST = _("Only HQ training admins and the session's trainers may enter its costs.")
# Every change of an ROI input (cost rates, a metric's value per unit and volume) is one
# ``roi.inputs`` audit event with the old and the new values.
AUDIT_SETTINGS = AuditEvent.Action.ROI_INPUTS_CHANGED
AUDIT_METRIC = AuditEvent.Action.ROI_INPUTS_CHANGED
SETTINGS_FIELDS = ("trainer_hourly_cost", "learner_hourly_cost", "horizon_months")
BASIS_FIELDS = ("affected_volume", "volume_note", "recurrence")


def _require_hq_admin(actor) -> None:
    if not access_for(actor).is_hq_admin:
        raise PermissionDenied(MSG_NOT_ALLOWED)


def _changes(before: dict, after: dict) -> dict:
    return {n: [str(before[n]), str(v)] for n, v in after.items() if before[n] != v}


def _summary(prefix: str, changed: dict) -> str:
    return f"{prefix}: " + ", ".join(f"{n}: {old} → {new}" for n, (old, new) in changed.items())


def roi_settings_save(
    *,
    actor,
    effective_from: dt.date,
    trainer_hourly_cost: Decimal,
    learner_hourly_cost: Decimal,
    horizon_months: int,
) -> RoiSettings:
    """An HQ admin sets the hourly costs and the horizon in force from ``effective_from``: the
    row of that date is created or changed (rows of other dates stay, so past sessions keep
    the rates of their day). One audit event (``session.rules``, summary "roi …") with the
    old and new values when something changed; saving the same values writes nothing."""
    _require_hq_admin(actor)
    values = {
        "trainer_hourly_cost": trainer_hourly_cost,
        "learner_hourly_cost": learner_hourly_cost,
        "horizon_months": horizon_months,
    }
    with transaction.atomic():
        row = RoiSettings.objects.select_for_update().filter(effective_from=effective_from).first()
        created = row is None
        if created:
            row = RoiSettings(effective_from=effective_from)
            before = dict.fromkeys(SETTINGS_FIELDS)
        else:
            before = {name: getattr(row, name) for name in SETTINGS_FIELDS}
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_by = actor
        row.full_clean()
        changed = _changes(before, values)
        if not changed:
            return row
        row.save()
        audit_record(
            actor=actor,
            action=AUDIT_SETTINGS,
            summary=_summary(f"roi {effective_from.isoformat()}", changed),
            data={"roi": changed, "effective_from": effective_from.isoformat(), "new": created},
        )
    return row


def metric_benefit_set(
    *,
    metric: MetricDefinition,
    actor,
    value_per_unit: Decimal | None,
    affected_volume: Decimal | None = None,
    volume_note: str = "",
    recurrence: str = MetricBenefitBasis.Recurrence.MONTHLY,
) -> MetricBenefitBasis:
    """An HQ admin sets what one unit of improvement of ``metric`` is worth
    (``MetricDefinition.value_per_unit``) and its benefit basis (affected volume, how often it
    recurs). Audited (``metric.value.edited``, summary "roi <code> …") when something changed."""
    _require_hq_admin(actor)
    with transaction.atomic():
        locked = MetricDefinition.objects.select_for_update().get(pk=metric.pk)
        basis = MetricBenefitBasis.objects.filter(metric=locked).first() or MetricBenefitBasis(
            metric=locked
        )
        before = {"value_per_unit": locked.value_per_unit}
        before |= (
            {n: getattr(basis, n) for n in BASIS_FIELDS}
            if basis.pk
            else dict.fromkeys(BASIS_FIELDS)
        )
        values = {
            "value_per_unit": value_per_unit,
            "affected_volume": affected_volume,
            "volume_note": volume_note,
            "recurrence": recurrence,
        }
        locked.value_per_unit = value_per_unit
        for name in BASIS_FIELDS:
            setattr(basis, name, values[name])
        locked.full_clean()
        basis.full_clean()
        changed = _changes(before, values)
        if not changed:
            return basis
        locked.save(update_fields=["value_per_unit"])
        basis.save()
        audit_record(
            actor=actor,
            action=AUDIT_METRIC,
            summary=_summary(f"roi {locked.code}", changed),
            data={"metric": locked.pk, "roi": changed},
        )
    metric.value_per_unit = value_per_unit
    return basis


def session_cost_set(*, session: Session, actor, venue: Decimal, materials: Decimal) -> SessionCost:
    """The venue and materials costs (CNY, ≥ 0) of ``session``, typed by an HQ admin or one
    of its trainers; creates or replaces the session's one cost row. A negative or missing
    amount is refused (``ValidationError``) and nothing is stored."""
    if not can_enter_session_cost(actor, session):
        raise PermissionDenied(MSG_NOT_ALLOWED_COST)
    with transaction.atomic():
        cost = SessionCost.objects.select_for_update().filter(session=session).first()
        cost = cost or SessionCost(session=session)
        cost.venue, cost.materials = venue, materials
        cost.updated_by = actor
        cost.full_clean()
        cost.save()
    return cost
