"""Uploaded course videos. The files live in private storage (never under /media/): learners
reach them only through ``library.video.views``, which checks the login and answers HTTP Range
requests."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

from hub.storage import private_storage
from library.video.validation import EXTENSIONS, MP4, WEBM, human_size


def video_upload_to(instance: Video, filename: str) -> str:
    """A random name with the extension of the sniffed type (the uploaded name is not trusted)."""
    extension = EXTENSIONS.get(instance.content_type, "bin")
    return f"video/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


def subtitles_upload_to(instance: Video, filename: str) -> str:
    return f"video/subtitles/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.vtt"


class Video(index.Indexed, models.Model):
    class ContentType(models.TextChoices):
        MP4 = MP4, "MP4"
        WEBM = WEBM, "WebM"

    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("video file"),
        storage=private_storage,
        upload_to=video_upload_to,
        max_length=200,
        help_text=_("MP4 (H.264) or WebM; the type is checked from the file's content."),
    )
    size = models.PositiveBigIntegerField(_("size (bytes)"), editable=False, default=0)
    content_type = models.CharField(
        _("content type"), max_length=20, choices=ContentType.choices, editable=False
    )
    poster = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("poster image"),
        help_text=_("Shown before the video starts playing."),
    )
    subtitles = models.FileField(
        _("subtitles (WebVTT)"),
        storage=private_storage,
        upload_to=subtitles_upload_to,
        max_length=200,
        blank=True,
        help_text=_("Optional .vtt file in UTF-8 whose first line is WEBVTT."),
    )
    subtitle_language = models.CharField(
        _("subtitle language"),
        max_length=35,
        blank=True,
        default="zh-Hans",
        help_text=_("A language tag such as zh-Hans or en."),
    )
    subtitle_label = models.CharField(
        _("subtitle label"),
        max_length=50,
        blank=True,
        help_text=_("The name viewers see in the player's subtitle menu, e.g. 中文."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta:
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(content_type__in=[MP4, WEBM]), name="video_content_type_known"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("library:video:detail", args=[self.pk])

    @property
    def stream_url(self) -> str:
        return reverse("library:video:stream", args=[self.pk])

    @property
    def subtitles_url(self) -> str:
        return reverse("library:video:subtitles", args=[self.pk]) if self.subtitles else ""

    @property
    def size_display(self) -> str:
        return human_size(self.size)

    size_display.fget.short_description = _("size")

    @property
    def subtitle_display_label(self) -> str:
        return self.subtitle_label or self.subtitle_language
