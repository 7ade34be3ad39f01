"""Recorded playback: where a session's recording plays from, and each learner's progress.

Questions left on a recording are ``room.Question`` rows with ``origin="recording"``."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.organisation.scoping import ScopedQuerySet

__all__ = ["RecordingProgress", "RecordingSource"]


class RecordingSource(models.Model):
    """A session's recording as a library video (streamed with Range support) and its length.

    Without a row, a session's ``recording_url`` (a direct MP4/WebM link) is played instead."""

    session = models.OneToOneField(
        "hub.Session",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="recording_source",
        verbose_name=_("session"),
    )
    video = models.ForeignKey(
        "library.Video",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("video"),
    )
    # The media length the server trusts; when empty, each learner's first report sets theirs.
    duration_seconds = models.PositiveIntegerField(_("length (s)"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")

    def __str__(self) -> str:
        return str(self.session)


class RecordingProgress(models.Model):
    """What one learner has really played of a session's recording: merged intervals of
    media seconds (``[[start, end], ...]``, sorted, disjoint), their total, the last position
    and speed. ``clock_at`` starts the wall-clock window the next report is checked against."""

    session = models.ForeignKey(
        "hub.Session",
        on_delete=models.CASCADE,
        related_name="recording_progress",
        verbose_name=_("session"),
    )
    learner = models.ForeignKey(
        "hub.Employee",
        on_delete=models.CASCADE,
        related_name="recording_progress",
        verbose_name=_("learner"),
    )
    intervals = models.JSONField(_("played intervals"), default=list)
    watched_seconds = models.FloatField(_("watched (s)"), default=0)
    media_seconds = models.FloatField(_("media length (s)"), null=True, blank=True)
    last_position = models.FloatField(_("last position (s)"), default=0)
    speed = models.DecimalField(
        _("playback speed"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    completed = models.BooleanField(_("completed"), default=False)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    clock_at = models.DateTimeField(_("last report at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("recording progress")
        verbose_name_plural = _("recording progress")
        constraints = [
            models.UniqueConstraint(fields=["session", "learner"], name="recording_progress_once"),
            models.CheckConstraint(
                condition=Q(watched_seconds__gte=0) & Q(last_position__gte=0),
                name="recording_progress_non_negative",
            ),
        ]
        indexes = [models.Index(fields=["learner", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.learner_id}@{self.session_id}: {self.watched_seconds:.0f}s"

    @property
    def watched_percent(self) -> int:
        if not self.media_seconds:
            return 0
        return min(100, int(self.watched_seconds * 100 // self.media_seconds))
