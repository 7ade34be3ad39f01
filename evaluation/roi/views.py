"""ROI pages: HQ's cost settings and metric values (HQ reads, HQ admins write) and a
session's costs with its return (HQ admins and the session's trainers type; whoever may open
the session's report reads). Thin: rules in ``services``, figures from ``selectors``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation.permissions import can_enter_session_cost
from evaluation.reports.access import can_view_session_report
from evaluation.roi import selectors, services
from evaluation.roi.forms import MetricBenefitForm, RoiSettingsForm, SessionCostForm
from evaluation.roi.models import MetricBenefitBasis, RoiSettings, SessionCost
from hub.organisation.permissions import access_for
from hub.sessions.models import Session
from hub.web import form_add_service_errors


def _hq(request: HttpRequest) -> bool:
    """HQ reads; only an HQ admin posts. Returns whether the user may edit."""
    access = access_for(request.user)
    if not access.is_hq or (request.method == "POST" and not access.is_hq_admin):
        raise PermissionDenied
    return access.is_hq_admin


def _read_only(form) -> None:
    for field in form.fields.values():
        field.disabled = True


@login_required
def roi_settings(request: HttpRequest) -> HttpResponse:
    can_edit = _hq(request)
    current = selectors.current_settings()
    initial = {"effective_from": timezone.localdate()}
    form = RoiSettingsForm(
        request.POST or None, instance=RoiSettings(**_values(current)), initial=initial
    )
    if not can_edit:
        _read_only(form)
    if request.method == "POST" and form.is_valid():
        try:
            services.roi_settings_save(
                actor=request.user, **{f: form.cleaned_data[f] for f in form.Meta.fields}
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("roi:settings")
    return render(
        request,
        "evaluation/roi/settings.html",
        {
            "form": form,
            "can_edit": can_edit,
            "history": list(reversed(selectors.settings_history())),
            "metrics": selectors.metrics_with_basis(),
        },
    )


def _values(current: RoiSettings | None) -> dict:
    if current is None:
        return {}
    return {name: getattr(current, name) for name in services.SETTINGS_FIELDS}


@login_required
def metric_benefit(request: HttpRequest, metric_id: int) -> HttpResponse:
    can_edit = _hq(request)
    metric = get_object_or_404(selectors.metrics_with_basis(), pk=metric_id)
    basis = getattr(metric, "benefit_basis", None) or MetricBenefitBasis(metric=metric)
    form = MetricBenefitForm(
        request.POST or None, instance=basis, initial={"value_per_unit": metric.value_per_unit}
    )
    if not can_edit:
        _read_only(form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.metric_benefit_set(
                metric=metric,
                actor=request.user,
                value_per_unit=data["value_per_unit"],
                affected_volume=data["affected_volume"],
                volume_note=data["volume_note"],
                recurrence=data["recurrence"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("roi:settings")
    return render(
        request,
        "evaluation/roi/metric.html",
        {"metric": metric, "form": form, "can_edit": can_edit},
    )


@login_required
def session_costs(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_object_or_404(Session.objects.select_related("course", "branch"), pk=session_id)
    can_edit = can_enter_session_cost(request.user, session)
    may_read = can_edit or can_view_session_report(request.user, session)
    if not may_read or (request.method == "POST" and not can_edit):
        raise PermissionDenied
    cost = SessionCost.objects.filter(session=session).first() or SessionCost(session=session)
    form = SessionCostForm(request.POST or None, instance=cost)
    if not can_edit:
        _read_only(form)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_cost_set(
                session=session,
                actor=request.user,
                venue=form.cleaned_data["venue"],
                materials=form.cleaned_data["materials"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("The costs were saved."))
            return redirect("roi:session_costs", session_id=session.pk)
    return render(
        request,
        "evaluation/roi/session_costs.html",
        {
            "session": session,
            "form": form,
            "can_edit": can_edit,
            "entered": cost.pk is not None,
            "figure": selectors.roi_by_session(sessions=[session]).get(session.pk),
            "is_hq": access_for(request.user).is_hq,
        },
    )
