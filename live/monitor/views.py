"""The live monitor page, a session's results page and its question exports. Thin: scope and
rows from ``selectors`` / ``results``, layout from ``live.exports``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from live import exports
from live.monitor import results, selectors


@login_required
def monitor(request: HttpRequest) -> HttpResponse:
    scope = selectors.monitor_scope(request.user)
    if scope is None:
        raise PermissionDenied
    rooms = [selectors.room_row(session) for session in selectors.live_rooms(scope=scope)]
    return render(
        request,
        "live/monitor.html",
        {
            "rooms": rooms,
            "branch_names": {
                str(pk): name for pk, name in selectors.monitor_branch_names(scope=scope).items()
            },
            "everything": scope.everything,
            "present_window": int(selectors.PRESENT_WINDOW.total_seconds()),
        },
    )


def _ended_session_for(request: HttpRequest, session_id: int, *, staff_only: bool):
    """(session, view), or a response: 404 unknown, 403 not allowed, a redirect with the
    reason while the session has not ended."""
    session = results.session_for_results(session_id=session_id)
    if session is None:
        raise Http404
    view = results.results_view(user=request.user, session=session)
    if view is None or (staff_only and not view.staff):
        raise PermissionDenied
    if not results.results_ready(session):
        messages.error(request, results.RESULTS_NOT_READY)
        return redirect("sessions:detail", session.pk)
    return session, view


@login_required
def session_results(request: HttpRequest, session_id: int) -> HttpResponse:
    found = _ended_session_for(request, session_id, staff_only=False)
    if isinstance(found, HttpResponse):
        return found
    session, view = found
    return render(
        request,
        "live/results.html",
        {
            "session": session,
            "view": view,
            "questions": results.result_questions(session=session, view=view),
            "polls": results.result_polls(session=session),
        },
    )


@login_required
def questions_export(request: HttpRequest, session_id: str, fmt: str) -> HttpResponse:
    found = _ended_session_for(request, int(session_id), staff_only=True)
    if isinstance(found, HttpResponse):
        return found
    session, view = found
    rows = results.result_questions(session=session, view=view)
    if fmt == "xlsx":
        body = exports.questions_xlsx(rows, title=session.title)
        content_type = exports.XLSX_CONTENT_TYPE
    else:
        body = exports.questions_csv(rows)
        content_type = exports.CSV_CONTENT_TYPE
    response = HttpResponse(body, content_type=content_type)
    stamp = timezone.localtime(session.starts_at).strftime("%Y%m%d")
    filename = f"session-{session.pk}-{stamp}-questions.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
