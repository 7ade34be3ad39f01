"""H5P pages and endpoints.

- ``preview``: a logged-in page embedding the player exactly as the course block does.
- ``player``: the page inside the sandboxed iframe (``sandbox="allow-scripts"`` without
  ``allow-same-origin``: an opaque origin that can neither read the hub's cookies nor call its
  API as the user), authorised by a signed token, under a strict Content-Security-Policy
  whose ``sandbox`` directive keeps that opaque origin when the page is opened top-level.
- ``h5p_json`` / ``content_file`` / ``library_file``: the files the player fetches, each
  authorised by the token in its path; ``Access-Control-Allow-Origin: *`` on these only.
- ``xapi``: the embedding page (not the iframe) posts scored statements here, CSRF-checked.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from hub.organisation.models import Employee
from hub.organisation.permissions import can_author_content, employee_for, is_hq_admin
from library.h5p import storage
from library.h5p.approvals import h5p_pending_approve, h5p_pending_reject
from library.h5p.forms import H5PUploadForm, pending_message
from library.h5p.models import H5PContent, H5PPendingPackage
from library.h5p.quota import h5p_quota_applies, h5p_storage_used
from library.h5p.selectors import (
    h5p_content_for_player,
    h5p_content_uses_library,
    h5p_pending_queue,
    h5p_score_summary,
)
from library.h5p.services import H5PPackageError, h5p_result_record
from library.h5p.tokens import player_url, token_content_id

PLAYER_CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "frame-src 'self'",
        "frame-ancestors 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        # The same sandbox as the embedding iframe's, also when the player URL is opened on
        # its own (a link, a new tab): uploaded library code never runs with the hub's origin.
        "sandbox allow-scripts",
    ]
)
# Files are fetched as sub-resources; opened as a document (an SVG, say) they get no script.
FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
CONTENT_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
    ".vtt": "text/vtt",
    ".webvtt": "text/vtt",
}


def _employee(request: HttpRequest) -> Employee:
    employee = employee_for(request.user)
    if employee is None:
        raise PermissionDenied
    return employee


def _content_or_404(pk: int) -> H5PContent:
    content = h5p_content_for_player(pk=pk)
    if content is None:
        raise Http404
    return content


def embed_context(content: H5PContent, request: HttpRequest) -> dict:
    """What templates/library/h5p/_embed.html needs (the course block uses it too)."""
    user = request.user
    employee = Employee.objects.filter(user_id=user.pk).first() if user.is_authenticated else None
    summary = h5p_score_summary(content=content, employee=employee) if employee else None
    return {
        "h5p_content": content,
        "h5p_player_url": player_url(content.pk),
        "h5p_xapi_url": reverse("library:h5p:xapi", kwargs={"pk": content.pk}),
        "h5p_summary": summary,
        "h5p_can_record": employee is not None,
        # Block templates may be rendered without the request context processors.
        "csrf_token": get_token(request),
    }


@login_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    content = _content_or_404(pk)
    return render(request, "library/h5p/preview.html", embed_context(content, request))


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    if not can_author_content(request.user):
        raise PermissionDenied
    form = H5PUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        result = form.install(request.user)
        if isinstance(result, H5PPendingPackage):
            messages.warning(request, pending_message(result))
            return redirect("library:h5p:upload")
        if result is not None:
            messages.success(request, _("“%(title)s” was uploaded.") % {"title": result.title})
            return redirect("library:h5p:preview", pk=result.pk)
    context = {
        "form": form,
        "pending": h5p_pending_queue(uploaded_by=request.user),
        "quota_used": h5p_storage_used(user=request.user),
        "quota_limit": settings.H5P_USER_QUOTA_BYTES if h5p_quota_applies(request.user) else None,
    }
    return render(request, "library/h5p/upload.html", context)


def _hq_admin_only(request: HttpRequest) -> None:
    if not is_hq_admin(request.user):
        raise PermissionDenied


@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    """HQ admins' queue of uploads waiting for library versions to be approved."""
    _hq_admin_only(request)
    return render(request, "library/h5p/approvals.html", {"queue": h5p_pending_queue()})


def _pending_or_404(pk: int) -> H5PPendingPackage:
    pending = H5PPendingPackage.objects.filter(pk=pk).first()
    if pending is None:
        raise Http404
    return pending


