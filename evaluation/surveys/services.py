"""Writes of surveys: template versions, HQ's survey settings, and a learner's answers
(once-only). Dispatch, reminders and closing are in ``evaluation.surveys.dispatch``."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluation.surveys import rules
from evaluation.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyReceipt,
    SurveyResponse,
    SurveySettings,
    SurveyTemplate,
)
from hub.organisation.models import AuditEvent, Employee
from hub.organisation.permissions import access_for
from hub.organisation.services import audit_record
from hub.sessions.models import Enrolment

MSG_NOT_ALLOWED = _("You are not allowed to do this.")
MSG_NOT_COMPLETER = _(
    "Only learners who completed this session can answer its survey. If you think your "
    "attendance is wrong, ask the trainer to correct it."
)
MSG_ALREADY_ANSWERED = _("You have already answered this survey. Thank you!")
MSG_CLOSED = _("This survey is closed.")
MSG_REQUIRED = _("Please answer this question.")
MSG_RATING_RANGE = _("Choose a rating from %(low)s to %(high)s.")
MSG_BAD_CHOICE = _("Choose one of the options shown.")
MSG_TOO_LONG = _("Please keep it under %(max)s characters.")
MSG_FIX_BELOW = _("Some answers need your attention; nothing was saved.")
TEXT_MAX = 2000


class AlreadyAnswered(Exception):
    """The learner has a receipt for this survey: nothing was written."""


# --- templates -----------------------------------------------------------------------------


def _require_hq_admin(actor) -> None:
    if not access_for(actor).is_hq_admin:
        raise PermissionDenied(MSG_NOT_ALLOWED)


def template_revise(*, template: SurveyTemplate, actor) -> SurveyTemplate:
    """The version of ``template``'s family that HQ may edit: the template itself while no
    survey uses it, else a copy (sections and questions) as version n + 1, which becomes the
    current version. Responses never see a question change under them."""
    _require_hq_admin(actor)
    with transaction.atomic():
        locked = SurveyTemplate.objects.select_for_update().get(pk=template.pk)
        if not locked.is_frozen():
            return locked
        latest = SurveyTemplate.objects.filter(family=locked.family).order_by("-version").first()
        if latest.pk != locked.pk and not latest.is_frozen():
            return latest  # an unused newer version is already the draft
        sections = list(locked.sections.prefetch_related("questions"))
        SurveyTemplate.objects.filter(family=locked.family).update(is_current=False)
        copy = SurveyTemplate.objects.create(
            family=locked.family,
            version=latest.version + 1,
            name=locked.name,
            description_zh=locked.description_zh,
            description_en=locked.description_en,
            anonymous=locked.anonymous,
            is_default=locked.is_default,
            is_current=True,
        )
        for section in sections:
            questions = list(section.questions.all())
            section.pk = None
            section.template = copy
            section.save()
            for question in questions:
                question.pk = None
                question.section = section
            SurveyQuestion.objects.bulk_create(questions)
        if locked.is_default:
            SurveyTemplate.objects.filter(family=locked.family).exclude(pk=copy.pk).update(
                is_default=False
            )
    return copy


def default_template() -> SurveyTemplate | None:
    return SurveyTemplate.objects.filter(is_default=True, is_current=True).order_by("pk").first()


# --- settings ------------------------------------------------------------------------------


def survey_settings_update(*, actor, **values) -> SurveySettings:
    """An HQ admin changes the reminder and closing delays. Writes the settings and, when a
    value changed, one ``session.rules`` audit event (summary prefixed "survey") with the old
    and new values."""
    _require_hq_admin(actor)
    with transaction.atomic():
        settings = SurveySettings.load()
        before = {name: getattr(settings, name) for name in values}
        for name, value in values.items():
            setattr(settings, name, value)
        settings.full_clean()
        settings.save()
        changed = {n: [before[n], v] for n, v in values.items() if before[n] != v}
        if changed:
            audit_record(
                actor=actor,
                action=AuditEvent.Action.SESSION_RULES_CHANGED,
                summary="survey: "
                + ", ".join(f"{n}: {old} → {new}" for n, (old, new) in changed.items()),
                data={"survey": changed},
            )
    return settings


# --- answering -----------------------------------------------------------------------------


def is_completer(*, survey: Survey, learner: Employee) -> bool:
    return (
        Enrolment.objects.completed().filter(session_id=survey.session_id, learner=learner).exists()
    )


def has_answered(*, survey: Survey, learner: Employee) -> bool:
    return SurveyReceipt.objects.filter(survey=survey, learner=learner).exists()


@dataclass
class CleanAnswer:
    question: SurveyQuestion
    rating: int | None = None
    choices: list[int] | None = None
    text: str = ""

    @property
    def empty(self) -> bool:
        return self.rating is None and not self.choices and not self.text


def _clean_one(question: SurveyQuestion, raw) -> CleanAnswer:
    values = [str(v).strip() for v in (raw if isinstance(raw, list | tuple) else [raw]) if v]
    values = [v for v in values if v]
    answer = CleanAnswer(question=question)
    if question.is_rating:
        if values:
            low, high = rules.RATING_RANGES[question.kind]
            try:
                rating = int(values[0])
            except ValueError:
                rating = None
            if rating is None or not low <= rating <= high:
                raise ValidationError(MSG_RATING_RANGE, params={"low": low, "high": high})
            answer.rating = rating
    elif question.kind in (SurveyQuestion.Kind.SINGLE, SurveyQuestion.Kind.MULTIPLE):
        count = len(question.options or [])
        try:
            picked = sorted({int(v) for v in values})
        except ValueError:
            raise ValidationError(MSG_BAD_CHOICE) from None
        if any(not 0 <= p < count for p in picked) or (
            question.kind == SurveyQuestion.Kind.SINGLE and len(picked) > 1
        ):
            raise ValidationError(MSG_BAD_CHOICE)
        answer.choices = picked
    else:
        text = values[0] if values else ""
        if len(text) > TEXT_MAX:
            raise ValidationError(MSG_TOO_LONG, params={"max": TEXT_MAX})
        answer.text = text
    if question.required and answer.empty:
        raise ValidationError(MSG_REQUIRED)
    return answer


def questions_of(template: SurveyTemplate) -> list[SurveyQuestion]:
    return list(
        SurveyQuestion.objects.filter(section__template=template)
        .select_related("section")
        .order_by("section__position", "section_id", "position", "pk")
    )


def clean_answers(questions: list[SurveyQuestion], raw: dict) -> list[CleanAnswer]:
    """Validate raw answers (question id → a string or a list of strings). Raises one
    ValidationError whose dict maps ``q<id>`` to that question's message."""
    errors: dict[str, list] = {}
    cleaned = []
    for question in questions:
        try:
            cleaned.append(_clean_one(question, raw.get(question.pk)))
        except ValidationError as error:
            errors[f"q{question.pk}"] = error.error_list
    if errors:
        raise ValidationError(errors)
    return cleaned


