"""The library search page. Thin: matching, ranking and scoping live in ``selectors``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from hub.organisation.permissions import is_hq_admin
from library.search import services
from library.search.models import SearchKind, SynonymGroup
from library.search.selectors import library_search, searchable_kinds
from library.search.tokens import MAX_QUERY_LENGTH, SearchQueryError


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


class SynonymsForm(forms.Form):
    text = forms.CharField(
        label=_("Synonym groups"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "One group of equivalent words per line, separated by commas or 、, e.g. "
            "客户，顾客，消费者. A search for a word of a group also finds the others."
        ),
    )


@login_required
def synonyms(request: HttpRequest) -> HttpResponse:
    """HQ's synonym list for the library search (HQ admins only; each change is audited)."""
    if not is_hq_admin(request.user):
        raise PermissionDenied
    current = "\n".join(SynonymGroup.objects.values_list("words", flat=True))
    form = SynonymsForm(request.POST or None, initial={"text": current})
    if request.method == "POST" and form.is_valid():
        try:
            services.synonyms_replace(actor=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            form.add_error("text", exc)
        else:
            messages.success(request, _("Search synonyms saved."))
            return redirect("library:search:synonyms")
    return render(request, "library/search_synonyms.html", {"form": form})
