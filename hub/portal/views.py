"""Pages that combine apps: home, My learning, My teaching, My branch and the HQ overview.

Thin: each reads through the layers' selectors; this is the composition layer
(docs/architecture.md). The apps (evaluation, ...) contribute their parts as panels registered
in ``hub.registry``, so this module imports none of them.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from hub.needs import selectors as need_selectors
from hub.needs.forms import OverviewFilterForm
from hub.needs.models import TrainingNeed, TrainingPlan
from hub.organisation import permissions
from hub.organisation import selectors as org_selectors
from hub.organisation.models import Employee, Role
from hub.registry import panels_context
from hub.sessions import selectors as session_selectors
from hub.sessions import services as session_services
from hub.sessions.models import Session
from hub.web import query_without

# How many upcoming sessions a home page lists (the rest are a click away). The apps' parts of
# home, My learning and My teaching come from their registered panels (``hub.registry``).
HOME_LIST_SIZE = 5


def _me(request: HttpRequest) -> Employee:
    employee = permissions.employee_for(request.user)
    if employee is None:
        raise PermissionDenied
    return employee


@login_required
def home(request: HttpRequest) -> HttpResponse:
    kind = permissions.home_kind(request.user)
    access = permissions.access_for(request.user)
    employee = (
        Employee.objects.select_related("branch", "team").filter(pk=access.employee_id).first()
    )
    context: dict = {
        "kind": kind,
        "me": employee,
        "my_roles": [Role(role).label for role in sorted(access.roles)],
    }
    if employee is not None and kind in {"learner", "trainer"}:
        context["learning"] = session_selectors.my_learning(employee=employee, history=0)
        context.update(panels_context("home", employee))
        context["now"] = timezone.now()
        if kind == "trainer":
            context["teaching"] = session_selectors.my_teaching(employee=employee)[:HOME_LIST_SIZE]
            start, end = session_selectors.year_bounds()
            context["hours"] = session_selectors.teaching_hours(
                employee=employee, start=start, end=end
            )
            context["year"] = start.year
    if kind in {"hq", "manager"}:
        branches = list(org_selectors.branch_overview(user=request.user))
        context["branches"] = branches
        context["headcount"] = sum(b.headcount for b in branches)
        context["trainer_count"] = sum(b.trainers for b in branches)
    if kind == "hq":
        context["recent_events"] = org_selectors.audit_events()[:5]
        context["region_count"] = len({b.region_id for b in context["branches"]})
    if kind == "manager" and employee is not None:
        context.update(panels_context("home", employee))
    if kind == "manager":
        context["need_counts"] = dict(
            TrainingNeed.objects.visible_to(request.user)
            .exclude(status__in=[TrainingNeed.Status.EVALUATED, TrainingNeed.Status.WITHDRAWN])
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        context["category_counts"] = (
            permissions.visible_employees(request.user)
            .current()
            .values("position_category")
            .annotate(n=Count("pk"))
            .order_by("position_category")
        )
    return render(request, f"hub/home_{kind}.html", context)


@login_required
def my_learning(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    token = session_services.calendar_token_get_or_create(employee=me)
    feed_url = request.build_absolute_uri(reverse("sessions:feed", args=[token.token]))
    return render(
        request,
        "hub/sessions/my_learning.html",
        {
            "me": me,
            "learning": session_selectors.my_learning(employee=me),
            "now": timezone.now(),
            "feed_url": feed_url,
            "unread": session_selectors.unread_notification_count(employee_id=me.pk),
            **panels_context("my_learning", me),
        },
    )


@login_required
def my_teaching(request: HttpRequest) -> HttpResponse:
    if not permissions.is_trainer(request.user):
        raise PermissionDenied
    me = _me(request)
    start, end = session_selectors.year_bounds()
    return render(
        request,
        "hub/sessions/my_teaching.html",
        {
            "me": me,
            "sessions": session_selectors.my_teaching(employee=me),
            "recent": session_selectors.recently_taught(employee=me),
            "hours": session_selectors.teaching_hours(employee=me, start=start, end=end),
            "year": start.year,
            "now": timezone.now(),
            **panels_context("my_teaching", me),
        },
    )


@login_required
def my_branch(request: HttpRequest) -> HttpResponse:
    branches = list(need_selectors.managed_branches(user=request.user))
    if not branches:
        raise PermissionDenied
    branch = branches[0]
    wanted = request.GET.get("branch")
    if wanted:
        branch = next((b for b in branches if b.code == wanted), None)
        if branch is None:
            raise Http404
    plans = list(
        need_selectors.plan_base().filter(branch=branch).order_by("-period_start", "pk")[:5]
    )
    need_selectors.attach_targets(plans=plans)
    needs_by_status = need_selectors.branch_needs_by_status(branch=branch)
    return render(
        request,
        "hub/needs/my_branch.html",
        {
            "branch": branch,
            "branches": branches,
            "needs_by_status": needs_by_status,
            "active_needs": [
                need
                for status, _label, needs in needs_by_status
                if status in need_selectors.ACTIVE_NEED_STATUSES
                for need in needs
            ],
            "trained": need_selectors.branch_recently_trained(branch=branch),
            "trained_count": need_selectors.branch_trained_count(branch=branch),
            "upcoming": need_selectors.branch_upcoming_sessions(branch=branch),
            "plans": plans,
        },
    )


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    if not permissions.is_hq(request.user):
        raise PermissionDenied
    form = OverviewFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        filters = None
    else:
        data = form.cleaned_data if form.is_bound else {}
        filters = need_selectors.OverviewFilters(
            branch=data.get("branch"),
            start=data.get("start"),
            end=data.get("end"),
            category=data.get("category", ""),
            mode=data.get("mode", ""),
        )
    if filters is None:
        sessions = Session.objects.none()
        plans = TrainingPlan.objects.none()
    else:
        sessions = need_selectors.overview_sessions(filters=filters)
        plans = need_selectors.overview_plans(filters=filters)
    session_page = Paginator(sessions, 25).get_page(request.GET.get("page"))
    plan_page = Paginator(plans, 10).get_page(request.GET.get("plans_page"))
    if filters is not None:
        need_selectors.attach_targets(plans=list(plan_page.object_list))
    status_counts = (
        need_selectors.overview_status_counts(filters=filters) if filters is not None else {}
    )
    return render(
        request,
        "hub/needs/overview.html",
        {
            "form": form,
            "page": session_page,
            "plan_page": plan_page,
            "params": query_without(request, "page"),
            "plan_params": query_without(request, "plans_page"),
            "status_counts": [
                (label, status_counts.get(value, 0)) for value, label in Session.Status.choices
            ],
        },
    )
