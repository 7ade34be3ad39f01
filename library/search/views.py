"""The library search page. Thin: matching, ranking and scoping live in ``selectors``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import SearchKind
from .selectors import library_search, searchable_kinds
from .tokens import MAX_QUERY_LENGTH, SearchQueryError


@login_required
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q")
    kinds = searchable_kinds(request.user)
    kind = request.GET.get("kind") or None
    if kind not in kinds:
        kind = None
    results = error = None
    if query is not None:
        try:
            results = library_search(
                user=request.user, query=query, kind=kind, page=request.GET.get("page") or 1
            )
        except SearchQueryError as exc:
            error = exc.message
    counts = results.kind_counts if results else {}
    params = request.GET.copy()
    params.pop("page", None)
    kind_params = request.GET.copy()
    for name in ("page", "kind"):
        kind_params.pop(name, None)
    return render(
        request,
        "library/search.html",
        {
            "query": query or "",
            "kind": kind,
            "kind_tabs": [
                (value, SearchKind(value).label, counts.get(value, 0)) for value in kinds
            ],
            "results": results,
            "error": error,
            "max_length": MAX_QUERY_LENGTH,
            "params": params.urlencode(),
            "kind_params": kind_params.urlencode(),
        },
    )
