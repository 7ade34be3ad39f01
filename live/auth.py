"""Channels' session authentication, with the user looked up through ``live_db`` so a join
does not close and reopen the live thread's database connection (``live.db``)."""

from __future__ import annotations

from channels.auth import AuthMiddleware, get_user
from channels.sessions import CookieMiddleware, SessionMiddleware

from live.db import live_db


class LiveAuthMiddleware(AuthMiddleware):
    async def resolve_scope(self, scope) -> None:
        scope["user"]._wrapped = await live_db(get_user.func)(scope)


def live_auth_stack(inner):
    """Like ``channels.auth.AuthMiddlewareStack``: cookies, session, user."""
    return CookieMiddleware(SessionMiddleware(LiveAuthMiddleware(inner)))
