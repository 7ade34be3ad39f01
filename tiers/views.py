"""Nomination and mentoring pages. Thin: scoping from ``hub.organisation.permissions`` and the
selectors, rules in ``services``."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hub.organisation import permissions
from hub.organisation.models import Branch
from hub.web import flash_errors, flash_form_errors
from tiers import selectors, services
from tiers.forms import (
    DecisionForm,
    MentoringLogForm,
    MentorRatingForm,
    NominationForm,
    PairingForm,
    ProgrammeLimitForm,
)
from tiers.models import MentoringLog, MentorPairing, MentorProgrammeSettings, TrainerNomination
from tiers.rules import is_high_performer, nomination_rule_met


def _year(request: HttpRequest) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


# --- trainer nominations ----------------------------------------------------------------------


@login_required
def nomination_list(request: HttpRequest) -> HttpResponse:
    """Managers: this year's nominations against the rule. HQ: the pending queue, recent
    decisions and each branch's standing."""
    access = permissions.access_for(request.user)
    if not (access.is_hq or access.is_manager):
        raise PermissionDenied
    year = _year(request)
    panel = selectors.nomination_panel(user=request.user, year=year)
    context: dict = {"panel": panel, "year": year, "is_hq": access.is_hq}
    if access.is_hq:
        context["queue"] = list(selectors.nomination_queue())
        context["can_decide"] = permissions.is_hq_admin(request.user)
        context["branch_rows"] = _branch_standing(panel)
        context["page"] = Paginator(panel.nominations, 50).get_page(request.GET.get("page"))
        context["params"] = f"year={year}"
    return render(request, "tiers/nomination_list.html", context)


def _branch_standing(panel: selectors.NominationPanel) -> list[dict]:
    """Per branch: nominations and distinct high-performer nominees in the panel's year."""
    rows: dict[int, dict] = {}
    high: dict[int, set[int]] = defaultdict(set)
    for nomination in panel.nominations:
        row = rows.setdefault(nomination.branch_id, {"branch": nomination.branch, "nominations": 0})
        row["nominations"] += 1
        if is_high_performer(nomination.latest_grade):
            high[nomination.branch_id].add(nomination.nominee_id)
    result = []
    branches = Branch.objects.filter(is_hq=False).order_by("code")
    for branch in branches:
        row = rows.get(branch.pk, {"branch": branch, "nominations": 0})
        row["high_performers"] = len(high[branch.pk])
        row["rule_met"] = nomination_rule_met(row["high_performers"])
        result.append(row)
    return result


