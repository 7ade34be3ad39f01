"""Training sessions, enrolment and attendance: the spine that plans, live delivery and
evaluation hang on. Sessions point at library courses; pages never own them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Session(models.Model):
    class Mode(models.TextChoices):
        LIVE_ONLINE = "live_online", _("Live online")
        RECORDED = "recorded", _("Recorded")
        IN_PERSON = "in_person", _("In person")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        LIVE = "live", _("Live")
        ENDED = "ended", _("Ended")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=200)
    course = models.ForeignKey(
        "library.CoursePage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("course"),
    )
    trainers = models.ManyToManyField(
        "hub.Employee", related_name="sessions_taught", verbose_name=_("trainers")
    )
    # None: open company-wide.
    branch = models.ForeignKey(
        "hub.Branch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("branch"),
    )
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("capacity"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    stream_url = models.URLField(_("stream URL"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class Enrolment(models.Model):
    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        WAITLISTED = "waitlisted", _("Waitlisted")
        CANCELLED = "cancelled", _("Cancelled")

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("session")
    )
    learner = models.ForeignKey(
        "hub.Employee",
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("learner"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["session", "learner"], name="enrolment_once"),
        ]

    def __str__(self) -> str:
        return f"{self.learner} @ {self.session}"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        PARTIAL = "partial", _("Partial")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    enrolment = models.OneToOneField(
        Enrolment,
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=_("enrolment"),
    )
    minutes_present = models.PositiveIntegerField(_("minutes present"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ABSENT
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance records")

    def __str__(self) -> str:
        return f"{self.enrolment}: {self.get_status_display()}"
