"""HQ's session settings and the learners' calendar feed tokens."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from hub.organisation.models import AuditEvent, Employee
from hub.organisation.permissions import access_for
from hub.organisation.services import audit_record
from hub.sessions.models import (
    CalendarFeedToken,
    SessionSettings,
)
from hub.sessions.services.common import MSG_NOT_ALLOWED


def session_settings_update(*, actor, **values) -> SessionSettings:
    """An HQ admin changes the completion rule, late threshold, cancellation deadline, code
    life or the start/end windows. Writes the settings and, when a value changed, one
    ``session.rules`` audit event with the old and new values."""
    if not access_for(actor).is_hq_admin:
        raise PermissionDenied(MSG_NOT_ALLOWED)
    with transaction.atomic():
        settings = SessionSettings.load()
        before = {name: getattr(settings, name) for name in values}
        for name, value in values.items():
            setattr(settings, name, value)
        settings.full_clean()
        settings.save()
        changed = {n: [before[n], v] for n, v in values.items() if before[n] != v}
        if changed:
            audit_record(
                actor=actor,
                action=AuditEvent.Action.SESSION_RULES_CHANGED,
                summary=", ".join(f"{n}: {old} → {new}" for n, (old, new) in changed.items()),
                data=changed,
            )
    return settings


def calendar_token_get_or_create(*, employee: Employee) -> CalendarFeedToken:
    with transaction.atomic():
        return CalendarFeedToken.objects.get_or_create(employee=employee)[0]


def calendar_token_regenerate(*, employee: Employee) -> CalendarFeedToken:
    """A new secret for the personal feed; the old URL stops working at once."""
    from hub.sessions.models import _new_token

    with transaction.atomic():
        token, created = CalendarFeedToken.objects.get_or_create(employee=employee)
        if not created:
            token.token = _new_token()
            token.created_at = timezone.now()
            token.save(update_fields=["token", "created_at"])
    return token
