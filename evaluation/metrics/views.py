"""Outcome metric pages: values (HQ reads all, managers their branches), the import of value
files and the edit of one value (HQ admins write). Thin: reads from ``selectors``, writes from
``services``, scoping from ``hub.organisation.scoping``."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from evaluation.metrics import imports, selectors, services
from evaluation.metrics.forms import MetricUploadForm, MetricValueForm
from evaluation.metrics.models import MetricImportBatch
from hub.organisation import scoping
from hub.organisation.imports.errors import RowError
from hub.organisation.permissions import access_for
from hub.web import form_add_service_errors

VALUES_PER_PAGE = 100
RECENT_BATCHES = 20


def _require_hq(request: HttpRequest, *, write: bool = False) -> None:
    access = access_for(request.user)
    if not (access.is_hq_admin if write or request.method == "POST" else access.is_hq):
        raise PermissionDenied


@login_required
def values(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    if not (access.is_hq or access.is_manager):
        raise PermissionDenied
    definitions = list(selectors.metric_definitions())
    chosen = next((m for m in definitions if m.code == request.GET.get("metric")), None)
    rows = selectors.metric_values(metric=chosen).visible_to(access)
    return render(
        request,
        "evaluation/metrics/values.html",
        {
            "definitions": definitions,
            "chosen": chosen,
            "page": Paginator(rows, VALUES_PER_PAGE).get_page(request.GET.get("page")),
            "can_edit": access.is_hq_admin,
        },
    )


@login_required
def value_edit(request: HttpRequest, pk: int) -> HttpResponse:
    value = get_object_or_404(selectors.metric_values(), pk=pk)
    if not scoping.can_see(request.user, value):
        raise Http404
    if not scoping.can_change(request.user, value):
        raise PermissionDenied
    form = MetricValueForm(request.POST or None, initial={"value": value.value})
    if request.method == "POST" and form.is_valid():
        try:
            services.metric_value_set(
                value=value, new_value=form.cleaned_data["value"], actor=request.user
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("The value was saved."))
            return redirect(f"{reverse('metrics:values')}?metric={value.metric.code}")
    return render(request, "evaluation/metrics/value_edit.html", {"value": value, "form": form})


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    _require_hq(request)
    if request.method == "POST":
        form = MetricUploadForm(request.POST, request.FILES)
        if form.is_valid():
            batch = services.metric_import_create(
                upload=form.cleaned_data["file"], actor=request.user
            )
            return redirect("metrics:import_detail", batch_id=batch.pk)
    else:
        form = MetricUploadForm()
    return render(
        request,
        "evaluation/metrics/import_upload.html",
        {
            "form": form,
            "can_upload": access_for(request.user).is_hq_admin,
            "columns": imports.COLUMNS,
            "batches": MetricImportBatch.objects.select_related("uploaded_by__employee")[
                :RECENT_BATCHES
            ],
        },
    )


@login_required
def import_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    _require_hq_read(request)
    batch = get_object_or_404(MetricImportBatch, pk=batch_id)
    report = batch.report or {}
    errors = [
        {"sheet": e.sheet, "line": e.line, "column": e.column, "message": e.message}
        for e in map(RowError.from_json, report.get("errors", []))
    ]
    same_file = (
        MetricImportBatch.objects.filter(
            sha256=batch.sha256, status=MetricImportBatch.Status.APPLIED
        )
        .exclude(pk=batch.pk)
        .order_by("-applied_at")
        .first()
    )
    return render(
        request,
        "evaluation/metrics/import_detail.html",
        {
            "batch": batch,
            "counts": report.get("counts"),
            "applied": report.get("applied"),
            "changes": report.get("changes", []),
            "errors": errors,
            "same_file_applied": same_file,
            "can_apply": access_for(request.user).is_hq_admin,
        },
    )


def _require_hq_read(request: HttpRequest) -> None:
    if not access_for(request.user).is_hq:
        raise PermissionDenied


@login_required
def import_apply(request: HttpRequest, batch_id: int) -> HttpResponse:
    _require_hq(request, write=True)
    batch = get_object_or_404(MetricImportBatch, pk=batch_id)
    if request.method != "POST":
        return redirect("metrics:import_detail", batch_id=batch.pk)
    if services.metric_import_apply(batch=batch, actor=request.user):
        messages.success(request, _("The values were imported."))
    else:
        messages.info(request, _("This import is not ready to apply or is already applied."))
    return redirect("metrics:import_detail", batch_id=batch.pk)


@login_required
def template_csv(request: HttpRequest) -> HttpResponse:
    _require_hq_read(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.template_header for column in imports.COLUMNS])
    writer.writerow([column.example for column in imports.COLUMNS])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="lectern-metric-values.csv"'
    return response
