"""Manager follow-up pages: the list of open follow-ups addressed to me (grouped by session)
and the answer form of one. Only an addressed manager sees or answers one (403 otherwise; HQ
reads the figures in the reports, never answers for a manager)."""

from __future__ import annotations

from itertools import groupby

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from evaluation.followups import selectors, services
from evaluation.followups.models import COMMENT_MAX, RATING_HIGH, RATING_LOW, FollowUp
from hub.organisation.permissions import employee_for
from hub.web import form_add_service_errors


class FollowUpForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("Does this person apply what was taught?"),
        choices=[(v, str(v)) for v in range(RATING_LOW, RATING_HIGH + 1)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("1 = not at all, 5 = fully and regularly."),
        error_messages={"required": services.MSG_RATING, "invalid_choice": services.MSG_RATING},
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment (optional)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_MAX}),
        help_text=gettext_lazy("Shown to HQ and the trainer without the learner's name."),
    )


def _me(request: HttpRequest):
    me = employee_for(request.user)
    if me is None:
        raise PermissionDenied
    return me


@require_GET
@login_required
def followups(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    open_rows = list(selectors.followups_open_for(me))
    groups = [
        {"session": rows[0].session, "followups": rows}
        for rows in (list(g) for _key, g in groupby(open_rows, key=lambda f: f.session_id))
    ]
    return render(
        request,
        "evaluation/followups/list.html",
        {"groups": groups, "answered": selectors.followups_answered_by(me)[:20]},
    )


@login_required
def followup_answer(request: HttpRequest, followup_id: int) -> HttpResponse:
    followup = get_object_or_404(
        FollowUp.objects.select_related("session", "learner__branch", "answered_by"),
        pk=followup_id,
    )
    me = employee_for(request.user)
    if not services.is_addressed(followup=followup, employee=me):
        raise PermissionDenied(services.MSG_NOT_ADDRESSED)
    refusal = None
    if followup.answered:
        refusal = services.MSG_ALREADY_ANSWERED
    elif not followup.is_open():
        refusal = services.MSG_CLOSED
    form = FollowUpForm(request.POST or None)
    if refusal is None and request.method == "POST" and form.is_valid():
        try:
            services.followup_answer(
                followup=followup,
                manager=me,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except services.AlreadyAnswered:
            refusal = services.MSG_ALREADY_ANSWERED
        except ValidationError as exc:
            if getattr(exc, "code", None) == "closed":
                refusal = services.MSG_CLOSED
            else:
                form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you! Your answer was saved."))
            return redirect("evaluation:followups")
    return render(
        request,
        "evaluation/followups/answer.html",
        {"followup": followup, "form": form, "refusal": refusal},
        status=400 if form.errors else 200,
    )