def _day_start(moment):
    local = timezone.localtime(moment)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def response_submit(
    *, survey: Survey, learner: Employee, answers: dict, now=None
) -> SurveyResponse:
    """A completer answers ``survey`` once. Refuses non-completers (PermissionDenied), a closed
    survey and invalid answers (ValidationError, nothing stored); a second submit (even a
    parallel one) raises AlreadyAnswered and writes nothing. Writes, in one transaction, the
    receipt (unique per survey and learner), the response (no learner when the template is
    anonymous) with its satisfaction score, and the answers."""
    now = now or timezone.now()
    if not is_completer(survey=survey, learner=learner):
        raise PermissionDenied(MSG_NOT_COMPLETER)
    if has_answered(survey=survey, learner=learner):
        raise AlreadyAnswered
    if not survey.is_open(now):
        raise ValidationError(MSG_CLOSED, code="closed")
    template = survey.template
    cleaned = clean_answers(questions_of(template), answers)
    score = rules.satisfaction_score(
        (a.question.kind, a.rating, a.question.weight)
        for a in cleaned
        if a.question.in_satisfaction
    )
    try:
        with transaction.atomic():
            SurveyReceipt.objects.create(survey=survey, learner=learner)
            response = SurveyResponse.objects.create(
                survey=survey,
                learner=None if template.anonymous else learner,
                satisfaction=score,
                submitted_at=_day_start(now) if template.anonymous else now,
            )
            SurveyAnswer.objects.bulk_create(
                SurveyAnswer(
                    response=response,
                    question=a.question,
                    rating=a.rating,
                    choices=a.choices or [],
                    text=a.text,
                )
                for a in cleaned
                if not a.empty
            )
    except IntegrityError:
        raise AlreadyAnswered from None
    return response
