"""Background jobs of the HR import (django-tasks): the dry run and the apply.

Both re-read the stored file. Progress goes to ``ImportBatch.rows_done`` through queryset
updates that commit on their own, so the detail page can poll it while the job runs.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from hub.organisation.imports.apply import plan_apply
from hub.organisation.imports.plan import ImportPlan
from hub.organisation.imports.validation import plan_file
from hub.organisation.models import ImportBatch

logger = logging.getLogger(__name__)
SKIPPED = "skipped"


def _plan_batch(batch: ImportBatch) -> ImportPlan:
    def progress(done: int, total: int) -> None:
        ImportBatch.objects.filter(pk=batch.pk).update(rows_done=done, rows_total=total)

    with batch.file.open("rb") as stored:
        data = stored.read()
    return plan_file(
        data=data,
        file_name=batch.original_name,
        max_rows=settings.LECTERN_IMPORT_MAX_ROWS,
        progress=progress,
    )


def _fail(batch: ImportBatch, exc: Exception) -> str:
    logger.exception("HR import %s failed", batch.pk)
    report = {**batch.report, "failure": f"{type(exc).__name__}: {exc}"[:500]}
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.FAILED, report=report)
    return ImportBatch.Status.FAILED


@task()
def import_validate(batch_id: int) -> str:
    """Dry run of an uploaded batch: UPLOADED → VALIDATING → VALID or INVALID (or FAILED).

    Claims the batch with a conditional update, so a job enqueued twice runs once.
    """
    claimed = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.UPLOADED).update(
        status=ImportBatch.Status.VALIDATING, rows_done=0
    )
    if not claimed:
        return SKIPPED
    batch = ImportBatch.objects.get(pk=batch_id)
    try:
        plan = _plan_batch(batch)
    except Exception as exc:
        return _fail(batch, exc)
    status = ImportBatch.Status.VALID if plan.is_valid else ImportBatch.Status.INVALID
    ImportBatch.objects.filter(pk=batch_id).update(
        status=status, report=plan.report(), rows_total=plan.rows_total, rows_done=plan.rows_total
    )
    return status


@task()
def import_apply(batch_id: int, actor_id: int | None = None) -> str:
    """Apply a batch that ``import_batch_apply`` moved to APPLYING: APPLIED, INVALID (the
    database changed since the dry run and the file no longer fits) or FAILED.

    Validates again (reporting progress), then writes everything and marks the batch applied
    in one transaction while holding the batch row lock.
    """
    batch = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.APPLYING).first()
    if batch is None:
        return SKIPPED
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        plan = _plan_batch(batch)
        if not plan.is_valid:
            ImportBatch.objects.filter(pk=batch_id).update(
                status=ImportBatch.Status.INVALID, report=plan.report()
            )
            return ImportBatch.Status.INVALID
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch_id)
            if locked.status != ImportBatch.Status.APPLYING:
                return SKIPPED
            counts = plan_apply(plan=plan, actor=actor, batch=locked)
            locked.status = ImportBatch.Status.APPLIED
            locked.applied_at = timezone.now()
            locked.report = {
                **plan.report(),
                "applied": counts,
                "applied_by": actor.get_username() if actor else "",
            }
            locked.rows_done = locked.rows_total = plan.rows_total
            locked.save(update_fields=["status", "applied_at", "report", "rows_done", "rows_total"])
    except Exception as exc:
        return _fail(batch, exc)
    return ImportBatch.Status.APPLIED
