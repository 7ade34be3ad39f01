"""The reports index: the reports this user may open."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from evaluation.reports import access
from evaluation.reports.web import require
from hub.organisation.scoping import as_access
from hub.sessions.models import Session

LISTED = 30


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    require(access.can_view_any_report(request.user))
    who = as_access(request.user)
    query = request.GET.get("q", "").strip()[:100]
    sessions = access.report_sessions(who).filter(status=Session.Status.ENDED)
    trainers = access.trainers_of(access.report_trainers(who))
    if query:
        sessions = sessions.filter(title__icontains=query)
        trainers = trainers.filter(Q(name__icontains=query) | Q(employee_no__icontains=query))
    context = {
        "query": query,
        "overview": access.can_view_overview(who),
        "branches": access.report_branches(who).order_by("code"),
        "sessions": sessions.select_related("course", "branch").order_by("-starts_at", "-pk")[
            :LISTED
        ],
        "trainers": trainers.select_related("branch").order_by("name_pinyin", "employee_no")[
            :LISTED
        ],
        "me": who.employee_id,
    }
    return render(request, "evaluation/reports/index.html", context)
