"""Writes of the HR import web flow: store an upload, request the apply. One entry point each."""

from __future__ import annotations

import hashlib
import uuid
from functools import partial

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from hub.organisation.imports.readers import file_extension
from hub.organisation.imports.tasks import import_apply, import_validate
from hub.organisation.models import ImportBatch
from hub.organisation.permissions import is_hq_admin

MSG_NOT_ALLOWED = _("Only an HQ training admin may import HR data.")


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def import_batch_create(*, upload: UploadedFile, actor) -> ImportBatch:
    """Store an uploaded HR file as a new batch and queue its dry run.

    Preconditions: ``actor`` is an HQ admin; ``upload`` passed ``ImportUploadForm`` (size,
    extension, file type). Writes one ``ImportBatch`` (status *uploaded*) and the file under
    a generated name; ``import_validate`` is enqueued once the batch is committed.
    """
    if not is_hq_admin(actor):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    with transaction.atomic():
        batch = ImportBatch(
            uploaded_by=actor, original_name=upload.name[:255], sha256=_sha256(upload)
        )
        batch.file.save(f"{uuid.uuid4().hex}{file_extension(upload.name)}", upload, save=False)
        batch.save()
        transaction.on_commit(partial(import_validate.enqueue, batch.pk))
    return batch


def import_batch_apply(*, batch: ImportBatch, actor) -> bool:
    """Request that a validated batch be applied; ``False`` if it is not ready (still
    validating, has errors) or was already requested, so a second click changes nothing.

    Takes the batch row lock and moves only VALID → APPLYING; ``import_apply`` is enqueued
    once that is committed.
    """
    if not is_hq_admin(actor):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportBatch.Status.VALID:
            return False
        locked.status = ImportBatch.Status.APPLYING
        locked.rows_done = 0
        locked.save(update_fields=["status", "rows_done"])
        transaction.on_commit(partial(import_apply.enqueue, locked.pk, actor.pk))
    return True
