"""Files outside the pages: uploaded media (``MEDIA_ROOT``: library images and their renditions,
course posters), served to logged-in users only, like the library they belong to (nothing under
``/media/`` is public; the login page needs none of it), and the favicon."""

from __future__ import annotations

import posixpath
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.static import serve


@login_required
def media_serve(request: HttpRequest, path: str) -> HttpResponse:
    """The file at ``path`` under ``MEDIA_ROOT``; behind nginx with
    ``LECTERN_MEDIA_ACCEL_REDIRECT`` set, nginx sends it after this login check."""
    prefix = settings.LECTERN_MEDIA_ACCEL_REDIRECT
    if not prefix:
        return serve(request, path, document_root=settings.MEDIA_ROOT)
    clean = posixpath.normpath(path).lstrip("/")
    if clean.startswith("..") or clean in {"", "."}:
        raise Http404
    response = HttpResponse()
    response["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{quote(clean)}"
    response["Content-Type"] = ""  # nginx sets it from the file name
    return response


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: send them to the SVG icon."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