@login_required
@require_POST
def approval_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    _hq_admin_only(request)
    pending = _pending_or_404(pk)
    try:
        if decision == "approve":
            content = h5p_pending_approve(pending=pending, actor=request.user)
            messages.success(
                request, _("“%(title)s” was approved and installed.") % {"title": content.title}
            )
        else:
            h5p_pending_reject(
                pending=pending, actor=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("“%(title)s” was rejected.") % {"title": pending.title})
    except H5PPackageError as exc:
        for error in exc.errors:
            messages.error(request, error.message)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("library:h5p:approvals")


@login_required
@require_GET
def approval_package(request: HttpRequest, pk: int) -> FileResponse:
    """The pending package itself, for an HQ admin to inspect before deciding."""
    _hq_admin_only(request)
    pending = _pending_or_404(pk)
    path = storage.pending_path(pending.pk)
    if not path.is_file():
        raise Http404
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=pending.package_name,
        content_type="application/zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@xframe_options_sameorigin
def player(request: HttpRequest, pk: int) -> HttpResponse:
    """The player page. Needs no cookie: the token in ``?t=`` authorises it."""
    token = request.GET.get("t", "")
    if token_content_id(token) != pk:
        raise PermissionDenied
    content = _content_or_404(pk)
    base = reverse("library:h5p:files", kwargs={"pk": pk, "token": token}).rstrip("/")
    response = render(
        request,
        "library/h5p/player.html",
        {
            "content": content,
            "h5p_json_path": base,
            "content_json_path": f"{base}/content",
            "libraries_path": f"{base}/libraries",
            "frame_js": static("vendor/h5p-standalone/frame.bundle.js"),
            "frame_css": static("vendor/h5p-standalone/styles/h5p.css"),
            "object_iri": request.build_absolute_uri(
                reverse("library:h5p:preview", kwargs={"pk": pk})
            ),
            "parent_origin": f"{request.scheme}://{request.get_host()}",
        },
    )
    response["Content-Security-Policy"] = PLAYER_CSP
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


def _serve(path: Path | None) -> FileResponse:
    if path is None:
        raise Http404
    content_type = CONTENT_TYPES.get(path.suffix.lower()) or (
        mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    )
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["Access-Control-Allow-Origin"] = "*"
    response["Content-Security-Policy"] = FILE_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _check_token(pk: int, token: str) -> None:
    if token_content_id(token) != pk:
        raise PermissionDenied


@require_GET
def files_root(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    raise Http404


@require_GET
def h5p_json(request: HttpRequest, pk: int, token: str) -> FileResponse:
    _check_token(pk, token)
    return _serve(storage.safe_file(storage.content_dir(pk), "h5p.json"))


@require_GET
def content_file(request: HttpRequest, pk: int, token: str, path: str) -> FileResponse:
    _check_token(pk, token)
    return _serve(storage.safe_file(storage.content_dir(pk) / "content", path))


@require_GET
def library_file(request: HttpRequest, pk: int, token: str, folder: str, path: str):
    _check_token(pk, token)
    if not h5p_content_uses_library(content_id=pk, folder=folder):
        raise Http404
    return _serve(storage.safe_file(storage.library_dir(folder), path))


def _summary_json(summary) -> dict:
    def result(item):
        if item is None:
            return None
        return {
            "raw": float(item.score_raw),
            "max": float(item.score_max),
            "scaled": float(item.score_scaled),
            "verb": item.verb,
            "created": item.created.isoformat(),
        }

    return {"best": result(summary.best), "latest": result(summary.latest)}


@require_POST
def xapi(request: HttpRequest, pk: int) -> JsonResponse:
    """Record a scored xAPI statement for the logged-in learner (CSRF-checked by the
    middleware: the embedding page sends the token; the sandboxed iframe cannot)."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "login_required"}, status=403)
    employee = _employee(request)
    content = _content_or_404(pk)
    if len(request.body) > settings.H5P_XAPI_MAX_BYTES:
        return JsonResponse({"error": "too_large"}, status=413)
    try:
        payload = json.loads(request.body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": "invalid_json"}, status=400)
    statement = payload.get("statement") if isinstance(payload, dict) else None
    try:
        h5p_result_record(content=content, employee=employee, statement=statement)
    except ValidationError as exc:
        return JsonResponse({"error": exc.code, "message": exc.messages[0]}, status=400)
    summary = h5p_score_summary(content=content, employee=employee)
    return JsonResponse({"ok": True, **_summary_json(summary)}, status=201)


@login_required
@require_GET
def score(request: HttpRequest, pk: int) -> JsonResponse:
    """The logged-in learner's best and latest score on this content."""
    employee = _employee(request)
    content = _content_or_404(pk)
    return JsonResponse(_summary_json(h5p_score_summary(content=content, employee=employee)))
