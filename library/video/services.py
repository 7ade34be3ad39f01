"""Writes of course videos. Every upload path (Wagtail admin, seed, tests) goes through
``video_create``, so a file is sniffed and size-checked once, in one place."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.images.models import Image

from hub.organisation import permissions
from library.video.models import Video
from library.video.validation import (
    SNIFF_BYTES,
    Sniffed,
    VideoRejected,
    check_language_tag,
    check_subtitles_size,
    check_video_size,
    check_webvtt,
    sniff_video,
)

MSG_NOT_ALLOWED = _("Only trainers and HQ staff may upload videos.")
MSG_DELETE_NOT_ALLOWED = _("Only HQ staff may delete videos.")
MSG_LANGUAGE_REQUIRED = _("Subtitles need a language.")


def _as_validation_error(field: str, rejected: VideoRejected) -> ValidationError:
    return ValidationError({field: ValidationError(rejected.message, params=rejected.params)})


def _head(file: File) -> bytes:
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    return head


def video_file_check(file: File) -> Sniffed:
    """The sniffed type of an uploaded video, after the size limit
    (``LECTERN_VIDEO_MAX_BYTES``). Raises ``ValidationError`` on the ``file`` field."""
    try:
        check_video_size(file.size or 0, settings.LECTERN_VIDEO_MAX_BYTES)
        return sniff_video(_head(file))
    except VideoRejected as rejected:
        raise _as_validation_error("file", rejected) from rejected


def subtitles_file_check(file: File) -> str:
    """The text of an uploaded WebVTT file (UTF-8, at most
    ``LECTERN_VIDEO_SUBTITLE_MAX_BYTES``). Raises ``ValidationError`` on ``subtitles``."""
    limit = settings.LECTERN_VIDEO_SUBTITLE_MAX_BYTES
    try:
        # A file over the limit is refused unread.
        check_subtitles_size(file.size or 0, limit)
        file.seek(0)
        return check_webvtt(file.read(limit + 1), limit)
    except VideoRejected as rejected:
        raise _as_validation_error("subtitles", rejected) from rejected


def subtitle_language_check(language: str) -> None:
    try:
        check_language_tag(language)
    except VideoRejected as rejected:
        raise _as_validation_error("subtitle_language", rejected) from rejected


def can_upload_video(user) -> bool:
    """Trainers, HQ admins and superusers (the training lead only reads), or a holder of
    ``library.add_video``."""
    return permissions.can_author_content(user) or user.has_perm("library.add_video")


def can_delete_video(user) -> bool:
    """HQ admins and superusers, or a holder of ``library.delete_video`` (trainers and the
    training lead may not: the admin's permission policy says the same)."""
    return permissions.is_hq_admin(user) or user.has_perm("library.delete_video")


def video_create(
    *,
    title: str,
    file: File,
    poster: Image | None = None,
    subtitles: File | None = None,
    subtitle_language: str = "zh-Hans",
    subtitle_label: str = "",
    uploaded_by=None,
) -> Video:
    """Store an uploaded video, all or nothing.

    Preconditions: ``uploaded_by`` is a trainer, HQ staff or holds ``library.add_video``
    (``None`` for system jobs such as the seed). The video's type is sniffed from its content
    (MP4 or WebM, whatever its name) and its size checked against the limit; subtitles must be
    UTF-8 WebVTT with a language tag. Any refusal raises ``ValidationError`` keyed by field
    before anything is written. Writes the two files to private storage and one ``Video`` row;
    if the row cannot be written the files are removed again.
    """
    if uploaded_by is not None and not can_upload_video(uploaded_by):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    errors: dict[str, list] = {}
    sniffed = subtitle_text = None
    try:
        sniffed = video_file_check(file)
    except ValidationError as error:
        errors.update(error.error_dict)
    if subtitles:
        try:
            subtitle_text = subtitles_file_check(subtitles)
            if not subtitle_language:
                raise ValidationError({"subtitle_language": MSG_LANGUAGE_REQUIRED})
            subtitle_language_check(subtitle_language)
        except ValidationError as error:
            errors.update(error.error_dict)
    video = Video(
        title=title.strip(),
        size=file.size,
        content_type=sniffed.content_type if sniffed else "",
        poster=poster,
        subtitle_language=subtitle_language if subtitles else "",
        subtitle_label=subtitle_label.strip() if subtitles else "",
        uploaded_by=uploaded_by,
    )
    try:
        video.full_clean(exclude=["file", "subtitles", "content_type"])
    except ValidationError as error:
        errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)

    stored: list[tuple] = []
    try:
        with transaction.atomic():
            file.seek(0)
            video.file.save(f"upload.{sniffed.extension}", file, save=False)
            stored.append((video.file.storage, video.file.name))
            if subtitle_text is not None:
                video.subtitles.save(
                    "subtitles.vtt", ContentFile(subtitle_text.encode("utf-8")), save=False
                )
                stored.append((video.subtitles.storage, video.subtitles.name))
            video.save()
    except BaseException:
        for storage, name in stored:
            storage.delete(name)
        raise
    return video


def video_update(
    *,
    video: Video,
    title: str,
    poster: Image | None,
    subtitles: File | bool | None,
    subtitle_language: str,
    subtitle_label: str,
    actor=None,
) -> Video:
    """Change a video's title, poster or subtitle track (the video file itself is fixed: a
    new recording is a new upload).

    ``subtitles``: a file replaces the track, ``False`` removes it, ``None`` keeps it. The
    same checks as ``video_create``; a replaced or removed subtitle file is deleted after the
    transaction commits.
    """
    if actor is not None and not can_upload_video(actor):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    has_subtitles = bool(subtitles) or (subtitles is None and bool(video.subtitles))
    subtitle_text = None
    if subtitles:
        subtitle_text = subtitles_file_check(subtitles)
    if has_subtitles:
        if not subtitle_language:
            raise ValidationError({"subtitle_language": MSG_LANGUAGE_REQUIRED})
        subtitle_language_check(subtitle_language)
    video.title = title.strip()
    video.poster = poster
    video.subtitle_language = subtitle_language if has_subtitles else ""
    video.subtitle_label = subtitle_label.strip() if has_subtitles else ""
    video.full_clean(exclude=["file", "subtitles"])
    old_subtitles = video.subtitles.name if subtitles is not None else ""
    new_name = ""
    try:
        with transaction.atomic():
            if subtitle_text is not None:
                video.subtitles.save(
                    "subtitles.vtt", ContentFile(subtitle_text.encode("utf-8")), save=False
                )
                new_name = video.subtitles.name
            elif subtitles is False:
                video.subtitles = ""
            video.save()
            if old_subtitles:
                storage = video.subtitles.storage
                transaction.on_commit(lambda: storage.delete(old_subtitles))
    except BaseException:
        if new_name:
            video.subtitles.storage.delete(new_name)
        raise
    return video


def video_delete(*, video: Video, actor=None) -> None:
    """Delete a video row; its video and subtitle files are removed once the deletion commits
    (a rolled-back deletion keeps them). Blocks that chose the video then render nothing.

    Preconditions: ``actor`` is HQ staff or holds ``library.delete_video`` (``None`` for
    system jobs); raises ``PermissionDenied`` otherwise, deleting nothing."""
    if actor is not None and not can_delete_video(actor):
        raise PermissionDenied(MSG_DELETE_NOT_ALLOWED)
    files = [(field.storage, field.name) for field in (video.file, video.subtitles) if field]
    with transaction.atomic():
        video.delete()

        def remove_files() -> None:
            for storage, name in files:
                storage.delete(name)

        transaction.on_commit(remove_files)
