"""HQ's survey template pages: the list (with the default and where other templates are
used), a new template, the question editor, and choosing a template for a course or a
session. HQ reads; HQ admins write (``editing`` services check it again)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from evaluation.surveys import editing
from evaluation.surveys.models import (
    Survey,
    SurveyQuestion,
    SurveyTemplate,
    SurveyTemplateChoice,
)
from hub.organisation.permissions import access_for
from hub.sessions.models import Session
from hub.web import flash_errors, form_add_service_errors
from library.models import CoursePage

UPCOMING_LISTED = 200


class TemplateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    anonymous = forms.BooleanField(
        label=gettext_lazy("Anonymous (recommended)"), required=False, initial=True
    )
    description_zh = forms.CharField(
        label=gettext_lazy("Description (Chinese)"), required=False, widget=forms.Textarea
    )
    description_en = forms.CharField(
        label=gettext_lazy("Description (English)"), required=False, widget=forms.Textarea
    )


class QuestionForm(forms.Form):
    section_zh = forms.CharField(label=gettext_lazy("Section (Chinese)"), required=False)
    section_en = forms.CharField(label=gettext_lazy("Section (English)"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=SurveyQuestion.Kind.choices)
    text_zh = forms.CharField(label=gettext_lazy("Question (Chinese)"), max_length=300)
    text_en = forms.CharField(
        label=gettext_lazy("Question (English)"), max_length=300, required=False
    )
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False, initial=True)
    options = forms.CharField(
        label=gettext_lazy("Options (one per line: 中文 | English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    in_satisfaction = forms.BooleanField(
        label=gettext_lazy("Counts in satisfaction"), required=False
    )
    weight = forms.DecimalField(
        label=gettext_lazy("Weight"), max_digits=5, decimal_places=2, initial=1, min_value=0
    )


QuestionFormSet = forms.formset_factory(
    QuestionForm, extra=2, can_delete=True, can_order=True, max_num=60, validate_max=True
)


def _hq(request) -> bool:
    """HQ may read these pages; returns whether the user may also write."""
    access = access_for(request.user)
    if not access.is_hq:
        raise PermissionDenied
    return access.is_hq_admin


def _initial(template: SurveyTemplate) -> list[dict]:
    questions = SurveyQuestion.objects.filter(section__template=template).select_related("section")
    return [
        {
            "section_zh": q.section.title_zh,
            "section_en": q.section.title_en,
            "kind": q.kind,
            "text_zh": q.text_zh,
            "text_en": q.text_en,
            "required": q.required,
            "options": editing.options_text(q.options),
            "in_satisfaction": q.in_satisfaction,
            "weight": q.weight,
        }
        for q in questions
    ]


def _drafts(formset) -> list[editing.QuestionDraft]:
    return [
        editing.QuestionDraft(
            kind=form.cleaned_data["kind"],
            text_zh=form.cleaned_data["text_zh"],
            text_en=form.cleaned_data["text_en"],
            required=form.cleaned_data["required"],
            options=editing.parse_options(form.cleaned_data["options"]),
            in_satisfaction=form.cleaned_data["in_satisfaction"],
            weight=form.cleaned_data["weight"],
            section_zh=form.cleaned_data["section_zh"].strip(),
            section_en=form.cleaned_data["section_en"].strip(),
        )
        for form in formset.ordered_forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


@login_required
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    can_edit = _hq(request)
    templates = (
        SurveyTemplate.objects.filter(is_current=True)
        .annotate(
            in_use=Exists(Survey.objects.filter(template__family=OuterRef("family"))),
            questions=Count("sections__questions"),
        )
        .order_by("-is_default", "name")
    )
    choices = SurveyTemplateChoice.objects.select_related("session", "course").order_by(
        "-chosen_at"
    )
    names = {t.family: t for t in templates}
    upcoming = (
        Session.objects.filter(
            status__in=[Session.Status.SCHEDULED, Session.Status.LIVE],
            ends_at__gte=timezone.now(),
        )
        .exclude(Exists(Survey.objects.filter(session=OuterRef("pk"))))
        .order_by("starts_at")[:UPCOMING_LISTED]
    )
    return render(
        request,
        "evaluation/surveys/template_list.html",
        {
            "templates": templates,
            "choices": [(c, names.get(c.family)) for c in choices],
            "can_edit": can_edit,
            "new_form": TemplateForm(),
            "courses": CoursePage.objects.live().order_by("title"),
            "upcoming": upcoming,
        },
    )


@login_required
@require_POST
def template_new(request: HttpRequest) -> HttpResponse:
    if not _hq(request):
        raise PermissionDenied
    form = TemplateForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("evaluation:survey_templates")
    try:
        template = editing.template_create(actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("evaluation:survey_templates")
    return redirect("evaluation:survey_template_edit", template_id=template.pk)


@login_required
def template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    if not _hq(request):
        raise PermissionDenied
    template = get_object_or_404(SurveyTemplate, pk=template_id)
    if request.method == "POST":
        form = TemplateForm(request.POST)
        formset = QuestionFormSet(request.POST, prefix="q")
        if form.is_valid() and formset.is_valid():
            try:
                saved = editing.template_save(
                    template=template,
                    actor=request.user,
                    questions=_drafts(formset),
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                if saved.pk != template.pk:
                    messages.info(
                        request,
                        _(
                            "The template was in use: your changes were saved as version "
                            "%(version)s; existing responses keep the questions they answered."
                        )
                        % {"version": saved.version},
                    )
                else:
                    messages.success(request, _("The template was saved."))
                return redirect("evaluation:survey_template", template_id=saved.pk)
        status = 400
    else:
        form = TemplateForm(
            initial={
                "name": template.name,
                "anonymous": template.anonymous,
                "description_zh": template.description_zh,
                "description_en": template.description_en,
            }
        )
        formset = QuestionFormSet(initial=_initial(template), prefix="q")
        status = 200
    return render(
        request,
        "evaluation/surveys/template_edit.html",
        {
            "template": template,
            "form": form,
            "formset": formset,
            "frozen": template.is_frozen(),
            "current": template.is_current,
        },
        status=status,
    )


@login_required
@require_POST
def template_default(request: HttpRequest, template_id: int) -> HttpResponse:
    if not _hq(request):
        raise PermissionDenied
    template = get_object_or_404(SurveyTemplate, pk=template_id)
    try:
        current = editing.template_make_default(template=template, actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("%(name)s is now the default survey.") % {"name": current.name})
    return redirect("evaluation:survey_templates")


@login_required
@require_POST
def template_choose(request: HttpRequest) -> HttpResponse:
    """Use a template for a course (``course``) or an upcoming session (``session``)."""
    if not _hq(request):
        raise PermissionDenied
    template = get_object_or_404(
        SurveyTemplate, pk=_int(request.POST.get("template")), is_current=True
    )
    course = session = None
    if request.POST.get("session"):
        session = get_object_or_404(Session, pk=_int(request.POST["session"]))
    elif request.POST.get("course"):
        course = get_object_or_404(CoursePage, pk=_int(request.POST["course"]))
    else:
        messages.error(request, _("Choose a course or a session."))
        return redirect("evaluation:survey_templates")
    try:
        editing.template_choose(
            actor=request.user, template=template, course=course, session=session
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("The survey template was chosen."))
    return redirect("evaluation:survey_templates")


@login_required
@require_POST
def template_unchoose(request: HttpRequest, choice_id: int) -> HttpResponse:
    if not _hq(request):
        raise PermissionDenied
    choice = get_object_or_404(SurveyTemplateChoice, pk=choice_id)
    editing.template_unchoose(actor=request.user, choice=choice)
    messages.success(request, _("Back to the default survey template."))
    return redirect("evaluation:survey_templates")


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
