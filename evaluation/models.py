"""Online assignments: a trainer attaches an assignment to a session, enrolled learners submit
(every submit is a new version; the latest is current), the trainer grades the latest version.

Files live in ``hub.storage.private_storage`` and are only reachable through the
permission-checked download view, never under /media/.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.organisation.scoping import ScopedQuerySet
from hub.storage import private_storage

MAX_SCORE_LIMIT = 1000
MSG_MAX_BELOW_GRADES = _("Grades above %(max)s were already given; the maximum cannot go below.")


class Assignment(models.Model):
    session = models.ForeignKey(
        "hub.Session",
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("session"),
    )
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"))
    due_at = models.DateTimeField(_("due at"))
    max_score = models.PositiveSmallIntegerField(
        _("maximum score"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SCORE_LIMIT)],
    )
    allow_late = models.BooleanField(
        _("accept late submissions"),
        default=False,
        help_text=_("After the due date, submissions are accepted and flagged as late."),
    )
    created_by = models.ForeignKey(
        "hub.Employee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments_created",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["session", "title"], name="assignment_title_once"),
            models.CheckConstraint(
                condition=Q(max_score__gte=1) & Q(max_score__lte=MAX_SCORE_LIMIT),
                name="assignment_max_score_range",
            ),
        ]
        indexes = [models.Index(fields=["due_at"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        """The maximum score cannot drop below a score already given (checked here so every
        path that validates the assignment, the service and the Django admin, enforces it)."""
        super().clean()
        if (
            self.pk is not None
            and self.max_score is not None
            and self.grades.filter(score__gt=self.max_score).exists()
        ):
            raise ValidationError(
                {
                    "max_score": ValidationError(
                        MSG_MAX_BELOW_GRADES,
                        code="max_below_grades",
                        params={"max": self.max_score},
                    )
                }
            )

    def is_open(self, now=None) -> bool:
        """True until the due date (inclusive)."""
        return (now or timezone.now()) <= self.due_at

    def accepts_submissions(self, now=None) -> bool:
        return self.allow_late or self.is_open(now)


def submission_upload_to(instance: Submission, filename: str) -> str:
    # The stored name never carries the user's file name (kept in original_filename).
    return f"submissions/{timezone.now():%Y/%m}/{filename}"


class Submission(models.Model):
    """One version of a learner's work; a resubmission adds a row and becomes current."""

    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.CASCADE,
        related_name="submissions",
        verbose_name=_("assignment"),
    )
    learner = models.ForeignKey(
        "hub.Employee",
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("learner"),
    )
    version = models.PositiveIntegerField(_("version"))
    is_current = models.BooleanField(_("latest version"), default=True)
    text = models.TextField(_("text"), blank=True)
    file = models.FileField(
        _("file"), upload_to=submission_upload_to, storage=private_storage, blank=True
    )
    original_filename = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    is_late = models.BooleanField(_("late"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["assignment_id", "learner_id", "-version"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "learner", "version"], name="submission_version_once"
            ),
            models.UniqueConstraint(
                fields=["assignment", "learner"],
                condition=Q(is_current=True),
                name="submission_one_current",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="submission_version_positive"),
            models.CheckConstraint(
                condition=~Q(text="") | ~Q(file=""), name="submission_has_content"
            ),
        ]
        indexes = [models.Index(fields=["learner", "is_current"])]

    def __str__(self) -> str:
        return f"{self.learner} · {self.assignment} v{self.version}"


class Grade(models.Model):
    """The trainer's score and feedback for one learner's work on one assignment; it records
    which version was graded (always the latest at grading time)."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="grades", verbose_name=_("assignment")
    )
    learner = models.ForeignKey(
        "hub.Employee",
        on_delete=models.PROTECT,
        related_name="assignment_grades",
        verbose_name=_("learner"),
    )
    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="grades",
        verbose_name=_("graded version"),
    )
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(0))],
    )
    feedback = models.TextField(_("feedback"), blank=True)
    graded_by = models.ForeignKey(
        "hub.Employee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="grades_given",
        verbose_name=_("graded by"),
    )
    graded_at = models.DateTimeField(_("graded at"), default=timezone.now)

    class Meta:
        ordering = ["-graded_at", "-pk"]
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "learner"], name="grade_once"),
            models.CheckConstraint(condition=Q(score__gte=0), name="grade_score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.learner} · {self.assignment}: {self.score}"


# Surveys, outcome metrics and manager follow-ups (L3) live in their own subpackages; imported
# here so Django registers them with this app.
from evaluation.followups.models import FollowUp  # noqa: E402, F401

# Outcome metrics live in their own subpackage; Django finds models through this module.
from evaluation.metrics.models import (  # noqa: E402, F401
    MetricDefinition,
    MetricImportBatch,
    MetricValue,
    NeedMetric,
    SessionLift,
)
from evaluation.roi.models import (  # noqa: E402, F401
    MetricBenefitBasis,
    RoiSettings,
    SessionCost,
)
from evaluation.surveys.models import (  # noqa: E402, F401
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyReceipt,
    SurveyResponse,
    SurveySection,
    SurveySettings,
    SurveyTemplate,
    SurveyTemplateChoice,
)
