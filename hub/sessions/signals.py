"""Signals other apps hook into without ``hub`` importing them.

``session_started`` / ``session_ending`` are sent inside the transaction of
``session_start`` / ``session_end`` (``session_ending`` before attendance is finalised, so a
receiver can record online minutes that the completion rule then judges). Receivers that
broadcast must do so with ``transaction.on_commit``. Arguments: ``session``, ``actor``.

``session_delivered`` is sent, inside the same transaction, once an ended session's attendance
is settled: by ``session_end`` after attendance is finalised, and again whenever a learner's
attendance in an ended session turns completed (online minutes, a correction). Layers above
sessions react to it (``hub.needs`` delivers the needs linked to the session). Argument:
``session``.
"""

from django.dispatch import Signal

session_started = Signal()
session_ending = Signal()
session_delivered = Signal()
