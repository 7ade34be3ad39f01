"""The training needs pool (培训需求池) and training plans.

A branch manager submits a need with the metric it should move; a trainer claims it, links a
course and sessions, delivers, and the manager (or HQ) evaluates it with the metric's after
value. Plans group needs and sessions for a period, HQ-wide or for one branch.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.organisation.models import PositionCategory
from hub.organisation.scoping import ScopedQuerySet


class TrainingNeed(models.Model):
    class Urgency(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLAIMED = "claimed", _("Claimed")
        IN_DELIVERY = "in_delivery", _("In delivery")
        DELIVERED = "delivered", _("Delivered")
        EVALUATED = "evaluated", _("Evaluated")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    branch = models.ForeignKey(
        "hub.Branch",
        on_delete=models.PROTECT,
        related_name="training_needs",
        verbose_name=_("branch"),
    )
    submitted_by = models.ForeignKey(
        "hub.Employee",
        on_delete=models.PROTECT,
        related_name="needs_submitted",
        verbose_name=_("submitted by"),
    )
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem"))
    audience = models.CharField(
        _("target audience"), max_length=16, choices=PositionCategory.choices
    )
    metric_name = models.CharField(_("metric"), max_length=100)
    metric_before = models.DecimalField(_("current value"), max_digits=12, decimal_places=2)
    metric_target = models.DecimalField(_("target value"), max_digits=12, decimal_places=2)
    metric_after = models.DecimalField(
        _("value after training"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=16, blank=True, help_text=_("e.g. %"))
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    urgency = models.CharField(
        _("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    claimed_by = models.ForeignKey(
        "hub.Employee",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="needs_claimed",
        verbose_name=_("claimed by"),
    )
    course = models.ForeignKey(
        "library.CoursePage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_needs",
        verbose_name=_("course"),
    )
    sessions = models.ManyToManyField(
        "hub.Session", blank=True, related_name="training_needs", verbose_name=_("sessions")
    )
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("training need")
        verbose_name_plural = _("training needs")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "withdrawn"]) | Q(claimed_by__isnull=False),
                name="need_claimed_has_trainer",
            ),
            models.CheckConstraint(
                condition=~Q(status="evaluated") | Q(metric_after__isnull=False),
                name="need_evaluated_has_after",
            ),
        ]
        indexes = [models.Index(fields=["branch", "status"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def target_lift(self) -> Decimal | None:
        return metric_lift(self.metric_before, self.metric_target, self.higher_is_better)

    @property
    def lift(self) -> Decimal | None:
        """The measured improvement as a fraction (0.25 = 25 % better), once evaluated."""
        return metric_lift(self.metric_before, self.metric_after, self.higher_is_better)

    @property
    def before_display(self) -> str:
        return plain_number(self.metric_before)

    @property
    def target_display(self) -> str:
        return plain_number(self.metric_target)

    @property
    def after_display(self) -> str:
        return plain_number(self.metric_after)

    @property
    def lift_percent(self) -> Decimal | None:
        """The lift in percent, one decimal (e.g. 36.4), for display."""
        return _percent(self.lift)

    @property
    def target_lift_percent(self) -> Decimal | None:
        return _percent(self.target_lift)

    @property
    def target_reached(self) -> bool | None:
        if self.metric_after is None:
            return None
        if self.higher_is_better:
            return self.metric_after >= self.metric_target
        return self.metric_after <= self.metric_target


def metric_lift(
    before: Decimal | None, after: Decimal | None, higher_is_better: bool
) -> Decimal | None:
    """(after - before) / before, sign-inverted when lower is better; None without a base.

    Positive means better: a complaint rate falling from 8 to 6 is a lift of +0.25.
    """
    if before is None or after is None or before == 0:
        return None
    change = (Decimal(after) - Decimal(before)) / abs(Decimal(before))
    return change if higher_is_better else -change


def plain_number(value: Decimal | None) -> str:
    """A metric value without trailing zeros: 22.00 → "22", 2.10 → "2.1", 100 → "100"."""
    if value is None:
        return ""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _percent(fraction: Decimal | None) -> Decimal | None:
    if fraction is None:
        return None
    return (fraction * 100).quantize(Decimal("0.1"))


class NeedEvent(models.Model):
    """One status change of a need: the history shown on its page (append-only)."""

    need = models.ForeignKey(
        TrainingNeed, on_delete=models.CASCADE, related_name="events", verbose_name=_("need")
    )
    from_status = models.CharField(
        _("from"), max_length=16, choices=TrainingNeed.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=16, choices=TrainingNeed.Status.choices)
    actor = models.ForeignKey(
        "hub.Employee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("need event")
        verbose_name_plural = _("need events")

    def __str__(self) -> str:
        return f"{self.need_id}: {self.from_status or '∅'} → {self.to_status}"


class TrainingPlan(models.Model):
    class Scope(models.TextChoices):
        HQ = "hq", _("HQ-wide")
        BRANCH = "branch", _("Branch")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    title = models.CharField(_("title"), max_length=200)
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices)
    # The branch a branch plan belongs to; None for HQ-wide plans.
    branch = models.ForeignKey(
        "hub.Branch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_plans",
        verbose_name=_("branch"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    objectives = models.TextField(_("objectives"), blank=True)
    # Position category values; empty means every category.
    target_categories = models.JSONField(_("target position categories"), default=list, blank=True)
    # Empty means the plan's branch (branch plans) or every branch (HQ-wide plans).
    target_branches = models.ManyToManyField(
        "hub.Branch", blank=True, related_name="+", verbose_name=_("target branches")
    )
    targeted_learners = models.PositiveIntegerField(
        _("learners targeted"),
        null=True,
        blank=True,
        help_text=_("Leave empty to count current staff in the target branches and categories."),
    )
    needs = models.ManyToManyField(
        TrainingNeed, blank=True, related_name="plans", verbose_name=_("needs")
    )
    sessions = models.ManyToManyField(
        "hub.Session", blank=True, related_name="training_plans", verbose_name=_("sessions")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        "hub.Employee",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    approved_by = models.ForeignKey(
        "hub.Employee",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "pk"]
        verbose_name = _("training plan")
        verbose_name_plural = _("training plans")
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope="hq") & Q(branch__isnull=True))
                | (Q(scope="branch") & Q(branch__isnull=False)),
                name="plan_branch_only_for_branch_scope",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="plan_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(approved_at__isnull=False),
                name="plan_approved_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def target_category_labels(self) -> list[str]:
        labels = dict(PositionCategory.choices)
        return [str(labels.get(value, value)) for value in self.target_categories]
