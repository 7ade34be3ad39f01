"""Video playback for logged-in staff: the file with HTTP Range support (seeking), the WebVTT
track, and a page with the player. Ranges follow ``library.video.ranges``."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.http import require_safe

from library.video.models import Video
from library.video.ranges import ByteRange, Unsatisfiable, parse_range
from library.video.responses import RangedFileResponse

# The files are private to logged-in staff: browsers may cache them, shared caches may not.
CACHE_CONTROL = "private, max-age=3600"


def _range_applies(request: HttpRequest, etag: str, last_modified: int) -> bool:
    """If-Range: honour the Range only if the client's copy is still current."""
    if_range = request.headers.get("If-Range")
    if not if_range:
        return True
    if if_range.startswith('"'):
        return if_range == etag
    return parse_http_date_safe(if_range) == last_modified


@require_safe
@login_required
def video_stream(request: HttpRequest, pk: int) -> HttpResponse:
    """The video file: 200 with ``Accept-Ranges: bytes``, 206 for one satisfiable range, 416
    (``Content-Range: bytes */size``) for a range past the end; several ranges get the whole
    file. ``ETag``/``Last-Modified`` answer conditional requests (304) and ``If-Range``."""
    video = get_object_or_404(Video.objects.only("pk", "file", "content_type"), pk=pk)
    storage, name = video.file.storage, video.file.name
    if not name or not storage.exists(name):
        raise Http404
    if settings.LECTERN_VIDEO_ACCEL_REDIRECT:
        return _accel_redirect(video, settings.LECTERN_VIDEO_ACCEL_REDIRECT)
    size = storage.size(name)
    last_modified = int(storage.get_modified_time(name).timestamp())
    etag = f'"v{video.pk}-{size:x}-{last_modified:x}"'

    def with_validators(response: HttpResponse) -> HttpResponse:
        response.headers["Accept-Ranges"] = "bytes"
        response.headers["ETag"] = etag
        response.headers["Last-Modified"] = http_date(last_modified)
        response.headers["Cache-Control"] = CACHE_CONTROL
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    conditional = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if conditional is not None:
        return with_validators(conditional)

    byte_range: ByteRange | None = None
    if _range_applies(request, etag, last_modified):
        try:
            byte_range = parse_range(request.headers.get("Range"), size)
        except Unsatisfiable:
            response = HttpResponse(status=416)
            response.headers["Content-Range"] = f"bytes */{size}"
            return with_validators(response)

    start, length, status = 0, size, 200
    if byte_range is not None:
        start, length, status = byte_range.start, byte_range.length, 206

    if request.method == "HEAD":
        response = HttpResponse(status=status, content_type=video.content_type)
        response.headers["Content-Length"] = str(length)
    else:
        response = RangedFileResponse(
            lambda: storage.open(name, "rb"),
            start,
            length,
            status=status,
            content_type=video.content_type,
        )
    if byte_range is not None:
        response.headers["Content-Range"] = byte_range.content_range(size)
    return with_validators(response)


def _accel_redirect(video: Video, prefix: str) -> HttpResponse:
    """Let nginx send the file (ranges, validators, backpressure to slow clients): daphne
    writes whatever the app sends into its socket buffer without waiting for the client."""
    response = HttpResponse(content_type=video.content_type)
    response.headers["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(video.file.name)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@login_required
def video_subtitles(request: HttpRequest, pk: int) -> HttpResponse:
    """The WebVTT track (validated UTF-8 at upload, at most LECTERN_VIDEO_SUBTITLE_MAX_BYTES)."""
    video = get_object_or_404(Video.objects.only("pk", "subtitles"), pk=pk)
    if not video.subtitles:
        raise Http404
    with video.subtitles.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type="text/vtt; charset=utf-8")
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def video_detail(request: HttpRequest, pk: int) -> HttpResponse:
    video = get_object_or_404(Video.objects.select_related("poster"), pk=pk)
    # The page reuses the course block's template, so it gets the block's value shape.
    context = {"video": video, "value": {"video": video, "caption": ""}}
    return render(request, "library/video/detail.html", context)
