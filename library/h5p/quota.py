"""Each uploader's H5P storage quota (``H5P_USER_QUOTA_BYTES``): what their uploads keep on
disk, and the check an upload must pass before anything is stored."""

from __future__ import annotations

from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat

from hub.organisation.permissions import is_hq_admin
from library.h5p.models import H5PContent, H5PPendingPackage
from library.h5p.validation import ErrorCode, H5PError, H5PPackageError


def h5p_storage_used(*, user) -> int:
    """Bytes ``user``'s H5P uploads keep: their contents' own files (h5p.json and content/;
    shared libraries are not counted) and the packages waiting for HQ approval."""
    contents = H5PContent.objects.filter(uploaded_by=user).aggregate(total=Sum("stored_bytes"))
    pending = H5PPendingPackage.objects.filter(uploaded_by=user).aggregate(
        total=Sum("package_size")
    )
    return (contents["total"] or 0) + (pending["total"] or 0)


def h5p_quota_applies(user) -> bool:
    """Trainers and training leads have a quota; HQ admins and system jobs (None) do not."""
    return bool(settings.H5P_USER_QUOTA_BYTES) and user is not None and not is_hq_admin(user)


def h5p_quota_check(*, user, adding: int, name: str) -> None:
    """Raise ``H5PPackageError`` (``quota_exceeded``) if storing ``adding`` more bytes would
    take ``user`` past the quota. Call inside the upload's transaction: it locks the user's
    row, so two uploads of one user are judged one after the other."""
    if not h5p_quota_applies(user):
        return
    limit = settings.H5P_USER_QUOTA_BYTES
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    used = h5p_storage_used(user=user)
    if used + adding > limit:
        params = {
            "used": filesizeformat(used),
            "adding": filesizeformat(adding),
            "limit": filesizeformat(limit),
        }
        display = PurePosixPath(name).name or "package.h5p"
        raise H5PPackageError([H5PError(ErrorCode.QUOTA_EXCEEDED, display, params)])
