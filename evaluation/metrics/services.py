"""Writes of outcome metrics: import a file of values (dry run, then apply all-or-nothing),
HQ's edit of one value (each an HQ admin's, with an audit event), and the refresh of the
stored session lifts (``SessionLift``) that moves measured needs to *evaluated*.

A write that changes values sends ``metric_values_changed`` (argument ``metric_ids``) after
its transaction commits; ``evaluation.metrics.signals`` answers with a background refresh of
the lifts on those metrics."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evaluation.metrics.imports import MetricPlan, plan_file
from evaluation.metrics.models import MetricDefinition, MetricImportBatch, MetricValue, SessionLift
from evaluation.metrics.rules import LiftFigure
from evaluation.metrics.selectors import lift_for, need_lift
from hub.needs.models import TrainingNeed
from hub.needs.services import need_evaluate_measured
from hub.organisation.imports.plan import CREATE, UPDATE
from hub.organisation.imports.readers import file_extension
from hub.organisation.models import AuditEvent, Branch
from hub.organisation.permissions import is_hq_admin
from hub.organisation.services import audit_record
from hub.sessions.models import Session

MSG_NOT_ALLOWED = _("Only an HQ training admin may change outcome metric values.")
MSG_BAD_VALUE = _("Enter a number.")
BULK_SIZE = 1000
HUNDREDTH = Decimal("0.01")

# Sent after the commit of a write that changed metric values; argument ``metric_ids``.
metric_values_changed = Signal()


def _announce(metric_ids: Iterable[int]) -> None:
    ids = sorted(set(metric_ids))
    if ids:
        transaction.on_commit(
            lambda: metric_values_changed.send(sender=MetricValue, metric_ids=ids)
        )


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _plan(batch: MetricImportBatch) -> MetricPlan:
    with batch.file.open("rb") as stored:
        data = stored.read()
    return plan_file(
        data=data, file_name=batch.original_name, max_rows=settings.LECTERN_IMPORT_MAX_ROWS
    )


def metric_import_create(*, upload: UploadedFile, actor) -> MetricImportBatch:
    """Store an uploaded file of metric values and dry-run it at once: the batch is *valid*
    (nothing written yet, the preview says what would change) or *invalid* (every row's
    errors in ``report``). Precondition: ``upload`` passed ``MetricUploadForm``."""
    if not is_hq_admin(actor):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    batch = MetricImportBatch(
        uploaded_by=actor,
        original_name=upload.name[:255],
        sha256=_sha256(upload),
        status=MetricImportBatch.Status.INVALID,
    )
    batch.file.save(f"{uuid.uuid4().hex}{file_extension(upload.name)}", upload, save=False)
    plan = _plan(batch)
    batch.status = (
        MetricImportBatch.Status.VALID if plan.is_valid else MetricImportBatch.Status.INVALID
    )
    batch.report = plan.report()
    batch.rows_total = plan.rows_total
    batch.save()
    return batch


def _write(plan: MetricPlan, batch: MetricImportBatch) -> dict:
    creates = [
        MetricValue(
            metric=row.metric,
            **{f"{row.scope_field}_id": row.scope_id},
            period_start=row.period_start,
            period_end=row.period_end,
            value=row.value,
            source=MetricValue.Source.IMPORTED,
            batch=batch,
        )
        for row in plan.rows
        if row.action == CREATE
    ]
    MetricValue.objects.bulk_create(creates, batch_size=BULK_SIZE)
    updates = [
        MetricValue(
            pk=row.pk,
            value=row.value,
            source=MetricValue.Source.IMPORTED,
            batch=batch,
            updated_at=timezone.now(),
        )
        for row in plan.rows
        if row.action == UPDATE
    ]
    MetricValue.objects.bulk_update(
        updates, ["value", "source", "batch", "updated_at"], batch_size=BULK_SIZE
    )
    return plan.counts()["values"]


def metric_import_apply(*, batch: MetricImportBatch, actor) -> bool:
    """Apply a valid batch, all or nothing; ``False`` if it is not valid (or already applied),
    so a second click changes nothing.

    Checks the file again against the database as it is now (another import may have run):
    a file that no longer fits becomes *invalid* and nothing is written. Values are upserted
    by (metric, scope, period): rows equal to what is stored are left alone, so applying the
    same file again writes no value. One ``metric.import.applied`` audit event.
    """
    if not is_hq_admin(actor):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    with transaction.atomic():
        locked = MetricImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != MetricImportBatch.Status.VALID:
            return False
        plan = _plan(locked)
        if not plan.is_valid:
            locked.status = MetricImportBatch.Status.INVALID
            locked.report = plan.report()
            locked.save(update_fields=["status", "report"])
            return False
        counts = _write(plan, locked)
        locked.status = MetricImportBatch.Status.APPLIED
        locked.applied_at = timezone.now()
        locked.report = {**plan.report(), "applied": counts}
        locked.save(update_fields=["status", "applied_at", "report"])
        audit_record(
            actor=actor,
            action=AuditEvent.Action.METRIC_IMPORT_APPLIED,
            summary=gettext("%(file)s: %(new)s new, %(updated)s updated, %(same)s unchanged values")
            % {
                "file": locked.original_name,
                "new": counts[CREATE],
                "updated": counts[UPDATE],
                "same": counts["unchanged"],
            },
            data={"batch": locked.pk, "sha256": locked.sha256, **counts},
        )
        _announce(row.metric.pk for row in plan.rows if row.action in (CREATE, UPDATE))
    batch.refresh_from_db()
    return True


def metric_value_set(*, value: MetricValue, new_value: Decimal, actor) -> MetricValue:
    """HQ's correction of one stored value; audited with the old and the new value. Setting
    the value it already has writes nothing."""
    if not is_hq_admin(actor):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    if new_value is None or not Decimal(new_value).is_finite():
        raise ValidationError({"value": MSG_BAD_VALUE})
    with transaction.atomic():
        locked = MetricValue.objects.select_for_update().select_related("metric").get(pk=value.pk)
        old = locked.value
        if old == Decimal(new_value):
            return locked
        locked.value = new_value
        locked.source = MetricValue.Source.EDITED
        locked.save(update_fields=["value", "source", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditEvent.Action.METRIC_VALUE_EDITED,
            summary=gettext("%(metric)s %(start)s: %(old)s → %(new)s")
            % {
                "metric": locked.metric.code,
                "start": locked.period_start.isoformat(),
                "old": f"{old.normalize():f}",
                "new": f"{Decimal(new_value).normalize():f}",
            },
            data={"value": locked.pk, "old": str(old), "new": str(new_value)},
        )
        _announce([locked.metric_id])
    return locked


# --- stored session lifts -------------------------------------------------------------------

SessionNeed = TrainingNeed.sessions.through


def _text(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def _linked_ended(scope: Q) -> QuerySet:
    """(session, need) rows of ended sessions whose need has an outcome metric, in ``scope``,
    first need (by id) first: the first row of a session is its linked metric
    (``selectors.session_metric``)."""
    return (
        SessionNeed.objects.filter(scope)
        .filter(session__status=Session.Status.ENDED, trainingneed__outcome_metric__isnull=False)
        .order_by("session_id", "trainingneed_id")
        .values_list(
            "session_id",
            "session__starts_at",
            "trainingneed__outcome_metric__metric_id",
            "trainingneed__branch_id",
        )
    )


def _snapshot(session_id: int, metric_id: int, figure: LiftFigure, now) -> SessionLift:
    return SessionLift(
        session_id=session_id,
        metric_id=metric_id,
        branch_id=figure.branch_id,
        day=figure.windows.day,
        window_days=figure.windows.days,
        before=_text(figure.before),
        after=_text(figure.after),
        lift=_text(figure.lift),
        comparison_lift=_text(figure.comparison_lift),
        net_lift=_text(figure.net_lift),
        comparison_units=figure.comparison_units,
        small_sample=figure.small_sample,
        reason=figure.reason_code,
        computed_at=now,
    )


SNAPSHOT_FIELDS = [
    "metric",
    "branch",
    "day",
    "window_days",
    "before",
    "after",
    "lift",
    "comparison_lift",
    "net_lift",
    "comparison_units",
    "small_sample",
    "reason",
    "computed_at",
]


def refresh_session_lifts(
    *,
    sessions: Iterable | None = None,
    metrics: Iterable | None = None,
    today: dt.date | None = None,
) -> dict[str, int]:
    """Recompute the stored lift (``SessionLift``) of ended sessions with ``lift_for`` (the
    one rule, default windows) and upsert it; delete the snapshot of a session in scope that
    is no longer ended with a linked metric. Then move the delivered needs of those sessions
    whose lift became measurable to *evaluated* (``needs_evaluate_measured``).

    Scope: ``sessions`` (objects or ids) and every ended session linked to one of
    ``metrics`` (objects or ids: a value or a link changed, which can move their lifts and
    their comparison groups); both None → every session. Idempotent; safe to run twice at
    once (one row per session, written with an upsert). About four queries a session.
    Returns the counts ``refreshed``, ``deleted``, ``needs evaluated``.
    """
    now = timezone.now()
    everything = sessions is None and metrics is None
    scope = Q()
    if not everything:
        session_ids = [getattr(s, "pk", s) for s in sessions or ()]
        metric_ids = [getattr(m, "pk", m) for m in metrics or ()]
        scope = Q(session_id__in=session_ids) | Q(
            session_id__in=SessionNeed.objects.filter(
                trainingneed__outcome_metric__metric_id__in=metric_ids
            ).values("session_id")
        )
    links: dict[int, tuple] = {}
    for session_id, starts_at, metric_id, branch_id in _linked_ended(scope):
        links.setdefault(session_id, (timezone.localdate(starts_at), metric_id, branch_id))
    metric_by_id = MetricDefinition.objects.in_bulk({m for _d, m, _b in links.values()})
    branch_by_id = Branch.objects.in_bulk({b for _d, _m, b in links.values()})
    snapshots = []
    for session_id, (day, metric_id, branch_id) in links.items():
        figure = lift_for(metric=metric_by_id[metric_id], branch=branch_by_id[branch_id], day=day)
        snapshots.append(_snapshot(session_id, metric_id, figure, now))
    with transaction.atomic():
        stored = set(
            SessionLift.objects.filter(session_id__in=list(links)).values_list(
                "session_id", flat=True
            )
        )
        SessionLift.objects.bulk_create(
            snapshots,
            batch_size=BULK_SIZE,
            update_conflicts=True,
            unique_fields=["session"],
            update_fields=SNAPSHOT_FIELDS,
        )
        linked = SessionNeed.objects.filter(
            session_id=OuterRef("session_id"), trainingneed__outcome_metric__isnull=False
        )
        deleted, _kinds = (
            SessionLift.objects.filter(scope)
            .filter(~Q(session__status=Session.Status.ENDED) | ~Exists(linked))
            .delete()
        )
    evaluated = needs_evaluate_measured(
        sessions=None if everything else list(links), today=today or timezone.localdate()
    )
    return {
        "refreshed": len(snapshots),
        "created": len(links.keys() - stored),
        "deleted": deleted,
        "needs evaluated": evaluated,
    }


def _plain(value: Decimal) -> str:
    return f"{value.quantize(HUNDREDTH, ROUND_HALF_UP).normalize():f}"


def needs_evaluate_measured(*, sessions: Iterable | None = None, today: dt.date) -> int:
    """Move each *delivered* need with an outcome metric (of ``sessions``, or all) whose lift
    is measurable to *evaluated* (``hub.needs.services.need_evaluate_measured``), with the
    metric's measured value after as its value after training and the lift in the event's
    note. Measurable: ``need_lift`` (its first ended session) has a lift and its after window
    has passed (``today`` after its last day). Once evaluated a need keeps that value (a
    value imported later changes the stored session lift, not the need). Returns how many
    moved."""
    needs = TrainingNeed.objects.filter(
        status=TrainingNeed.Status.DELIVERED, outcome_metric__isnull=False
    ).select_related("branch")
    if sessions is not None:
        ids = [getattr(s, "pk", s) for s in sessions]
        needs = needs.filter(
            pk__in=SessionNeed.objects.filter(session_id__in=ids).values("trainingneed_id")
        )
    moved = 0
    for need in needs:
        figure = need_lift(need=need)
        if figure is None or not figure.measured or today <= figure.windows.after_end:
            continue
        note = gettext("Measured on %(metric)s: %(before)s → %(after)s, lift %(lift)s") % {
            "metric": figure.metric_code,
            "before": _plain(figure.before),
            "after": _plain(figure.after),
            "lift": f"{figure.lift_display:+} %",
        }
        moved += need_evaluate_measured(need=need, metric_after=figure.after, note=note)
    return moved
