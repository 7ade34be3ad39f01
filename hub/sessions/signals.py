"""Signals other apps hook into without ``hub`` importing them.

``session_started`` / ``session_ending`` are sent inside the transaction of
``session_start`` / ``session_end`` (``session_ending`` before attendance is finalised, so a
receiver can record online minutes that the completion rule then judges). Receivers that
broadcast must do so with ``transaction.on_commit``. Arguments: ``session``, ``actor``.
"""

from django.dispatch import Signal

session_started = Signal()
session_ending = Signal()
