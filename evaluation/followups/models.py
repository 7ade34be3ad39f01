"""One follow-up per (session, learner): the question to the learner's branch manager(s)
"does this person apply what was taught?" (1-5, optional comment), asked N days after the
session ended (``SurveySettings.followup_after_days``).

One row per learner, addressed to every manager of the learner's branch at dispatch
(``managers``): any one of them answers, once, and the answer is final. A row with no
``sent_at`` records a completer whose branch had nobody else to ask (the learner is their
branch's only manager, or it has none): counted in the results as "no manager", never sent.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.organisation.scoping import ScopedQuerySet

RATING_LOW, RATING_HIGH = 1, 5
COMMENT_MAX = 1000


class FollowUp(models.Model):
    session = models.ForeignKey(
        "hub.Session", on_delete=models.CASCADE, related_name="followups", verbose_name=_("session")
    )
    learner = models.ForeignKey(
        "hub.Employee",
        on_delete=models.CASCADE,
        related_name="followups_about",
        verbose_name=_("learner"),
    )
    managers = models.ManyToManyField(
        "hub.Employee",
        blank=True,
        related_name="followups_to_answer",
        verbose_name=_("addressed managers"),
    )
    # None: nobody could be asked (see the module docstring); such a row is never open.
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"))
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("applies what was taught"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=COMMENT_MAX, blank=True)
    answered_by = models.ForeignKey(
        "hub.Employee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followups_answered",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["session_id", "pk"]
        verbose_name = _("manager follow-up")
        verbose_name_plural = _("manager follow-ups")
        constraints = [
            models.UniqueConstraint(fields=["session", "learner"], name="followup_once"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True)
                | Q(rating__gte=RATING_LOW, rating__lte=RATING_HIGH),
                name="followup_rating_range",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True, answered_at__isnull=True)
                | Q(rating__isnull=False, answered_at__isnull=False, sent_at__isnull=False),
                name="followup_answer_complete",
            ),
        ]
        indexes = [models.Index(fields=["closes_at"])]

    def __str__(self) -> str:
        return f"{self.session} · {self.learner}"

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    def is_open(self, now=None) -> bool:
        """Waiting for an answer: sent, not answered, not closed, before its closing time."""
        now = now or timezone.now()
        return (
            self.sent_at is not None
            and self.answered_at is None
            and self.closed_at is None
            and now < self.closes_at
        )
