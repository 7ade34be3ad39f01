"""Needs follow the sessions that deliver them: when an ended session's attendance is settled
(``session_delivered``), the needs linked to it become delivered — in the same transaction.
Connected from ``HubConfig.ready``."""

from django.dispatch import receiver

from hub.needs.services import needs_deliver_for_session
from hub.sessions.signals import session_delivered


@receiver(session_delivered, dispatch_uid="hub.needs.deliver_for_session")
def _deliver_for_session(sender, *, session, **kwargs) -> None:
    needs_deliver_for_session(session=session)
