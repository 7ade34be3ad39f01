"""Training sessions, enrolment and attendance: the spine that plans, live delivery and
evaluation hang on. Sessions point at library courses; pages never own them."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.organisation.models import PositionCategory
from hub.organisation.scoping import ScopedQuerySet


class SessionQuerySet(ScopedQuerySet):
    def with_credit(self) -> SessionQuerySet:
        """Annotate ``has_completer`` (an enrolled learner completed the session, see
        ``AttendanceQuerySet.completed``) and ``credited_minutes``: the delivered duration of an
        ended session with a completer, else 0 (no completer, cancelled, not ended)."""
        completers = Attendance.objects.completed().filter(enrolment__session=OuterRef("pk"))
        return self.annotate(has_completer=Exists(completers)).annotate(
            credited_minutes=Case(
                When(
                    status=Session.Status.ENDED,
                    has_completer=True,
                    then=Coalesce("delivered_minutes", Value(0)),
                ),
                default=Value(0),
                output_field=models.IntegerField(),
            )
        )


class Session(models.Model):
    class Mode(models.TextChoices):
        LIVE_ONLINE = "live_online", _("Live online")
        RECORDED = "recorded", _("Recorded")
        IN_PERSON = "in_person", _("In person")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        LIVE = "live", _("In progress")
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
    # Position categories allowed to self-enrol, comma-separated ("" = everyone).
    audience = models.CharField(_("audience"), max_length=64, blank=True, default="")
    description = models.TextField(_("description"), blank=True)
    recording_url = models.URLField(_("recording"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # Set when the session ends (rules.delivered_minutes): what counts as taught.
    delivered_minutes = models.PositiveIntegerField(_("delivered (minutes)"), null=True, blank=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "starts_at"]),
            # Lists in date order (HQ overview, session list) read a page off this index
            # instead of sorting every session.
            models.Index(fields=["starts_at", "id"], name="hub_session_starts_at_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def attendance_minutes(self) -> int:
        """The length attendance is measured against: the delivered duration once the session
        has ended, the scheduled one before. Minutes present are clipped to it and the
        completion rule applies to it."""
        if self.delivered_minutes is not None:
            return self.delivered_minutes
        return self.duration_minutes

    @property
    def audience_list(self) -> list[str]:
        return [c for c in self.audience.split(",") if c]

    def audience_labels(self) -> list[str]:
        return [str(PositionCategory(c).label) for c in self.audience_list]

    def is_open_to(self, *, branch_id: int, category: str) -> bool:
        """May an employee of ``branch_id`` and position ``category`` enrol themselves?"""
        branch_ok = self.branch_id is None or self.branch_id == branch_id
        return branch_ok and (not self.audience_list or category in self.audience_list)


def completed_enrolment_q(path: str = "") -> Q:
    """Completed training as a condition on an enrolment reached by ``path`` ("" from
    Enrolment, "enrolments" from Session): the definition of ``AttendanceQuerySet.completed``
    (enrolled, session ended, completion rule met), for counts and conditional aggregates."""
    prefix = f"{path}__" if path else ""
    return Q(
        **{
            f"{prefix}status": Enrolment.Status.ENROLLED,
            f"{prefix}session__status": Session.Status.ENDED,
            f"{prefix}attendance__completed": True,
        }
    )


class EnrolmentQuerySet(ScopedQuerySet):
    def completed(self) -> EnrolmentQuerySet:
        """Enrolments whose training is completed (``completed_enrolment_q``)."""
        return self.filter(completed_enrolment_q())


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
    # When the learner (re)joined the queue: the oldest waitlisted is promoted first.
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["session", "status", "queued_at"]),
            models.Index(fields=["learner", "status"]),
        ]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["session", "learner"], name="enrolment_once"),
        ]

    def __str__(self) -> str:
        return f"{self.learner} @ {self.session}"


class AttendanceQuerySet(ScopedQuerySet):
    def completed(self) -> AttendanceQuerySet:
        """Completed training, the one definition every page uses (My learning, My branch, HQ
        overview, plan progress, teaching hours): an enrolled learner of an ended session whose
        record meets the completion rule (``completed``, set by the rule on the delivered
        duration or by a trainer's correction). A status of present or late alone is not
        enough: a correction to present with too few minutes is not completed."""
        return self.filter(
            completed=True,
            enrolment__status=Enrolment.Status.ENROLLED,
            enrolment__session__status=Session.Status.ENDED,
        )


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
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    # Set by attendance_finalise from the completion rule (or by a correction).
    completed = models.BooleanField(_("completed"), default=False)
    # A trainer's manual correction wins over later automatic figures.
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("corrected by"),
    )
    correction_reason = models.CharField(_("reason for correction"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance records")

    def __str__(self) -> str:
        return f"{self.enrolment}: {self.get_status_display()}"


class SessionSettings(models.Model):
    """HQ-configurable rules of sessions: one row (``SessionSettings.load()``)."""

    completion_percent = models.PositiveSmallIntegerField(
        _("completion: minimum share present (%)"),
        default=80,
        help_text=_("A learner completes a session when present for at least this share of it."),
    )
    late_after_minutes = models.PositiveSmallIntegerField(
        _("late after (minutes)"),
        default=10,
        help_text=_("Checking in later than this after the start counts as late."),
    )
    cancel_deadline_hours = models.PositiveSmallIntegerField(
        _("cancellation deadline (hours before start)"),
        default=24,
        help_text=_("After this a learner can no longer cancel their own enrolment."),
    )
    checkin_code_minutes = models.PositiveSmallIntegerField(
        _("check-in code lifetime (minutes)"), default=2
    )
    early_start_minutes = models.PositiveSmallIntegerField(
        _("earliest start (minutes before the scheduled start)"),
        default=30,
        help_text=_("A session cannot be started earlier than this before its scheduled start."),
    )
    end_not_before_start = models.BooleanField(
        _("no end before the scheduled start"),
        default=True,
        help_text=_("Refuse to end a session before its scheduled start time."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("session settings")
        verbose_name_plural = _("session settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(completion_percent__gte=1, completion_percent__lte=100),
                name="session_settings_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(checkin_code_minutes__gte=1), name="session_settings_code_minutes"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Session settings"))

    @classmethod
    def load(cls) -> SessionSettings:
        obj = cls.objects.order_by("pk").first()
        return obj if obj is not None else cls.objects.get_or_create(pk=1)[0]


class Notification(models.Model):
    """An in-app message; the same event is also mailed through a background task."""

    class Kind(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        WAITLISTED = "waitlisted", _("Waitlisted")
        PROMOTED = "promoted", _("Promoted from the waitlist")
        CHANGED = "changed", _("Session changed")
        CANCELLED = "cancelled", _("Session cancelled")
        REMINDER = "reminder", _("Reminder")
        RECORDING_ANSWER = "recording_answer", _("Your question on a recording was answered")
        H5P_APPROVED = "h5p_approved", _("Your H5P upload was approved")
        H5P_REJECTED = "h5p_rejected", _("Your H5P upload was rejected")
        SURVEY = "survey", _("Survey")
        FOLLOW_UP = "follow_up", _("Follow-up")

    recipient = models.ForeignKey(
        "hub.Employee",
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("session"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeedToken(models.Model):
    """The secret in an employee's personal calendar feed URL; regenerating revokes the old."""

    employee = models.OneToOneField(
        "hub.Employee",
        on_delete=models.CASCADE,
        related_name="calendar_token",
        verbose_name=_("employee"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=_new_token)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")

    def __str__(self) -> str:
        return f"{self.employee}"
