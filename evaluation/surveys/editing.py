"""HQ's survey template editing: new templates, questions and sections, the default, and the
template a course or a session uses instead of the default.

Only HQ admins write (the training lead reads). Editing a version a survey already uses first
copies it (``services.template_revise``): existing responses never see a question change.
Every write is audited (``survey.template``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluation.surveys.models import (
    Survey,
    SurveyQuestion,
    SurveySection,
    SurveySettings,
    SurveyTemplate,
    SurveyTemplateChoice,
)
from evaluation.surveys.services import _require_hq_admin, default_template, template_revise
from hub.organisation.models import AuditEvent
from hub.organisation.services import audit_record
from hub.sessions.models import Session

MSG_NO_QUESTION = gettext_lazy("A template needs at least one question.")
MSG_NO_SATISFACTION = gettext_lazy(
    "At least one rating question must count in the satisfaction score."
)
MSG_OPTIONS = gettext_lazy("A choice question needs at least two options, one per line.")
MSG_NOT_RATING = gettext_lazy("Only rating questions can count in the satisfaction score.")
MSG_WEIGHT = gettext_lazy("The weight must be greater than 0 (at most 999.99).")
MSG_TEXT = gettext_lazy("Write the question in Chinese.")
MSG_OPTION_LIMITS = gettext_lazy("At most 20 options, each at most 200 characters.")
MSG_NAME_TAKEN = gettext_lazy("A survey template with this name exists already.")
MAX_OPTIONS = 20
MAX_OPTION_LENGTH = 200
MSG_SURVEY_EXISTS = gettext_lazy(
    "This session's survey has already been sent: its template can no longer change."
)
MSG_SESSION_ENDED = gettext_lazy("The session has ended: its survey template can no longer change.")
CHOICE_KINDS = (SurveyQuestion.Kind.SINGLE, SurveyQuestion.Kind.MULTIPLE)
MAX_WEIGHT = Decimal("999.99")


@dataclass
class QuestionDraft:
    """One question row as HQ typed it; ``section_zh`` / ``section_en`` name its section
    (consecutive rows with the same titles share one)."""

    kind: str
    text_zh: str
    text_en: str = ""
    required: bool = True
    options: list[dict] = field(default_factory=list)
    in_satisfaction: bool = False
    weight: Decimal = Decimal(1)
    section_zh: str = ""
    section_en: str = ""


def parse_options(text: str) -> list[dict]:
    """Options typed one per line as ``中文 | English`` (the English part optional)."""
    options = []
    for line in (text or "").splitlines():
        zh, _sep, en = line.partition("|")
        if zh.strip() or en.strip():
            options.append({"zh": zh.strip() or en.strip(), "en": en.strip()})
    return options


def options_text(options: list[dict]) -> str:
    return "\n".join(
        f"{o.get('zh', '')} | {o['en']}" if o.get("en") else o.get("zh", "") for o in options
    )


def validate_questions(drafts: list[QuestionDraft]) -> None:
    """Every rule a template's questions must meet, as one ValidationError listing row
    numbers (1-based) so the page can say which row is wrong."""
    errors = []
    if not drafts:
        raise ValidationError(MSG_NO_QUESTION)
    for number, draft in enumerate(drafts, start=1):
        if not draft.text_zh.strip():
            errors.append(_("Row %(row)s: %(error)s") % {"row": number, "error": MSG_TEXT})
        if draft.kind in CHOICE_KINDS and len(draft.options) < 2:
            errors.append(_("Row %(row)s: %(error)s") % {"row": number, "error": MSG_OPTIONS})
        if len(draft.options) > MAX_OPTIONS or any(
            len(o.get("zh", "")) > MAX_OPTION_LENGTH or len(o.get("en", "")) > MAX_OPTION_LENGTH
            for o in draft.options
        ):
            errors.append(_("Row %(row)s: %(error)s") % {"row": number, "error": MSG_OPTION_LIMITS})
        if draft.in_satisfaction and draft.kind not in SurveyQuestion.RATINGS:
            errors.append(_("Row %(row)s: %(error)s") % {"row": number, "error": MSG_NOT_RATING})
        if draft.in_satisfaction and not (Decimal(0) < draft.weight <= MAX_WEIGHT):
            errors.append(_("Row %(row)s: %(error)s") % {"row": number, "error": MSG_WEIGHT})
    if not any(d.in_satisfaction for d in drafts):
        errors.append(str(MSG_NO_SATISFACTION))
    if errors:
        raise ValidationError(errors)


def _summary(template: SurveyTemplate, verb: str) -> str:
    return f"{verb}: {template.name} v{template.version}"


def template_create(*, actor, name: str, anonymous: bool = True, **descriptions) -> SurveyTemplate:
    """A new template family (version 1, no question yet: the editor adds them). A name that
    a current template already has is refused, so a double-clicked "Create" makes one."""
    _require_hq_admin(actor)
    with transaction.atomic():
        # Serialise creations on the survey settings' single row, so two parallel posts
        # cannot both pass the name check.
        SurveySettings.objects.select_for_update().get(pk=SurveySettings.load().pk)
        if SurveyTemplate.objects.filter(is_current=True, name=name.strip()).exists():
            raise ValidationError(MSG_NAME_TAKEN)
        template = SurveyTemplate.objects.create(
            name=name.strip(),
            anonymous=anonymous,
            description_zh=descriptions.get("description_zh", ""),
            description_en=descriptions.get("description_en", ""),
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.SURVEY_TEMPLATE_CHANGED,
            summary=_summary(template, "created"),
            data={"template": template.pk, "family": str(template.family)},
        )
    return template


def template_save(
    *,
    template: SurveyTemplate,
    actor,
    name: str,
    anonymous: bool,
    description_zh: str = "",
    description_en: str = "",
    questions: list[QuestionDraft],
) -> SurveyTemplate:
    """Save HQ's edit of ``template``: its fields and its whole list of questions, all or
    nothing. A version in use is copied first (the copy is returned and becomes current);
    an unused draft is rewritten in place. Refused (nothing stored) when a rule fails."""
    _require_hq_admin(actor)
    validate_questions(questions)
    with transaction.atomic():
        target = template_revise(template=template, actor=actor)
        target = SurveyTemplate.objects.select_for_update().get(pk=target.pk)
        if target.is_frozen():  # a survey started using it between the two steps
            target = template_revise(template=target, actor=actor)
        before = [
            (q.kind, q.text_zh, q.in_satisfaction, str(q.weight))
            for q in SurveyQuestion.objects.filter(section__template=target)
        ]
        target.name = name.strip()
        target.anonymous = anonymous
        target.description_zh = description_zh
        target.description_en = description_en
        target.save()
        target.sections.all().delete()  # an unused version: no answer points at its questions
        section, key, rows = None, None, []
        for position, draft in enumerate(questions):
            if section is None or key != (draft.section_zh, draft.section_en):
                key = (draft.section_zh, draft.section_en)
                section = SurveySection.objects.create(
                    template=target,
                    position=position,
                    title_zh=draft.section_zh,
                    title_en=draft.section_en,
                )
            rows.append(
                SurveyQuestion(
                    section=section,
                    position=position,
                    kind=draft.kind,
                    text_zh=draft.text_zh.strip(),
                    text_en=draft.text_en.strip(),
                    required=draft.required,
                    options=draft.options if draft.kind in CHOICE_KINDS else [],
                    in_satisfaction=draft.in_satisfaction,
                    weight=draft.weight if draft.in_satisfaction else Decimal(1),
                )
            )
        SurveyQuestion.objects.bulk_create(rows)
        after = [(q.kind, q.text_zh, q.in_satisfaction, str(q.weight)) for q in rows]
        audit_record(
            actor=actor,
            action=AuditEvent.Action.SURVEY_TEMPLATE_CHANGED,
            summary=_summary(target, "edited"),
            data={
                "template": target.pk,
                "version": target.version,
                "copied_from": template.pk if target.pk != template.pk else None,
                "questions_before": before,
                "questions_after": after,
            },
        )
    return target


def template_make_default(*, template: SurveyTemplate, actor) -> SurveyTemplate:
    """Make ``template``'s family the default (its current version; one default at a time).
    A template without a satisfaction question cannot be the default."""
    _require_hq_admin(actor)
    with transaction.atomic():
        current = SurveyTemplate.objects.select_for_update().get(
            family=template.family, is_current=True
        )
        if not SurveyQuestion.objects.filter(
            section__template=current, in_satisfaction=True
        ).exists():
            raise ValidationError(MSG_NO_SATISFACTION)
        # Like ``template_revise``: only the current version of one family carries the flag.
        SurveyTemplate.objects.filter(is_default=True).update(is_default=False)
        SurveyTemplate.objects.filter(pk=current.pk).update(is_default=True)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.SURVEY_TEMPLATE_CHANGED,
            summary=_summary(current, "made default"),
            data={"template": current.pk},
        )
    current.refresh_from_db()
    return current


# --- which template a course or a session uses ----------------------------------------------


def _usable(template: SurveyTemplate) -> SurveyTemplate:
    current = SurveyTemplate.objects.get(family=template.family, is_current=True)
    if not SurveyQuestion.objects.filter(section__template=current, in_satisfaction=True).exists():
        raise ValidationError(MSG_NO_SATISFACTION)
    return current


def template_choose(*, actor, template: SurveyTemplate, course=None, session=None):
    """Use ``template``'s family for ``course`` or ``session`` (exactly one) from now on; a
    session whose survey exists already, or that has ended, keeps its template."""
    _require_hq_admin(actor)
    if (course is None) == (session is None):
        raise ValueError("choose for a course or a session")
    with transaction.atomic():
        current = _usable(template)
        if session is not None:
            Session.objects.select_for_update().filter(pk=session.pk).get()
            if Survey.objects.filter(session=session).exists():
                raise ValidationError(MSG_SURVEY_EXISTS)
            if session.status in (Session.Status.ENDED, Session.Status.CANCELLED):
                raise ValidationError(MSG_SESSION_ENDED)
            target = {"session": session}
        else:
            target = {"course": course}
        choice, _created = SurveyTemplateChoice.objects.update_or_create(
            **target, defaults={"family": current.family, "chosen_by": actor}
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.SURVEY_TEMPLATE_CHANGED,
            summary=f"chosen for {session or course}: {current.name}",
            data={
                "template": current.pk,
                "session": getattr(session, "pk", None),
                "course": getattr(course, "pk", None),
            },
        )
    return choice


def template_unchoose(*, actor, choice: SurveyTemplateChoice) -> None:
    """Back to the default template for that course or session."""
    _require_hq_admin(actor)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditEvent.Action.SURVEY_TEMPLATE_CHANGED,
            summary=f"choice removed for {choice}",
            data={"session": choice.session_id, "course": choice.course_id},
        )
        choice.delete()


def template_for_session(session: Session) -> SurveyTemplate | None:
    """The template a session's survey uses: the session's own choice, else its course's,
    else the default (each the current version of its family). Two queries at most."""
    where = Q(session=session)
    if session.course_id:
        where |= Q(course_id=session.course_id)
    choices = {
        ("session" if c.session_id else "course"): c.family
        for c in SurveyTemplateChoice.objects.filter(where)
    }
    family = choices.get("session") or choices.get("course")
    if family is not None:
        chosen = SurveyTemplate.objects.filter(family=family, is_current=True).first()
        if chosen is not None:
            return chosen
    return default_template()
