"""Recorded-session pages: the player, its progress reports and questions, the staff answer
and the progress report. Thin: scoping from ``selectors``, writes through ``services``."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hub.csp import csp_allow_origin
from hub.organisation.permissions import employee_for
from hub.sessions import selectors as session_selectors
from hub.sessions.models import Session
from hub.sessions.rules import can_run_session
from hub.web import flash_errors, form_add_service_errors
from live.models import Question
from live.recordings import rules, selectors, services
from live.recordings.forms import RecordingSourceForm

# A progress report is a few intervals: anything bigger is refused before it is parsed.
MAX_REPORT_BYTES = 16 * 1024


def _session_or_404(request: HttpRequest, pk: int) -> Session:
    session = session_selectors.session_detail(user=request.user, pk=pk)
    if session is None:
        raise Http404
    return session


def _learner_or_403(request: HttpRequest, session: Session):
    if selectors.player_role(request.user, session) != selectors.LEARNER:
        raise PermissionDenied
    learner = employee_for(request.user)
    if learner is None:
        raise PermissionDenied
    return learner


def _player_url(session: Session, anchor: str = "") -> str:
    return reverse("live:recording", args=[session.pk]) + (f"#{anchor}" if anchor else "")


@login_required
def recording(request: HttpRequest, pk: int) -> HttpResponse:
    """The player: learners are tracked and ask questions, trainers and HQ answer them."""
    session = _session_or_404(request, pk)
    role = selectors.player_role(request.user, session)
    if role is None:
        raise PermissionDenied
    media = selectors.recording_media(session)
    if media is None or session.status == Session.Status.CANCELLED:
        raise Http404
    context = {
        "session": session,
        "media": media,
        "role": role,
        "speeds": [f"{s:g}" for s in rules.SPEEDS],
        "question_max": services.QUESTION_MAX,
        "answer_max": services.ANSWER_MAX,
        "can_report": selectors.can_see_report(request.user, session),
        "can_answer": can_run_session(request.user, session),
    }
    if role == selectors.LEARNER:
        learner = employee_for(request.user)
        context.update(
            progress=services.recording_progress_open(session=session, learner=learner),
            speed=selectors.remembered_speed(learner=learner, session=session),
            questions=selectors.my_recording_questions(session=session, learner=learner),
            learner=learner,
        )
    else:
        context["questions"] = selectors.recording_questions(session=session)
    response = render(request, "live/recording.html", context)
    if media.external:
        csp_allow_origin(response, media.src, ["media-src"])
    return response


def _json_error(exc: ValidationError | PermissionDenied, status: int) -> JsonResponse:
    text = exc.messages if isinstance(exc, ValidationError) else [str(exc) or _("Not allowed.")]
    return JsonResponse({"error": " ".join(str(m) for m in text)}, status=status)


@login_required
@require_POST
def recording_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """What the player played since its last report, posted as a form (``payload``: JSON of
    ``intervals``, ``position``, ``speed``, ``duration``) so ``navigator.sendBeacon`` can
    carry the CSRF token in the body."""
    session = _session_or_404(request, pk)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = MAX_REPORT_BYTES + 1
    if length > MAX_REPORT_BYTES:
        return JsonResponse({"error": str(services.MSG_BAD_REPORT)}, status=413)
    learner = _learner_or_403(request, session)
    try:
        payload = json.loads(request.POST.get("payload", ""))
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        return JsonResponse({"error": str(services.MSG_BAD_REPORT)}, status=400)
    try:
        report = services.recording_progress_report(
            session=session,
            learner=learner,
            intervals=payload.get("intervals", []),
            position=payload.get("position", 0),
            speed=payload.get("speed", 1),
            duration=payload.get("duration"),
        )
    except ValidationError as exc:
        return _json_error(exc, 400)
    progress = report.progress
    return JsonResponse(
        {
            "watched_seconds": progress.watched_seconds,
            "media_seconds": progress.media_seconds,
            "watched_percent": progress.watched_percent,
            "completed": progress.completed,
            "position": progress.last_position,
            "speed": float(progress.speed),
            "added_seconds": report.added_seconds,
            "refused_seconds": report.refused_seconds,
        }
    )


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def recording_questions(request: HttpRequest, pk: int) -> HttpResponse:
    """A learner asks a question at the current position (JSON for the player's script, a
    redirect back to the player for a plain form)."""
    session = _session_or_404(request, pk)
    learner = _learner_or_403(request, session)
    try:
        position = float(request.POST.get("position") or 0)
    except ValueError:
        position = float("nan")
    try:
        question = services.recording_question_ask(
            session=session,
            learner=learner,
            text=request.POST.get("text", ""),
            position_seconds=position,
            client_id=request.POST.get("client_id", ""),
        )
    except ValidationError as exc:
        if _wants_json(request):
            return _json_error(exc, 400)
        flash_errors(request, exc)
        return redirect(_player_url(session, "questions"))
    if _wants_json(request):
        return JsonResponse(
            {"id": question.pk, "text": question.text, "position": question.position_seconds},
            status=201,
        )
    messages.success(request, _("Your question was sent to the trainer."))
    return redirect(_player_url(session, "questions"))


@login_required
@require_POST
def recording_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """A trainer of the session (or HQ) answers a question left on the recording."""
    question = (
        Question.objects.filter(pk=pk, origin=Question.Origin.RECORDING)
        .only("pk", "session_id")
        .first()
    )
    if question is None:
        raise Http404
    session = _session_or_404(request, question.session_id)
    question = Question.objects.select_related("session", "author").get(pk=question.pk)
    try:
        services.recording_question_answer(
            question=question, actor=request.user, answer=request.POST.get("answer", "")
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Answer saved; the learner is notified."))
    return redirect(_player_url(session, f"q-{question.pk}"))


@login_required
def recording_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has watched how much: trainers and HQ see every learner, branch managers their own."""
    session = _session_or_404(request, pk)
    if not selectors.can_see_report(request.user, session):
        raise PermissionDenied
    return render(
        request,
        "live/recording_report.html",
        {
            "session": session,
            "rows": selectors.progress_report(user=request.user, session=session),
            "has_player": selectors.player_role(request.user, session) is not None,
        },
    )


@login_required
def recording_source(request: HttpRequest, pk: int) -> HttpResponse:
    """Its trainers or HQ play an ended session's recording from a library video."""
    session = _session_or_404(request, pk)
    if not can_run_session(request.user, session):
        raise PermissionDenied
    current = selectors.recording_source(session)
    initial = {}
    if current is not None:
        initial = {"video": current.video_id, "duration_seconds": current.duration_seconds}
    form = RecordingSourceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.recording_source_set(session=session, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("The recording now plays the library video."))
            return redirect("live:recording", pk=session.pk)
    return render(request, "live/recording_source.html", {"session": session, "form": form})
