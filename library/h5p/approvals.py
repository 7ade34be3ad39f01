"""Writes for HQ's approval of H5P library versions: the allow-list and the approval queue.

Only HQ admins (and superusers) change the allow-list or decide a pending upload; every change
is an ``AuditEvent``. Approving adds the upload's library versions to the allow-list and
installs the package as content of its uploader; rejecting deletes it. The uploader is told
in an in-app notification (mailed after commit).
"""

from __future__ import annotations

import zipfile

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from hub.organisation.models import AuditEvent, Employee
from hub.organisation.permissions import is_hq_admin
from hub.organisation.services import audit_record
from hub.sessions.models import Notification
from library.h5p import storage
from library.h5p.models import H5PAllowedLibrary, H5PContent, H5PPendingPackage
from library.h5p.services import (
    H5PPackageError,
    content_bytes,
    h5p_library_plan,
    h5p_package_install,
)
from library.h5p.validation import validate_package

MSG_HQ_ADMIN_ONLY = _("Only an HQ training admin may approve H5P libraries.")
MSG_ALREADY_DECIDED = _("This upload has already been decided.")
MSG_APPROVED = _("HQ approved the libraries %(libraries)s: “%(title)s” is ready to use.")
MSG_REJECTED = _("HQ rejected “%(title)s” (libraries %(libraries)s); it was deleted.")
MSG_REJECTED_REASON = _("Reason: %(reason)s")


def _require_hq_admin(actor) -> None:
    if not is_hq_admin(actor):
        raise PermissionDenied(MSG_HQ_ADMIN_ONLY)


def allowed_library_data(row: H5PAllowedLibrary) -> dict:
    return {
        "id": row.pk,
        "machine_name": row.machine_name,
        "major": row.major,
        "minor": row.minor,
        "note": row.note,
    }


def h5p_allowed_library_audit(
    *, actor, action: str, row: H5PAllowedLibrary, before: dict | None = None
) -> AuditEvent:
    """Record an allow-list change made in the admin (added, changed or removed)."""
    data = {"library": allowed_library_data(row)}
    if before is not None:
        data["before"] = before
    summary = str(row) if before is None else f"{before['machine_name']} → {row}"
    return audit_record(actor=actor, action=action, summary=summary, data=data)


def h5p_library_allow(*, machine_name: str, major: int, minor: int, actor, note: str = ""):
    """Add one version to the allow-list (idempotent); audited when it is new."""
    _require_hq_admin(actor)
    row, created = H5PAllowedLibrary.objects.get_or_create(
        machine_name=machine_name, major=major, minor=minor, defaults={"note": note[:200]}
    )
    if created:
        h5p_allowed_library_audit(
            actor=actor, action=AuditEvent.Action.H5P_LIBRARY_ALLOWED, row=row
        )
    return row


def _locked(pending: H5PPendingPackage) -> H5PPendingPackage:
    locked = H5PPendingPackage.objects.select_for_update().filter(pk=pending.pk).first()
    if locked is None:
        raise ValidationError(MSG_ALREADY_DECIDED, code="decided")
    return locked


def _notify(pending: H5PPendingPackage, kind: str, body: str) -> None:
    recipient = Employee.objects.filter(user_id=pending.uploaded_by_id).first()
    if recipient is None:
        return
    notification = Notification.objects.create(
        recipient=recipient, kind=kind, title=pending.title[:200], body=body
    )

    def enqueue() -> None:
        from hub.sessions.tasks import notification_emails_send

        notification_emails_send.enqueue([notification.pk])

    transaction.on_commit(enqueue)


def h5p_pending_approve(*, pending: H5PPendingPackage, actor) -> H5PContent:
    """Approve a pending upload: its library versions join the allow-list and the package
    installs as content uploaded by its uploader (no quota check: it was counted while it
    waited). Preconditions: ``actor`` is an HQ admin. Raises ``H5PPackageError`` if the stored
    package no longer passes (limits changed, file gone), leaving it pending. Writes, in one
    transaction: allow-list rows (``h5p.library.allowed`` each), the libraries and content,
    an ``h5p.approval.approved`` event, the uploader's notification; deletes the pending row
    (its file goes on commit)."""
    _require_hq_admin(actor)
    written = []
    try:
        with transaction.atomic():
            locked = _locked(pending)
            path = storage.pending_path(locked.pk)
            if not path.is_file():
                raise ValidationError(MSG_ALREADY_DECIDED, code="decided")
            with path.open("rb") as package:
                result = validate_package(package, name=locked.package_name)
                if not result.is_valid:
                    raise H5PPackageError(result.errors)
                plan = h5p_library_plan(result.package)
                if plan.errors:
                    raise H5PPackageError(plan.errors)
                for machine_name, major, minor in plan.unapproved:
                    h5p_library_allow(
                        machine_name=machine_name, major=major, minor=minor, actor=actor
                    )
                package.seek(0)
                with zipfile.ZipFile(package) as archive:
                    content = h5p_package_install(
                        archive=archive,
                        info=result.package,
                        plan=plan,
                        name=locked.package_name,
                        size=locked.package_size,
                        stored=content_bytes(archive),
                        uploaded_by=locked.uploaded_by,
                        title=locked.title,
                        written=written,
                    )
            labels = ", ".join(locked.library_labels)
            audit_record(
                actor=actor,
                action=AuditEvent.Action.H5P_UPLOAD_APPROVED,
                summary=f"{locked.title}: {labels}",
                data={"pending": locked.pk, "content": content.pk, "libraries": locked.libraries},
            )
            _notify(
                locked,
                Notification.Kind.H5P_APPROVED,
                str(MSG_APPROVED % {"libraries": labels, "title": content.title}),
            )
            locked.delete()
    except BaseException:
        storage.remove_paths(written)
        raise
    return content


def h5p_pending_reject(*, pending: H5PPendingPackage, actor, reason: str = "") -> None:
    """Reject a pending upload: nothing is installed; the row goes (its file on commit).
    Preconditions: ``actor`` is an HQ admin. Writes an ``h5p.approval.rejected`` event and the
    uploader's notification, in one transaction."""
    _require_hq_admin(actor)
    reason = reason.strip()[:500]
    with transaction.atomic():
        locked = _locked(pending)
        labels = ", ".join(locked.library_labels)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.H5P_UPLOAD_REJECTED,
            summary=f"{locked.title}: {labels}",
            data={"pending": locked.pk, "libraries": locked.libraries, "reason": reason},
        )
        body = str(MSG_REJECTED % {"title": locked.title, "libraries": labels})
        if reason:
            body += "\n" + str(MSG_REJECTED_REASON % {"reason": reason})
        _notify(locked, Notification.Kind.H5P_REJECTED, body)
        locked.delete()
