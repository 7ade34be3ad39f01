"""Login throttling with django-axes: after ``AXES_FAILURE_LIMIT`` wrong passwords for one
account, or from one address, that account or address is locked out for the cool-off time
(``LECTERN_LOGIN_FAILURE_LIMIT`` / ``LECTERN_LOGIN_LOCKOUT_MINUTES``). Failures are counted
in Redis's cache (with ``REDIS_URL``) or else in the database, so every process sees them.

A locked-out login gets our login page again, with the reason and the wait, and status 429;
each lockout writes one ``login.locked_out`` audit event.
"""

from __future__ import annotations

import datetime as dt

from axes.helpers import get_cool_off
from axes.signals import user_locked_out
from django.contrib.auth.forms import AuthenticationForm
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext

from hub.organisation.models import AuditEvent
from hub.organisation.services import audit_record

LOCKOUT_STATUS = 429


def lockout_minutes(request: HttpRequest | None = None) -> int:
    cool_off = get_cool_off(request)
    if cool_off is None:
        return 0
    return max(1, round(cool_off.total_seconds() / 60))


def lockout_message(request: HttpRequest | None = None) -> str:
    minutes = lockout_minutes(request)
    return ngettext(
        "Too many failed logins for this account or from this address. "
        "Try again in %(minutes)s minute, or reset your password.",
        "Too many failed logins for this account or from this address. "
        "Try again in %(minutes)s minutes, or reset your password.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the login page again, with the reason, as 429."""
    # Axes passes (request, response, credentials) or, from async middleware, (request,
    # credentials): the posted form is the one source that is the same in both.
    username = request.POST.get("username", "")
    return render(
        request,
        "hub/login.html",
        {
            "form": AuthenticationForm(request, initial={"username": username}),
            "locked_out": lockout_message(request),
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
        status=LOCKOUT_STATUS,
    )


@receiver(user_locked_out)
def audit_lockout(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    """One audit event per lockout: who was tried, from where, for how long. Axes signals
    again for each attempt refused during the lockout: those write nothing more."""
    minutes = lockout_minutes(request)
    data = {"username": username or "", "ip_address": ip_address or "", "minutes": minutes}
    if AuditEvent.objects.filter(
        action=AuditEvent.Action.LOGIN_LOCKED_OUT,
        data__username=data["username"],
        data__ip_address=data["ip_address"],
        created_at__gte=timezone.now() - dt.timedelta(minutes=minutes),
    ).exists():
        return
    audit_record(
        actor=None,
        action=AuditEvent.Action.LOGIN_LOCKED_OUT,
        summary=f"{username or '?'} @ {ip_address or '?'}",
        data=data,
    )
