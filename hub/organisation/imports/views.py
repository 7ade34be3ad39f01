"""HR import pages, for HQ admins only: upload → dry-run preview or error report → apply."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hub.organisation import permissions, selectors
from hub.organisation.imports import services
from hub.organisation.imports.columns import (
    BRANCH_COLUMNS,
    EMPLOYEE_COLUMNS,
    SheetKind,
    column_by_key,
)
from hub.organisation.imports.errors import RowError
from hub.organisation.imports.forms import ImportUploadForm
from hub.organisation.imports.samples import template_csv, template_xlsx
from hub.organisation.models import ImportBatch, PositionCategory

RUNNING = frozenset(
    {ImportBatch.Status.UPLOADED, ImportBatch.Status.VALIDATING, ImportBatch.Status.APPLYING}
)
ERRORS_PER_PAGE = 200
RECENT_BATCHES = 20
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_hq_admin(request: HttpRequest) -> None:
    if not permissions.is_hq_admin(request.user):
        raise PermissionDenied


def _column_label(kind: str | None, key: str) -> str:
    if not key:
        return ""
    try:
        return column_by_key(SheetKind(kind), key).display
    except (ValueError, StopIteration):
        return key


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    _require_hq_admin(request)
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            batch = services.import_batch_create(
                upload=form.cleaned_data["file"], actor=request.user
            )
            return redirect("imports:detail", batch_id=batch.pk)
    else:
        form = ImportUploadForm()
    return render(
        request,
        "hub/imports/upload.html",
        {
            "form": form,
            "batches": selectors.import_batches()[:RECENT_BATCHES],
            "column_groups": [
                (_("Branches (sheet 分部)"), BRANCH_COLUMNS),
                (_("Employees (sheet 员工)"), EMPLOYEE_COLUMNS),
            ],
        },
    )


@login_required
def detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    _require_hq_admin(request)
    batch = get_object_or_404(selectors.import_batches(), pk=batch_id)
    report = batch.report or {}
    sheet_kinds = {sheet["name"]: sheet["kind"] for sheet in report.get("sheets", [])}
    errors = [
        {
            "sheet": error.sheet,
            "line": error.line,
            "column": _column_label(sheet_kinds.get(error.sheet), error.column),
            "message": error.message,
        }
        for error in map(RowError.from_json, report.get("errors", []))
    ]
    categories = dict(PositionCategory.choices)
    changes = [
        {
            **change,
            "fields": [
                (
                    _column_label(change["kind"], key),
                    categories.get(old, old) if key == "position_category" else old,
                    categories.get(new, new) if key == "position_category" else new,
                )
                for key, (old, new) in change["changes"].items()
            ],
        }
        for change in report.get("changes", [])
    ]
    same_file_applied = selectors.import_batch_previously_applied(batch=batch)
    return render(
        request,
        "hub/imports/detail.html",
        {
            "batch": batch,
            "running": batch.status in RUNNING,
            "counts": report.get("counts"),
            "applied": report.get("applied"),
            "failure": report.get("failure", ""),
            "changes": changes,
            "errors_page": Paginator(errors, ERRORS_PER_PAGE).get_page(request.GET.get("page")),
            "errors_truncated": report.get("errors_truncated", False),
            "show_sheet": any(error["sheet"] for error in errors),
            "same_file_applied": same_file_applied,
        },
    )


@login_required
def status(request: HttpRequest, batch_id: int) -> JsonResponse:
    _require_hq_admin(request)
    batch = get_object_or_404(ImportBatch, pk=batch_id)
    return JsonResponse(
        {
            "status": batch.status,
            "label": str(batch.get_status_display()),
            "running": batch.status in RUNNING,
            "rows_done": batch.rows_done,
            "rows_total": batch.rows_total,
            "percent": batch.progress_percent,
            "text": _("%(done)s of %(total)s rows")
            % {"done": batch.rows_done, "total": batch.rows_total},
        }
    )


@login_required
@require_POST
def apply(request: HttpRequest, batch_id: int) -> HttpResponse:
    _require_hq_admin(request)
    batch = get_object_or_404(ImportBatch, pk=batch_id)
    if services.import_batch_apply(batch=batch, actor=request.user):
        messages.info(request, _("Applying the import…"))
    else:
        messages.info(request, _("This import is not ready to apply or is already applied."))
    return redirect("imports:detail", batch_id=batch.pk)


@login_required
def download_template_csv(request: HttpRequest) -> HttpResponse:
    _require_hq_admin(request)
    kind = SheetKind.BRANCHES if request.GET.get("kind") == "branches" else SheetKind.EMPLOYEES
    response = HttpResponse(template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lectern-{kind}-template.csv"'
    return response


@login_required
def download_template_xlsx(request: HttpRequest) -> HttpResponse:
    _require_hq_admin(request)
    response = HttpResponse(template_xlsx(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="lectern-import-template.xlsx"'
    return response
