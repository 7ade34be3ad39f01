"""Writes of outcome metrics: import a file of values (dry run, then apply all-or-nothing) and
HQ's edit of one value. Every write is an HQ admin's and leaves an audit event."""

from __future__ import annotations

import hashlib
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evaluation.metrics.imports import MetricPlan, plan_file
from evaluation.metrics.models import MetricImportBatch, MetricValue
from hub.organisation.imports.plan import CREATE, UPDATE
from hub.organisation.imports.readers import file_extension
from hub.organisation.models import AuditEvent
from hub.organisation.permissions import is_hq_admin
from hub.organisation.services import audit_record

MSG_NOT_ALLOWED = _("Only an HQ training admin may change outcome metric values.")
MSG_BAD_VALUE = _("Enter a number.")
BULK_SIZE = 1000


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
    return locked
