"""The live room page. Thin: who may enter and what the video is come from ``live.selectors``,
the settings are written by ``live.services``; everything live travels over the WebSocket
(docs/live-protocol.md), driven by static/live/room.js."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hub.csp import csp_allow_origin
from hub.sessions import rules
from hub.sessions import services as session_services
from hub.sessions.models import Session, SessionSettings
from hub.web import flash_errors, flash_form_errors
from live import selectors, services
from live.forms import RoomSettingsForm

LEARNER = "learner"
# What the room's page loads from the stream's origin (hub.csp): hls.js fetches the playlist
# and segments and plays them through a blob: URL; a meeting room is an iframe.
STREAM_CSP_DIRECTIVES = {"hls": ["connect-src", "media-src"], "iframe": ["frame-src"]}


def _session_or_404(session_id: int) -> Session:
    """Only online sessions have a live room."""
    return get_object_or_404(
        Session.objects.prefetch_related("trainers"),
        pk=session_id,
        mode=Session.Mode.LIVE_ONLINE,
    )


@login_required
def room(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_or_404(session_id)
    role = selectors.room_access(request.user, session)
    if role is None:
        raise PermissionDenied
    can_run = rules.can_run_session(request.user, session)
    room_url = reverse("live:room", args=[session.pk])
    config = {
        "sessionId": session.pk,
        "socketPath": f"/ws/live/{session.pk}/",
        "role": role,
        "staff": role != LEARNER,
        "canRun": can_run,
        "status": session.status,
        "endsAt": session.ends_at.isoformat(),
        "loginUrl": f"{reverse('login')}?next={room_url}",
    }
    stream = selectors.room_stream(session)
    context = {
        "session": session,
        "role": role,
        "is_staff": role != LEARNER,
        "can_run": can_run,
        "stream": stream,
        "config": config,
        "room_url": room_url,
    }
    if can_run:
        context["settings_form"] = RoomSettingsForm(
            initial=RoomSettingsForm.initial_for(selectors.room_for(session))
        )
        # Start / End are disabled with the services' own reason when they would be refused.
        now, rule = timezone.now(), SessionSettings.load()
        context["start_refusal"] = session_services.session_start_refusal(
            session=session, now=now, settings=rule
        )
        context["end_refusal"] = session_services.session_end_refusal(
            session=session, now=now, settings=rule
        )
    response = render(request, "live/room.html", context)
    csp_allow_origin(response, stream["url"], STREAM_CSP_DIRECTIVES.get(stream["kind"], []))
    return response


@login_required
@require_POST
def room_settings(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_or_404(session_id)
    if not rules.can_run_session(request.user, session):
        raise PermissionDenied
    form = RoomSettingsForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("live:room", session_id=session.pk)
    try:
        services.room_settings_update(session=session, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Live room settings saved."))
    return redirect("live:room", session_id=session.pk)
