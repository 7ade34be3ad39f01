"""Database calls of the live rooms, from the event loop.

Channels' ``database_sync_to_async`` closes the thread's connection before and after every
call unless ``CONN_MAX_AGE`` keeps it, and Django advises against persistent connections
under ASGI (HTTP requests each run in their own thread). A room makes many small calls —
joins, votes, ticks, presence — all on asgiref's one thread-sensitive thread, so a new
connection per call was their largest cost (12 ms each on PostgreSQL here:
``bench/live_join_cost.py``). ``live_db`` keeps that one thread's connection open and
drops it only when it is broken.
"""

from __future__ import annotations

from asgiref.sync import SyncToAsync
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connections


def _drop_broken_connections() -> None:
    for connection in connections.all(initialized_only=True):
        if connection.connection is None:
            continue
        if connection.errors_occurred:
            if connection.is_usable():
                connection.errors_occurred = False
            else:
                connection.close()


class _LiveDatabaseSyncToAsync(SyncToAsync):
    def thread_handler(self, loop, *args, **kwargs):
        _drop_broken_connections()
        try:
            return super().thread_handler(loop, *args, **kwargs)
        finally:
            _drop_broken_connections()


def live_db(func):
    """``live_db(service)(**kwargs)``: run ``service`` on the shared database thread.
    ``LIVE_DB_KEEP_CONNECTION = False`` (the test settings) gives Channels' behaviour."""
    if not getattr(settings, "LIVE_DB_KEEP_CONNECTION", True):
        return database_sync_to_async(func)
    return _LiveDatabaseSyncToAsync(func, thread_sensitive=True)
