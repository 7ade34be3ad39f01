"""Outcome metrics: what is measured (``MetricDefinition``), the measured values per scope and
period (``MetricValue``), the uploaded files they came from (``MetricImportBatch``) and the
metric a training need should move (``NeedMetric``).

A value belongs to exactly one scope, the metric's level: a branch, a team or an employee.
Computed metrics (3-month new-hire retention, training coverage) are selectors
(``evaluation.metrics.selectors``), not stored values.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.organisation.scoping import ScopedQuerySet
from hub.storage import private_storage


class MetricDefinition(models.Model):
    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    class Level(models.TextChoices):
        BRANCH = "branch", _("Branch")
        TEAM = "team", _("Team")
        EMPLOYEE = "employee", _("Employee")

    class Source(models.TextChoices):
        IMPORTED = "imported", _("Imported")
        COMPUTED = "computed", _("Computed")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    unit = models.CharField(_("unit"), max_length=16, blank=True, help_text=_("e.g. %"))
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.HIGHER
    )
    level = models.CharField(_("level"), max_length=8, choices=Level.choices, default=Level.BRANCH)
    source = models.CharField(
        _("source"), max_length=8, choices=Source.choices, default=Source.IMPORTED
    )
    # Phillips ROI (later): the money one unit of improvement is worth, typed in by HQ.
    value_per_unit = models.DecimalField(
        _("value per unit (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("outcome metric")
        verbose_name_plural = _("outcome metrics")

    def __str__(self) -> str:
        return self.name_zh

    @property
    def higher_is_better(self) -> bool:
        return self.direction == self.Direction.HIGHER


class MetricImportBatch(models.Model):
    """One uploaded file of metric values: dry run first, applied all-or-nothing on request.

    The metric import's twin of the HR ``ImportBatch`` record (same readers, cells and error
    report); ``sha256`` tells an admin that the same file was applied before.
    """

    class Status(models.TextChoices):
        VALID = "valid", _("Ready to apply")
        INVALID = "invalid", _("Has errors")
        APPLIED = "applied", _("Applied")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    file = models.FileField(_("file"), upload_to="metric-imports/%Y/%m/", storage=private_storage)
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("metric import")
        verbose_name_plural = _("metric imports")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"


class MetricValue(models.Model):
    """One measured value of a metric for one scope (branch, team or employee) and period."""

    class Source(models.TextChoices):
        IMPORTED = "imported", _("Imported")
        EDITED = "edited", _("Edited by HQ")
        SEEDED = "seeded", _("Demo data")

    metric = models.ForeignKey(
        MetricDefinition, on_delete=models.CASCADE, related_name="values", verbose_name=_("metric")
    )
    branch = models.ForeignKey(
        "hub.Branch",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="metric_values",
        verbose_name=_("branch"),
    )
    team = models.ForeignKey(
        "hub.Team",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="metric_values",
        verbose_name=_("team"),
    )
    employee = models.ForeignKey(
        "hub.Employee",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="metric_values",
        verbose_name=_("employee"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    source = models.CharField(
        _("source"), max_length=8, choices=Source.choices, default=Source.IMPORTED
    )
    batch = models.ForeignKey(
        MetricImportBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="values",
        verbose_name=_("import"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["metric__code", "period_start", "pk"]
        verbose_name = _("metric value")
        verbose_name_plural = _("metric values")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(branch__isnull=False, team__isnull=True, employee__isnull=True)
                    | Q(branch__isnull=True, team__isnull=False, employee__isnull=True)
                    | Q(branch__isnull=True, team__isnull=True, employee__isnull=False)
                ),
                name="metric_value_one_scope",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="metric_value_period_ordered",
            ),
            models.UniqueConstraint(
                fields=["metric", "branch", "period_start", "period_end"],
                condition=Q(branch__isnull=False),
                name="metric_value_unique_branch",
            ),
            models.UniqueConstraint(
                fields=["metric", "team", "period_start", "period_end"],
                condition=Q(team__isnull=False),
                name="metric_value_unique_team",
            ),
            models.UniqueConstraint(
                fields=["metric", "employee", "period_start", "period_end"],
                condition=Q(employee__isnull=False),
                name="metric_value_unique_employee",
            ),
        ]
        indexes = [models.Index(fields=["metric", "period_start"])]

    def __str__(self) -> str:
        return f"{self.metric_id} {self.period_start}-{self.period_end}: {self.value}"

    @property
    def scope(self):
        return self.branch or self.team or self.employee


class NeedMetric(models.Model):
    """The outcome metric a training need should move; its sessions' lift is measured on it at
    the need's branch. (``TrainingNeed.metric_name`` stays the manager's free-text label.)"""

    need = models.OneToOneField(
        "hub.TrainingNeed",
        on_delete=models.CASCADE,
        related_name="outcome_metric",
        verbose_name=_("need"),
    )
    metric = models.ForeignKey(
        MetricDefinition, on_delete=models.PROTECT, related_name="needs", verbose_name=_("metric")
    )

    class Meta:
        verbose_name = _("need's outcome metric")
        verbose_name_plural = _("needs' outcome metrics")

    def __str__(self) -> str:
        return f"{self.need_id} → {self.metric_id}"


class SessionLift(models.Model):
    """The lift of one ended session as ``selectors.lift_for`` computed it (the default
    windows), stored so that reports read hundreds of sessions in one query.

    Written only by ``services.refresh_session_lifts``, which recomputes it through the one
    rule; ``computed_at`` is the figure's as-of time. The figures are stored as the exact text
    of their ``Decimal`` ("" = None), so a snapshot reads back equal to the live figure on
    SQLite and PostgreSQL alike (a decimal column would round a mean such as 20.333…).
    """

    session = models.OneToOneField(
        "hub.Session",
        on_delete=models.CASCADE,
        related_name="lift_snapshot",
        verbose_name=_("session"),
    )
    metric = models.ForeignKey(
        MetricDefinition,
        on_delete=models.CASCADE,
        related_name="session_lifts",
        verbose_name=_("metric"),
    )
    branch = models.ForeignKey(
        "hub.Branch", on_delete=models.CASCADE, related_name="+", verbose_name=_("branch")
    )
    day = models.DateField(_("session day"))
    window_days = models.PositiveSmallIntegerField(_("window (days)"))
    before = models.CharField(_("before"), max_length=64, blank=True)
    after = models.CharField(_("after"), max_length=64, blank=True)
    lift = models.CharField(_("lift"), max_length=64, blank=True)
    comparison_lift = models.CharField(_("comparison lift"), max_length=64, blank=True)
    net_lift = models.CharField(_("net lift"), max_length=64, blank=True)
    comparison_units = models.PositiveIntegerField(_("comparison branches"), default=0)
    small_sample = models.BooleanField(_("small sample"), default=True)
    reason = models.CharField(_("reason"), max_length=16, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["session_id"]
        verbose_name = _("session lift")
        verbose_name_plural = _("session lifts")
        indexes = [models.Index(fields=["metric", "day"])]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.lift or '—'}"
