"""Live rooms follow the session's life: a room opens when the session starts, and when it
ends the room's presence becomes attendance minutes and everyone is told."""

from django.dispatch import receiver

from hub.sessions.signals import session_ending, session_started
from live import presence, services


@receiver(session_started, dispatch_uid="live.room_start")
def _room_start(sender, *, session, actor, **kwargs) -> None:
    services.room_start(session=session)


@receiver(session_ending, dispatch_uid="live.room_end")
def _room_end(sender, *, session, actor, **kwargs) -> None:
    presence.room_end(session=session)