@login_required
def nomination_create(request: HttpRequest) -> HttpResponse:
    if not permissions.is_branch_manager(request.user):
        raise PermissionDenied
    candidates = selectors.nomination_candidates(user=request.user)
    form = NominationForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            nomination = services.nomination_create(
                nominee=form.cleaned_data["nominee"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("Nomination sent to HQ."))
            return redirect("tiers:nomination", pk=nomination.pk)
    year = timezone.localdate().year
    return render(
        request,
        "tiers/nomination_form.html",
        {"form": form, "panel": selectors.nomination_panel(user=request.user, year=year)},
    )


def _visible_nomination(request: HttpRequest, pk: int) -> TrainerNomination:
    qs = selectors.nominations_with_grades(TrainerNomination.objects.visible_to(request.user))
    nomination = qs.filter(pk=pk).first()
    if nomination is None:
        raise Http404
    return nomination


@login_required
def nomination_detail(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _visible_nomination(request, pk)
    can_decide = nomination.is_pending and permissions.is_hq_admin(request.user)
    return render(
        request,
        "tiers/nomination_detail.html",
        {
            "nomination": nomination,
            "can_decide": can_decide,
            "decision_form": DecisionForm() if can_decide else None,
        },
    )


@login_required
@require_POST
def nomination_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    if not permissions.is_hq_admin(request.user):
        raise PermissionDenied
    nomination = get_object_or_404(TrainerNomination, pk=pk)
    form = DecisionForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        if decision == "approve":
            services.nomination_approve(nomination=nomination, note=reason, actor=request.user)
            messages.success(request, _("Approved: the employee is now a trainer."))
        else:
            services.nomination_decline(nomination=nomination, reason=reason, actor=request.user)
            messages.success(request, _("Nomination declined."))
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("tiers:nomination", pk=pk)
    return redirect("tiers:nominations")


# --- mentor programme -----------------------------------------------------------------------


@login_required
def mentoring(request: HttpRequest) -> HttpResponse:
    """My mentees (as a mentor: log sessions) and my mentor (as a mentee: confirm, rate)."""
    access = permissions.access_for(request.user)
    today = timezone.localdate()
    pairings = selectors.mentor_pairings_for(employee_id=access.employee_id)
    for pairing in pairings["mentors"]:
        pairing.can_rate = selectors.rating_period_open(pairing=pairing, today=today)
    totals = selectors.mentor_year_totals(year=today.year, mentor_ids=[access.employee_id])
    return render(
        request,
        "tiers/mentoring.html",
        {
            "mentees": pairings["mentees"],
            "mentors": pairings["mentors"],
            "my_totals": totals[0] if totals else None,
            "log_form": MentoringLogForm(),
            "rating_form": MentorRatingForm(),
            "is_hq": access.is_hq,
        },
    )


def _own_pairing(request: HttpRequest, pk: int) -> MentorPairing:
    """A pairing the user is part of; anyone else gets a 404."""
    employee_id = permissions.access_for(request.user).employee_id
    pairing = (
        MentorPairing.objects.select_related("mentor", "mentee")
        .filter(Q(mentor_id=employee_id) | Q(mentee_id=employee_id), pk=pk)
        .first()
    )
    if employee_id is None or pairing is None:
        raise Http404
    return pairing


@login_required
@require_POST
def mentoring_log_create(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = _own_pairing(request, pk)
    form = MentoringLogForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("tiers:mentoring")
    try:
        services.mentoring_log_create(pairing=pairing, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Session logged; it counts once your mentee confirms it."))
    return redirect("tiers:mentoring")


@login_required
@require_POST
def mentoring_log_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    employee_id = permissions.access_for(request.user).employee_id
    log = (
        MentoringLog.objects.select_related("pairing")
        .filter(pk=pk, pairing__mentee_id=employee_id)
        .first()
    )
    if employee_id is None or log is None:
        raise Http404
    services.mentoring_log_confirm(log=log, actor=request.user)
    messages.success(request, _("Session confirmed."))
    return redirect("tiers:mentoring")


@login_required
@require_POST
def mentor_rate(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = _own_pairing(request, pk)
    form = MentorRatingForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("tiers:mentoring")
    try:
        services.mentor_rate(pairing=pairing, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Thank you for rating your mentor."))
    return redirect("tiers:mentoring")


@login_required
def pairing_list(request: HttpRequest) -> HttpResponse:
    """HQ: active pairings, the programme's limit, and each mentor's totals for a year."""
    if not permissions.is_hq(request.user):
        raise PermissionDenied
    can_pair = permissions.is_hq_admin(request.user)
    form = PairingForm(request.POST or None)
    if request.method == "POST":
        if not can_pair:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.mentor_pair(
                    mentor=form.cleaned_data["mentor"],
                    mentee=form.cleaned_data["mentee"],
                    actor=request.user,
                )
            except ValidationError as exc:
                flash_errors(request, exc)
            else:
                messages.success(request, _("Mentor paired."))
                return redirect("tiers:pairings")
    year = _year(request)
    programme = MentorProgrammeSettings.load()
    totals = Paginator(selectors.mentor_year_totals(year=year), 50).get_page(
        request.GET.get("totals_page")
    )
    pairings = Paginator(selectors.active_pairings(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "tiers/pairing_list.html",
        {
            "form": form,
            "can_pair": can_pair,
            "settings": programme,
            "limit_form": ProgrammeLimitForm(initial=ProgrammeLimitForm.initial_for(programme)),
            "pairings": pairings,
            "totals": totals,
            "year": year,
            "params": f"year={year}",
            "years": range(timezone.localdate().year, timezone.localdate().year - 3, -1),
        },
    )


@login_required
@require_POST
def pairing_end(request: HttpRequest, pk: int) -> HttpResponse:
    if not permissions.is_hq_admin(request.user):
        raise PermissionDenied
    pairing = get_object_or_404(MentorPairing, pk=pk)
    services.mentor_unpair(pairing=pairing, actor=request.user)
    messages.success(request, _("Pairing ended."))
    return redirect("tiers:pairings")


@login_required
@require_POST
def programme_update(request: HttpRequest) -> HttpResponse:
    if not permissions.is_hq_admin(request.user):
        raise PermissionDenied
    form = ProgrammeLimitForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("tiers:pairings")
    try:
        services.mentor_programme_update(actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Mentor programme rules saved."))
    return redirect("tiers:pairings")
