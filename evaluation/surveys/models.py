"""Survey templates (versioned), per-session surveys, responses, answers and receipts.

A template that has a survey or a response is *frozen*: editing it creates a new version in
the same ``family`` (``services.template_revise``), so existing responses keep pointing at the
questions they answered. An anonymous template's responses carry no learner; a
``SurveyReceipt`` records *that* a learner answered (once-only and reminders), not *what*.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from hub.organisation.scoping import ScopedQuerySet

MSG_REMINDER_WINDOW = _(
    "The reminder must come at least 1 day after the invitation and before the survey closes "
    "(after %(close)s days)."
)
MSG_FOLLOWUP_REMINDER_WINDOW = _(
    "The follow-up reminder must come at least 1 day after the follow-up is sent and before it "
    "closes (after %(close)s days)."
)
MSG_FOLLOWUP_AFTER = _("Ask the managers at least 1 day after the session.")


def _bilingual(zh: str, en: str) -> str:
    lang = get_language() or "zh-hans"
    return (en or zh) if lang.startswith("en") else (zh or en)


class SurveyTemplate(models.Model):
    family = models.UUIDField(_("family"), default=uuid.uuid4, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    anonymous = models.BooleanField(
        _("anonymous"),
        default=True,
        help_text=_("Responses store no link to the learner; results need at least 3 responses."),
    )
    is_default = models.BooleanField(_("default template"), default=False)
    is_current = models.BooleanField(
        _("current version"), default=True, help_text=_("The version new surveys use.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("survey template")
        verbose_name_plural = _("survey templates")
        constraints = [
            models.UniqueConstraint(fields=["family", "version"], name="survey_template_version"),
            models.UniqueConstraint(
                fields=["family"],
                condition=Q(is_current=True),
                name="survey_template_one_current",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="survey_template_version_1"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def description(self) -> str:
        return _bilingual(self.description_zh, self.description_en)

    def is_frozen(self) -> bool:
        """In use: a survey or a response points at this version, so it is never edited."""
        return self.surveys.exists()


class SurveySection(models.Model):
    template = models.ForeignKey(
        SurveyTemplate,
        on_delete=models.CASCADE,
        related_name="sections",
        verbose_name=_("template"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["template_id", "position", "pk"]
        verbose_name = _("survey section")
        verbose_name_plural = _("survey sections")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _bilingual(self.title_zh, self.title_en)


class SurveyQuestion(models.Model):
    class Kind(models.TextChoices):
        RATING_5 = "rating_5", _("Rating 1-5")
        RATING_10 = "rating_10", _("Rating 0-10 (NPS)")
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TEXT = "text", _("Free text")

    RATINGS = (Kind.RATING_5, Kind.RATING_10)

    section = models.ForeignKey(
        SurveySection, on_delete=models.CASCADE, related_name="questions", verbose_name=_("section")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text_zh = models.CharField(_("question (Chinese)"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=True)
    options = models.JSONField(
        _("options"),
        default=list,
        blank=True,
        help_text=_('For choices: a list of {"zh": ..., "en": ...}.'),
    )
    in_satisfaction = models.BooleanField(_("counts in satisfaction"), default=False)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, default=Decimal(1))

    class Meta:
        ordering = ["section__position", "position", "pk"]
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="survey_question_weight"),
            models.CheckConstraint(
                condition=Q(in_satisfaction=False) | Q(kind__in=["rating_5", "rating_10"]),
                name="survey_question_satisfaction_rating",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return _bilingual(self.text_zh, self.text_en)

    @property
    def is_rating(self) -> bool:
        return self.kind in self.RATINGS

    def option_labels(self) -> list[str]:
        return [_bilingual(o.get("zh", ""), o.get("en", "")) for o in self.options or []]


class SurveyTemplateChoice(models.Model):
    """A course's or a session's own survey template (else the default is used). It names a
    template *family*: the survey of a session takes that family's current version when the
    session ends, so a revision reaches every later session without choosing again."""

    course = models.OneToOneField(
        "library.CoursePage",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_template_choice",
        verbose_name=_("course"),
    )
    session = models.OneToOneField(
        "hub.Session",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_template_choice",
        verbose_name=_("session"),
    )
    family = models.UUIDField(_("template family"))
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chosen by"),
    )
    chosen_at = models.DateTimeField(_("chosen at"), default=timezone.now)

    class Meta:
        verbose_name = _("survey template choice")
        verbose_name_plural = _("survey template choices")
        constraints = [
            models.CheckConstraint(
                condition=(Q(course__isnull=False) & Q(session__isnull=True))
                | (Q(course__isnull=True) & Q(session__isnull=False)),
                name="survey_template_choice_one_target",
            ),
        ]

    def __str__(self) -> str:
        return str(self.session or self.course)


class Survey(models.Model):
    """The survey of one session, on one template version."""

    session = models.OneToOneField(
        "hub.Session", on_delete=models.CASCADE, related_name="survey", verbose_name=_("session")
    )
    template = models.ForeignKey(
        SurveyTemplate, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("template")
    )
    opens_at = models.DateTimeField(_("opens at"), default=timezone.now)
    closes_at = models.DateTimeField(_("closes at"))
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        indexes = [models.Index(fields=["closes_at"])]

    def __str__(self) -> str:
        return f"{self.template.name} · {self.session}"

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.closed_at is None and self.opens_at <= now < self.closes_at


class SurveyResponse(models.Model):
    """One learner's answers. Anonymous: no learner, a random id and only the day of
    submission, so neither a column nor the order of rows ties it to a receipt."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses", verbose_name=_("survey")
    )
    # NULL when the template is anonymous: nothing in the response links it to the learner.
    learner = models.ForeignKey(
        "hub.Employee",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="survey_responses",
        verbose_name=_("learner"),
    )
    satisfaction = models.DecimalField(
        _("satisfaction"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["survey_id", "pk"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "learner"],
                condition=Q(learner__isnull=False),
                name="survey_response_once",
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=0, satisfaction__lte=100),
                name="survey_response_satisfaction_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} #{self.pk}"


class SurveyAnswer(models.Model):
    # Random ids: sequential ones would reveal the order in which anonymous responses came.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(
        SurveyResponse, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    question = models.ForeignKey(
        SurveyQuestion, on_delete=models.PROTECT, related_name="answers", verbose_name=_("question")
    )
    rating = models.SmallIntegerField(_("rating"), null=True, blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["response_id", "pk"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_answer_once"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=0, rating__lte=10),
                name="survey_answer_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.rating if self.rating is not None else self.text}"


class SurveyReceipt(models.Model):
    """That ``learner`` answered ``survey`` (never what): once-only and reminders."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="receipts", verbose_name=_("survey")
    )
    learner = models.ForeignKey(
        "hub.Employee",
        on_delete=models.CASCADE,
        related_name="survey_receipts",
        verbose_name=_("learner"),
    )
    # Only the day: a timestamp next to an anonymous response's submitted_at would link them.
    answered_on = models.DateField(_("answered on"), default=timezone.localdate)

    class Meta:
        ordering = ["survey_id", "pk"]
        verbose_name = _("survey receipt")
        verbose_name_plural = _("survey receipts")
        constraints = [
            models.UniqueConstraint(fields=["survey", "learner"], name="survey_receipt_once"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.learner}"


class SurveyInvitation(models.Model):
    """``learner`` (a completer) was sent ``survey``: dispatch is once per learner."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("survey")
    )
    learner = models.ForeignKey(
        "hub.Employee",
        on_delete=models.CASCADE,
        related_name="survey_invitations",
        verbose_name=_("learner"),
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["survey_id", "pk"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(fields=["survey", "learner"], name="survey_invitation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.learner}"


class SurveySettings(models.Model):
    """HQ-configurable survey timing: one row (``SurveySettings.load()``)."""

    reminder_after_days = models.PositiveSmallIntegerField(
        _("reminder after (days)"),
        default=2,
        help_text=_("Learners who have not answered are reminded once, this many days after."),
    )
    close_after_days = models.PositiveSmallIntegerField(
        _("close after (days)"),
        default=7,
        help_text=_("A survey stops accepting answers this many days after the session ends."),
    )
    # Manager follow-up (evaluation.followups): asked N days after the session ended.
    followup_after_days = models.PositiveSmallIntegerField(
        _("manager follow-up after (days)"),
        default=30,
        help_text=_(
            "Each completer's branch manager is asked whether they apply what was taught, this "
            "many days after the session ended."
        ),
    )
    followup_reminder_after_days = models.PositiveSmallIntegerField(
        _("follow-up reminder after (days)"),
        default=7,
        help_text=_("Managers who have not answered are reminded once, this many days after."),
    )
    followup_close_after_days = models.PositiveSmallIntegerField(
        _("follow-up closes after (days)"),
        default=21,
        help_text=_("A follow-up stops accepting an answer this many days after it was sent."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("survey settings")
        verbose_name_plural = _("survey settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(close_after_days__gte=1), name="survey_settings_close_days"
            ),
            models.CheckConstraint(
                condition=Q(followup_after_days__gte=1, followup_close_after_days__gte=1),
                name="survey_settings_followup_days",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Survey settings"))

    def clean(self) -> None:
        """Each reminder must fall while its survey or follow-up is open: at least a day after
        the invitation and before closing (else it would never reach anyone)."""
        errors = {}
        if self.reminder_after_days < 1 or self.reminder_after_days >= self.close_after_days:
            errors["reminder_after_days"] = ValidationError(
                MSG_REMINDER_WINDOW, params={"close": self.close_after_days}
            )
        if self.followup_after_days < 1:
            errors["followup_after_days"] = ValidationError(MSG_FOLLOWUP_AFTER)
        if (
            self.followup_reminder_after_days < 1
            or self.followup_reminder_after_days >= self.followup_close_after_days
        ):
            errors["followup_reminder_after_days"] = ValidationError(
                MSG_FOLLOWUP_REMINDER_WINDOW, params={"close": self.followup_close_after_days}
            )
        if errors:
            raise ValidationError(errors)

    @classmethod
    def load(cls) -> SurveySettings:
        obj = cls.objects.order_by("pk").first()
        return obj if obj is not None else cls.objects.get_or_create(pk=1)[0]
