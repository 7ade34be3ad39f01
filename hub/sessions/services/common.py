"""Shared by the session services: locking a session, the refusal every writer uses."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hub.sessions.models import (
    Session,
)

MSG_NOT_ALLOWED = _("You may not change this session.")


def lock_session(session: Session) -> Session:
    """The session's row, locked until the end of the caller's transaction."""
    return Session.objects.select_for_update().get(pk=session.pk)
