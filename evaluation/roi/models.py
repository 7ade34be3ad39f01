"""The inputs of return on training (Phillips ROI) that HQ and trainers type in.

- ``RoiSettings``: the hourly costs and the benefit horizon, effective-dated (a session uses
  the row in force on its day) and audited.
- ``MetricBenefitBasis``: per outcome metric, how many units one improvement affects and how
  often the benefit recurs (the value of one unit stays ``MetricDefinition.value_per_unit``).
- ``SessionCost``: the venue and materials costs of one session.

The figures themselves are computed (``evaluation.roi.selectors``), never stored.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.organisation.scoping import ScopedQuerySet

MAX_HORIZON_MONTHS = 60
NOT_NEGATIVE = [MinValueValidator(Decimal(0))]


class RoiSettings(models.Model):
    """The cost rates and the benefit horizon in force from ``effective_from`` until the next
    row's date. A session before the first row uses the first row."""

    effective_from = models.DateField(_("effective from"), unique=True, default=timezone.localdate)
    trainer_hourly_cost = models.DecimalField(
        _("trainer hourly cost (CNY)"),
        max_digits=10,
        decimal_places=2,
        validators=NOT_NEGATIVE,
        help_text=_("What one hour of a trainer's time costs the company, fully loaded."),
    )
    learner_hourly_cost = models.DecimalField(
        _("learner hourly wage cost (CNY)"),
        max_digits=10,
        decimal_places=2,
        validators=NOT_NEGATIVE,
        help_text=_("What one hour of a learner's time away from work costs."),
    )
    horizon_months = models.PositiveSmallIntegerField(
        _("benefit horizon (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HORIZON_MONTHS)],
        help_text=_("How many months an improvement is counted as a benefit."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("ROI settings")
        verbose_name_plural = _("ROI settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(trainer_hourly_cost__gte=0, learner_hourly_cost__gte=0),
                name="roi_settings_costs_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(horizon_months__gte=1, horizon_months__lte=MAX_HORIZON_MONTHS),
                name="roi_settings_horizon_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('ROI settings')} {self.effective_from:%Y-%m-%d}"


class MetricBenefitBasis(models.Model):
    """How an improvement of one outcome metric turns into money, besides its value per unit."""

    class Recurrence(models.TextChoices):
        MONTHLY = "monthly", _("Every month (monthly metric)")
        QUARTERLY = "quarterly", _("Every quarter (quarterly metric)")
        ONCE = "once", _("Once")

    metric = models.OneToOneField(
        "evaluation.MetricDefinition",
        on_delete=models.CASCADE,
        related_name="benefit_basis",
        verbose_name=_("metric"),
    )
    affected_volume = models.DecimalField(
        _("affected volume"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_(
            "How many units one improvement applies to (e.g. monthly transactions). Empty: "
            "the branch's headcount for a per-employee metric, its teams for a per-team "
            "metric, 1 for a per-branch metric."
        ),
    )
    volume_note = models.CharField(
        _("what the volume counts"), max_length=120, blank=True, help_text=_("e.g. transactions")
    )
    recurrence = models.CharField(
        _("benefit recurs"),
        max_length=10,
        choices=Recurrence.choices,
        default=Recurrence.MONTHLY,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("metric benefit basis")
        verbose_name_plural = _("metric benefit bases")
        constraints = [
            models.CheckConstraint(
                condition=Q(affected_volume__isnull=True) | Q(affected_volume__gt=0),
                name="metric_benefit_volume_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric_id}: {self.get_recurrence_display()}"


class SessionCost(models.Model):
    """The venue and materials costs of one session, typed by HQ admins or its trainers (the
    hours are derived from the session, see ``evaluation.roi.rules.session_cost``)."""

    session = models.OneToOneField(
        "hub.Session",
        on_delete=models.CASCADE,
        related_name="roi_cost",
        verbose_name=_("session"),
    )
    venue = models.DecimalField(
        _("venue (CNY)"), max_digits=12, decimal_places=2, default=0, validators=NOT_NEGATIVE
    )
    materials = models.DecimalField(
        _("materials (CNY)"), max_digits=12, decimal_places=2, default=0, validators=NOT_NEGATIVE
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("session cost")
        verbose_name_plural = _("session costs")
        constraints = [
            models.CheckConstraint(
                condition=Q(venue__gte=0, materials__gte=0),
                name="session_cost_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.venue} + {self.materials}"
