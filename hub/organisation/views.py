"""Organisation pages. Thin: scoping comes from ``permissions``, reads from ``selectors``,
writes from ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hub.organisation import permissions, selectors, services
from hub.organisation.forms import DirectorySearchForm, RoleGrantForm
from hub.organisation.models import AuditEvent, Employee, RoleGrant
from hub.web import flash_errors, flash_form_errors


@login_required
def people_directory(request: HttpRequest) -> HttpResponse:
    if not permissions.can_browse_people(request.user):
        raise PermissionDenied
    branches = permissions.visible_branches(request.user).order_by("code")
    form = DirectorySearchForm(request.GET or None, branches=branches)
    query = ""
    if form.is_bound and not form.is_valid():
        # e.g. a branch outside the user's scope: show nothing rather than everything.
        employees = Employee.objects.none()
    else:
        query = form.cleaned_data["q"] if form.is_bound else ""
        filters = form.cleaned_data if form.is_bound else {}
        employees = selectors.employee_directory(
            user=request.user,
            query=query,
            branch_code=filters.get("branch", ""),
            category=filters.get("category", ""),
            status=filters.get("status", ""),
        )
    page = Paginator(employees, 25).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "hub/people_directory.html",
        {"form": form, "page": page, "query": query, "params": params.urlencode()},
    )


@login_required
def employee_detail(request: HttpRequest, employee_no: str) -> HttpResponse:
    employee = selectors.employee_profile(employee_no=employee_no)
    # Unknown and out-of-scope employees look the same: nobody learns who exists elsewhere.
    if employee is None or not permissions.can_view_employee(request.user, employee):
        raise Http404
    can_manage = permissions.is_hq_admin(request.user)
    return render(
        request,
        "hub/employee_detail.html",
        {
            "employee": employee,
            "grades": selectors.employee_grades(employee=employee),
            "roles": selectors.employee_roles(employee=employee),
            "can_manage_roles": can_manage,
            "role_form": RoleGrantForm() if can_manage else None,
        },
    )


@login_required
@require_POST
def employee_roles_change(request: HttpRequest, employee_no: str) -> HttpResponse:
    if not permissions.is_hq_admin(request.user):
        raise PermissionDenied
    employee = get_object_or_404(Employee.objects.select_related("user"), employee_no=employee_no)
    url = redirect("employee", employee_no=employee.employee_no)
    revoke_id = request.POST.get("revoke", "")
    if revoke_id:
        # A grant id from the page; anything else names no grant (not a server error).
        try:
            grant = RoleGrant.objects.filter(pk=int(revoke_id), employee=employee).first()
        except ValueError:
            grant = None
        if grant is not None:
            services.role_revoke(grant=grant, actor=request.user)
        messages.success(request, _("Role revoked."))
        return url
    form = RoleGrantForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return url
    try:
        services.role_grant(
            employee=employee,
            role=form.cleaned_data["role"],
            branch=form.cleaned_data["branch"],
            actor=request.user,
        )
    except ValidationError as exc:
        flash_errors(request, exc)
        return url
    messages.success(request, _("Role granted."))
    return url


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not permissions.is_hq(request.user):
        raise PermissionDenied
    events = selectors.audit_events()
    action = request.GET.get("action", "")
    if action:
        events = events.filter(action=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "hub/audit_log.html",
        {"page": page, "action": action, "actions": AuditEvent.Action.choices},
    )
