"""Survey pages: answering (phone-first, completers only, once), results (scoped; nothing
below 3 responses) with the QR code for in-person sessions, and a template with its formula."""

from __future__ import annotations

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from evaluation.surveys import dispatch, selectors, services
from evaluation.surveys.models import Survey, SurveySettings, SurveyTemplate
from evaluation.surveys.rules import MIN_RESPONSES
from hub.organisation.permissions import access_for, employee_for
from hub.sessions.models import Session
from hub.web import form_add_service_errors


def _raw_answers(request: HttpRequest, questions) -> dict:
    return {q.pk: request.POST.getlist(f"q{q.pk}") for q in questions}


def _refusal(request, survey, message: str, status: int) -> HttpResponse:
    return render(
        request,
        "evaluation/surveys/answer_refused.html",
        {"survey": survey, "message": message},
        status=status,
    )


@login_required
def survey_answer(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = get_object_or_404(Survey.objects.select_related("session", "template"), pk=survey_id)
    me = employee_for(request.user)
    if me is None:
        raise Http404
    if not services.is_completer(survey=survey, learner=me):
        return _refusal(request, survey, str(services.MSG_NOT_COMPLETER), 403)
    if services.has_answered(survey=survey, learner=me):
        return _refusal(request, survey, str(services.MSG_ALREADY_ANSWERED), 200)
    if not survey.is_open():
        return _refusal(request, survey, str(services.MSG_CLOSED), 200)
    questions = services.questions_of(survey.template)
    errors: dict = {}
    raw: dict = {}
    if request.method == "POST":
        raw = _raw_answers(request, questions)
        try:
            services.response_submit(survey=survey, learner=me, answers=raw)
        except services.AlreadyAnswered:
            return _refusal(request, survey, str(services.MSG_ALREADY_ANSWERED), 200)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
                messages.error(request, services.MSG_FIX_BELOW)
            else:
                return _refusal(request, survey, " ".join(exc.messages), 200)
        else:
            messages.success(request, _("Thank you! Your answers were saved."))
            return redirect("portal:learning")
    sections: list = []
    for q in questions:
        if not sections or sections[-1]["section"].pk != q.section_id:
            sections.append({"section": q.section, "questions": []})
        sections[-1]["questions"].append(
            {
                "q": q,
                "name": f"q{q.pk}",
                "errors": errors.get(f"q{q.pk}", []),
                "given": raw.get(q.pk, []),
                "scale": _scale(q),
                "options": list(enumerate(q.option_labels())),
            }
        )
    return render(
        request,
        "evaluation/surveys/answer.html",
        {"survey": survey, "sections": sections},
        status=400 if errors else 200,
    )


def _scale(question) -> list[str]:
    if question.kind == "rating_5":
        return [str(v) for v in range(1, 6)]
    if question.kind == "rating_10":
        return [str(v) for v in range(0, 11)]
    return []


def _visible_survey_or_404(request: HttpRequest, survey_id: int) -> Survey:
    return get_object_or_404(
        Survey.objects.visible_to(request.user).select_related("session", "template"),
        pk=survey_id,
    )


@login_required
def survey_results(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _visible_survey_or_404(request, survey_id)
    qr_svg = None
    if survey.session.mode == Session.Mode.IN_PERSON:
        qr_svg = segno.make(dispatch.survey_url(survey), error="m").svg_inline(scale=4)
    return render(
        request,
        "evaluation/surveys/results.html",
        {
            "survey": survey,
            "results": selectors.survey_results(survey),
            "minimum": MIN_RESPONSES,
            "qr_svg": qr_svg,
            "short_link": dispatch.survey_url(survey),
        },
    )


@login_required
def session_survey(request: HttpRequest, session_id: int) -> HttpResponse:
    """The short link under a session: a completer goes to the answer page, staff who may
    see the results to the results."""
    survey = get_object_or_404(Survey, session_id=session_id)
    if Survey.objects.visible_to(request.user).filter(pk=survey.pk).exists():
        return redirect("evaluation:survey_results", survey_id=survey.pk)
    return redirect("evaluation:survey_answer", survey_id=survey.pk)


@login_required
def survey_template(request: HttpRequest, template_id: int) -> HttpResponse:
    if not access_for(request.user).is_hq:
        raise PermissionDenied
    template = get_object_or_404(SurveyTemplate, pk=template_id)
    questions = services.questions_of(template)
    return render(
        request,
        "evaluation/surveys/template.html",
        {
            "template": template,
            "questions": questions,
            "weights": sum(q.weight for q in questions if q.in_satisfaction),
            "versions": SurveyTemplate.objects.filter(family=template.family).order_by("version"),
        },
    )


class SurveySettingsForm(forms.ModelForm):
    class Meta:
        model = SurveySettings
        fields = [
            "reminder_after_days",
            "close_after_days",
            "followup_after_days",
            "followup_reminder_after_days",
            "followup_close_after_days",
        ]


@login_required
def survey_settings(request: HttpRequest) -> HttpResponse:
    """HQ reads the survey timing; only an HQ admin saves it (audited)."""
    access = access_for(request.user)
    if not access.is_hq:
        raise PermissionDenied
    if request.method == "POST" and not access.is_hq_admin:
        raise PermissionDenied
    form = SurveySettingsForm(request.POST or None, instance=SurveySettings.load())
    if not access.is_hq_admin:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_settings_update(
                actor=request.user, **{f: form.cleaned_data[f] for f in form.Meta.fields}
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("evaluation:survey_settings")
    return render(
        request,
        "evaluation/surveys/settings.html",
        {"form": form, "can_edit": access.is_hq_admin, "default": services.default_template()},
    )
