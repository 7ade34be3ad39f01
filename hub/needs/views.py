"""Pages of the needs pool, training plans, the manager's "My branch" and the HQ overview.

Thin: scoping and reads come from ``selectors``, every change from ``services`` (which check
the actor's role again); a refused step shows its message, a forbidden one is a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hub.needs import selectors, services
from hub.needs.forms import (
    CourseLinkForm,
    EvaluateForm,
    NeedFilterForm,
    NeedForm,
    NoteForm,
    PlanForm,
    PlanLinkForm,
    SessionLinkForm,
)
from hub.needs.models import TrainingNeed, TrainingPlan
from hub.organisation import scoping
from hub.organisation.models import Branch, Role
from hub.organisation.permissions import access_for, is_hq_admin, visible_branches
from hub.sessions.models import Session
from hub.web import flash_errors, form_add_service_errors, query_without

Status = TrainingNeed.Status


def _posted_pk(request: HttpRequest, name: str) -> int:
    """The integer id posted as ``name``; a missing or malformed one is a 404, not a 500."""
    value = request.POST.get(name, "")
    if not (value.isascii() and value.isdigit()):
        raise Http404
    return int(value)


# --- needs ---------------------------------------------------------------------------------


@login_required
def need_list(request: HttpRequest) -> HttpResponse:
    if not selectors.can_use_needs(user=request.user):
        raise PermissionDenied
    branches = list(visible_branches(request.user).order_by("code"))
    form = NeedFilterForm(request.GET or None, branches=branches)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    needs = selectors.need_list(
        user=request.user,
        status=filters.get("status", ""),
        branch_code=filters.get("branch", ""),
        urgency=filters.get("urgency", ""),
        mine=bool(filters.get("mine")),
    )
    page = Paginator(needs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "hub/needs/need_list.html",
        {
            "form": form,
            "page": page,
            "params": query_without(request),
            "can_submit": access_for(request.user).is_manager,
        },
    )


@login_required
def need_create(request: HttpRequest) -> HttpResponse:
    branches = list(selectors.managed_branches(user=request.user))
    if not branches:
        raise PermissionDenied
    form = NeedForm(
        request.POST or None, branches=Branch.objects.filter(pk__in=[b.pk for b in branches])
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            need = services.need_submit(actor=request.user, **data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Need submitted to the pool."))
            return redirect("needs:need", pk=need.pk)
    return render(request, "hub/needs/need_form.html", {"form": form})


@login_required
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not selectors.can_use_needs(user=request.user):
        raise PermissionDenied
    need = selectors.need_detail(user=request.user, pk=pk)
    if need is None:
        raise Http404
    access = access_for(request.user)
    claimer_or_hq = access.is_hq_admin or need.claimed_by_id == access.employee_id
    submitter_or_hq = access.is_hq_admin or need.submitted_by_id == access.employee_id
    context = {
        "need": need,
        "can_claim": need.status == Status.OPEN and Role.TRAINER in access.roles,
        "can_withdraw": need.status == Status.OPEN and submitter_or_hq,
        "can_link": need.status in {Status.CLAIMED, Status.IN_DELIVERY} and claimer_or_hq,
        "can_start": need.status == Status.CLAIMED and claimer_or_hq,
        "can_deliver": need.status == Status.IN_DELIVERY and claimer_or_hq,
        "can_evaluate": need.status == Status.DELIVERED and submitter_or_hq,
    }
    if context["can_link"]:
        context["course_form"] = CourseLinkForm(initial={"course": need.course_id})
        context["session_form"] = SessionLinkForm(
            sessions=selectors.sessions_linkable(user=request.user, need=need)
        )
    if context["can_evaluate"]:
        context["evaluate_form"] = EvaluateForm()
    return render(request, "hub/needs/need_detail.html", context)


@login_required
@require_POST
def need_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if not selectors.can_use_needs(user=request.user):
        raise PermissionDenied
    need = selectors.need_detail(user=request.user, pk=pk)
    if need is None:
        raise Http404
    back = redirect("needs:need", pk=need.pk)
    note_form = NoteForm(request.POST)
    note = note_form.cleaned_data["note"] if note_form.is_valid() else ""
    try:
        if action == "claim":
            services.need_claim(need=need, actor=request.user)
            messages.success(request, _("You claimed this need."))
        elif action == "withdraw":
            services.need_withdraw(need=need, actor=request.user, note=note)
            messages.success(request, _("Need withdrawn."))
        elif action == "course":
            form = CourseLinkForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose a course."))
                return back
            services.need_link_course(
                need=need, actor=request.user, course=form.cleaned_data["course"]
            )
            messages.success(request, _("Course saved."))
        elif action in {"link_session", "unlink_session"}:
            session = get_object_or_404(Session, pk=_posted_pk(request, "session"))
            services.need_link_session(
                need=need, actor=request.user, session=session, unlink=action == "unlink_session"
            )
            messages.success(request, _("Sessions updated."))
        elif action == "start":
            services.need_start_delivery(need=need, actor=request.user, note=note)
            messages.success(request, _("Delivery started."))
        elif action == "deliver":
            services.need_mark_delivered(need=need, actor=request.user, note=note)
            messages.success(request, _("Marked as delivered."))
        elif action == "evaluate":
            form = EvaluateForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Enter the metric's value after the training."))
                return back
            services.need_evaluate(
                need=need,
                actor=request.user,
                metric_after=form.cleaned_data["metric_after"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("Evaluation recorded."))
        else:
            raise Http404
    except ValidationError as exc:
        flash_errors(request, exc)
    return back


# --- plans ---------------------------------------------------------------------------------


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    if not selectors.can_use_plans(user=request.user):
        raise PermissionDenied
    status = request.GET.get("status", "")
    if status not in TrainingPlan.Status.values:
        status = ""
    plans = selectors.plan_list(user=request.user, status=status)
    page = Paginator(plans, 20).get_page(request.GET.get("page"))
    selectors.attach_targets(plans=list(page.object_list))
    access = access_for(request.user)
    return render(
        request,
        "hub/needs/plan_list.html",
        {
            "page": page,
            "status": status,
            "statuses": TrainingPlan.Status.choices,
            "params": query_without(request),
            "can_create": access.is_hq_admin or access.is_manager,
        },
    )


def _plan_branches(user):
    if is_hq_admin(user):
        return Branch.objects.order_by("code")
    return selectors.managed_branches(user=user)


def _plan_kwargs(data: dict) -> dict:
    return {
        "title": data["title"],
        "period_start": data["period_start"],
        "period_end": data["period_end"],
        "objectives": data.get("objectives", ""),
        "target_categories": data.get("target_categories") or [],
        "target_branches": list(data.get("target_branches") or []),
        "targeted_learners": data.get("targeted_learners"),
    }


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    if not (access.is_hq_admin or access.is_manager):
        raise PermissionDenied
    form = PlanForm(
        request.POST or None,
        branches=_plan_branches(request.user),
        hq=access.is_hq_admin,
        initial={
            "scope": TrainingPlan.Scope.HQ if access.is_hq_admin else TrainingPlan.Scope.BRANCH
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.plan_create(
                actor=request.user,
                scope=data["scope"],
                branch=data.get("branch"),
                **_plan_kwargs(data),
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Plan drafted."))
            return redirect("needs:plan", pk=plan.pk)
    return render(request, "hub/needs/plan_form.html", {"form": form, "plan": None})


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not selectors.can_use_plans(user=request.user):
        raise PermissionDenied
    plan = TrainingPlan.objects.visible_to(request.user).filter(pk=pk).first()
    if plan is None:
        raise Http404
    if not scoping.can_change(request.user, plan):
        raise PermissionDenied
    form = PlanForm(
        request.POST or None,
        instance=plan,
        branches=_plan_branches(request.user),
        hq=is_hq_admin(request.user),
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(plan=plan, actor=request.user, **_plan_kwargs(form.cleaned_data))
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Plan saved."))
            return redirect("needs:plan", pk=plan.pk)
    return render(request, "hub/needs/plan_form.html", {"form": form, "plan": plan})


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not selectors.can_use_plans(user=request.user):
        raise PermissionDenied
    plan = selectors.plan_detail(user=request.user, pk=pk)
    if plan is None:
        raise Http404
    can_edit = scoping.can_change(request.user, plan)
    link_form = None
    if can_edit:
        needs = (
            TrainingNeed.objects.visible_to(request.user)
            .exclude(plans=plan)
            .exclude(status=Status.WITHDRAWN)
        )
        if plan.scope == TrainingPlan.Scope.BRANCH:
            needs = needs.filter(branch_id=plan.branch_id)
        sessions = Session.objects.exclude(status=Session.Status.CANCELLED).exclude(
            training_plans=plan
        )
        if plan.scope == TrainingPlan.Scope.BRANCH:
            sessions = sessions.filter(Q(branch_id=plan.branch_id) | Q(branch__isnull=True))
        link_form = PlanLinkForm(
            needs=needs.select_related("branch").order_by("-created_at"),
            sessions=sessions.select_related("branch").order_by("-starts_at"),
        )
    return render(
        request,
        "hub/needs/plan_detail.html",
        {
            "plan": plan,
            "can_edit": can_edit,
            "can_approve": is_hq_admin(request.user) and plan.status == TrainingPlan.Status.DRAFT,
            "link_form": link_form,
        },
    )


@login_required
@require_POST
def plan_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if not selectors.can_use_plans(user=request.user):
        raise PermissionDenied
    plan = TrainingPlan.objects.visible_to(request.user).filter(pk=pk).first()
    if plan is None:
        raise Http404
    back = redirect("needs:plan", pk=plan.pk)
    try:
        if action == "approve":
            services.plan_approve(plan=plan, actor=request.user)
            messages.success(request, _("Plan approved."))
        elif action in {"link_need", "unlink_need"}:
            need = get_object_or_404(
                TrainingNeed.objects.visible_to(request.user), pk=_posted_pk(request, "need")
            )
            services.plan_link_need(
                plan=plan, actor=request.user, need=need, unlink=action == "unlink_need"
            )
            messages.success(request, _("Plan updated."))
        elif action in {"link_session", "unlink_session"}:
            session = get_object_or_404(Session, pk=_posted_pk(request, "session"))
            services.plan_link_session(
                plan=plan, actor=request.user, session=session, unlink=action == "unlink_session"
            )
            messages.success(request, _("Plan updated."))
        else:
            raise Http404
    except ValidationError as exc:
        flash_errors(request, exc)
    return back


# --- manager "My branch" -------------------------------------------------------------------


# --- HQ overview ---------------------------------------------------------------------------
