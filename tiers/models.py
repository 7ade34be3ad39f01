"""Trainer nominations by branch managers and the mentor programme (导师制).

Certification tiers, points and contribution come in later issues; the nomination is how a
branch employee enters the trainer pool, and the mentor programme is HQ-paired coaching with
logged, mentee-confirmed hours and periodic mentee ratings.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseGenericSetting

from hub.organisation.scoping import ScopedQuerySet


class TrainerNomination(models.Model):
    """A branch manager puts an employee of their branch forward as a trainer candidate."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    nominee = models.ForeignKey(
        "hub.Employee",
        on_delete=models.CASCADE,
        related_name="trainer_nominations",
        verbose_name=_("nominee"),
    )
    # The nominee's branch when nominated: the manager's accountability stays with that branch.
    branch = models.ForeignKey(
        "hub.Branch",
        on_delete=models.CASCADE,
        related_name="trainer_nominations",
        verbose_name=_("branch"),
    )
    nominated_by = models.ForeignKey(
        "hub.Employee",
        on_delete=models.CASCADE,
        related_name="nominations_made",
        verbose_name=_("nominated by"),
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_reason = models.TextField(_("decision reason"), blank=True)
    created_at = models.DateTimeField(_("nominated at"), default=timezone.now, db_index=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("trainer nomination")
        verbose_name_plural = _("trainer nominations")
        constraints = [
            models.UniqueConstraint(
                fields=["nominee"],
                condition=Q(status="pending"),
                name="tiers_nomination_one_pending_per_nominee",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decision_reason=""),
                name="tiers_nomination_decline_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="tiers_nomination_decided_at_iff_decided",
            ),
        ]
        indexes = [models.Index(fields=["branch", "created_at"])]

    def __str__(self) -> str:
        return f"{self.nominee} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def decided_by_name(self) -> str:
        """The decider's name, or their username for an account without an employee record."""
        user = self.decided_by
        if user is None:
            return ""
        employee = getattr(user, "employee", None)
        return employee.name if employee is not None else user.get_username()


class MentorProgrammeSettings(BaseGenericSetting):
    """HQ's mentor programme rules (defaults from the brief). Not registered as a Wagtail
    setting: Wagtail's edit view would write them without an audit event; HQ admins change
    them on the pairings page through ``services.mentor_programme_update``."""

    mentee_limit = models.PositiveSmallIntegerField(
        _("mentees per mentor"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("How many active mentees one mentor may have at a time."),
    )
    outstanding_min_hours = models.DecimalField(
        _("Outstanding Mentor: confirmed hours a year"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(40),
    )
    outstanding_min_rating = models.DecimalField(
        _("Outstanding Mentor: mean mentee rating"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(90),
    )
    outstanding_min_mentees = models.PositiveSmallIntegerField(
        _("Outstanding Mentor: fewest mentees in the year"), default=2
    )
    outstanding_max_mentees = models.PositiveSmallIntegerField(
        _("Outstanding Mentor: most mentees in the year"), default=3
    )

    class Meta:
        verbose_name = _("mentor programme")


class MentorPairingQuerySet(ScopedQuerySet):
    def active(self) -> MentorPairingQuerySet:
        return self.filter(ended_on__isnull=True)

    def in_year(self, year: int) -> MentorPairingQuerySet:
        """Pairings that ran on at least one day of ``year``."""
        return self.filter(started_on__lte=dt.date(year, 12, 31)).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=dt.date(year, 1, 1))
        )


class MentorPairing(models.Model):
    """HQ pairs a mentor with a mentee; ended pairings stay for the yearly totals."""

    mentor = models.ForeignKey(
        "hub.Employee",
        on_delete=models.CASCADE,
        related_name="mentee_pairings",
        verbose_name=_("mentor"),
    )
    mentee = models.ForeignKey(
        "hub.Employee",
        on_delete=models.CASCADE,
        related_name="mentor_pairings",
        verbose_name=_("mentee"),
    )
    started_on = models.DateField(_("started on"), default=timezone.localdate)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("paired by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = MentorPairingQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("mentor pairing")
        verbose_name_plural = _("mentor pairings")
        constraints = [
            models.UniqueConstraint(
                fields=["mentee"],
                condition=Q(ended_on__isnull=True),
                name="tiers_pairing_one_active_mentor",
            ),
            models.CheckConstraint(
                condition=~Q(mentor=models.F("mentee")), name="tiers_pairing_not_self"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="tiers_pairing_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor.name} → {self.mentee.name}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class MentoringLog(models.Model):
    """One mentoring session logged by the mentor; it counts once the mentee confirms it."""

    pairing = models.ForeignKey(
        MentorPairing, on_delete=models.CASCADE, related_name="logs", verbose_name=_("pairing")
    )
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(24))],
    )
    topic = models.CharField(_("topic"), max_length=200)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("logged at"), default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("mentoring session")
        verbose_name_plural = _("mentoring sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24), name="tiers_log_hours_in_a_day"
            )
        ]
        indexes = [models.Index(fields=["pairing", "date"])]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.hours} h: {self.topic}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class MentorRating(models.Model):
    """The mentee's rating of the mentor for one period (a calendar quarter by default)."""

    pairing = models.ForeignKey(
        MentorPairing, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("pairing")
    )
    period_start = models.DateField(_("period start"))
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("rated at"), default=timezone.now)

    class Meta:
        ordering = ["-period_start", "-id"]
        verbose_name = _("mentor rating")
        verbose_name_plural = _("mentor ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["pairing", "period_start"], name="tiers_rating_once_per_period"
            ),
            models.CheckConstraint(condition=Q(score__lte=100), name="tiers_rating_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.pairing} {self.period_start:%Y-%m}: {self.score}"
