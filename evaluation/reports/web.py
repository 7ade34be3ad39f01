"""What every report view shares: the export switch (``?export=csv|xlsx``) and the 403
rule. Views stay thin: they check access (``evaluation.reports.access``), build the report
with a selector, and either render it or download its tables."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _

from hub import exports
from hub.exports import Table
from hub.web import query_without


def require(allowed: bool) -> None:
    """403 unless ``allowed`` (the report exists, the user may not open it)."""
    if not allowed:
        raise PermissionDenied(_("You may not open this report."))


def respond(
    request: HttpRequest,
    *,
    template: str,
    context: dict,
    tables: Callable[[], Sequence[Table]],
    filename: str,
) -> HttpResponse:
    """The report page, or with ``?export=csv`` / ``?export=xlsx`` its tables as a download
    (the same figures the page shows). Another ``export`` value is refused with 400."""
    fmt = request.GET.get("export")
    if fmt is None:
        query = query_without(request, "export")
        return render(request, template, {**context, "export_query": f"{query}&" if query else ""})
    if fmt not in exports.FORMATS:
        return HttpResponseBadRequest(_("Unknown export format: use csv or xlsx."))
    return exports.download(tables(), fmt=fmt, filename=filename)
