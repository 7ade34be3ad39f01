"""Content-Security-Policy: one strict policy for the hub's pages, a looser one for the CMS.

The policies live in settings (``CONTENT_SECURITY_POLICY`` for the hub's pages,
``LECTERN_ADMIN_CSP`` for the Wagtail and Django admins, whose own scripts and styles need
inline code). A view that sets its own ``Content-Security-Policy`` header keeps it (the H5P
player and its files); a view that embeds media from elsewhere (a live stream, an external
recording) allows that one origin with ``csp_allow_origin``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

# Pages of the Wagtail admin (page previews frame the site there) and of Django's admin.
ADMIN_PREFIXES = ("/cms/", "/django-admin/")


class LecternCSPMiddleware(CSPMiddleware):
    """django-csp's middleware choosing the policy by path; every hub page gets a nonce."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        is_admin = request.path_info.startswith(ADMIN_PREFIXES)
        if not report_only and not is_admin:
            # Always a nonce in the header, so templates may add a nonce'd script any time.
            str(request.csp_nonce)
        parts = super().get_policy_parts(request, response, report_only)
        if is_admin and not report_only and parts.config is None:
            parts.config = default_config(settings.LECTERN_ADMIN_CSP)
        return parts


def origin_of(url: str) -> str | None:
    """``https://host:port`` of an absolute http(s) URL, else None (a relative URL is 'self')."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def csp_allow_origin(response: HttpResponseBase, url: str, directives: list[str]) -> None:
    """Let this page load ``url``'s origin for ``directives`` (e.g. ``["frame-src"]``)."""
    origin = origin_of(url)
    if origin is None:
        return
    update = dict(getattr(response, "_csp_update", None) or {})
    for directive in directives:
        update[directive] = [*update.get(directive, []), origin]
    response._csp_update = update
