"""``/ws/ping/`` through the whole ASGI stack of ``hub.asgi``: Origin check, session auth, the
consumer and whichever channel layer the settings choose (in-memory, or Redis when REDIS_URL
is set)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.utils import timezone

from hub.asgi import application
from hub.organisation.models import Employee
from live.consumers import CLOSE_NOT_LOGGED_IN
from tests.factories import PASSWORD, EmployeeFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

PING_PATH = "/ws/ping/"
LOCAL = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
# channels' 1 s default timeouts fail spuriously on a busy 2-core CI machine.
TIMEOUT = 5.0


@pytest.fixture(autouse=True)
def private_channel_layer(settings):
    """Give each test its own Redis key prefix. xdist workers (and the browser tests' daphne)
    share one Redis, and their separate test databases hand out the same user pks, so the
    per-user ping groups would otherwise receive each other's pongs."""
    layer = settings.CHANNEL_LAYERS["default"]
    if layer["BACKEND"] == "channels_redis.core.RedisChannelLayer":
        config = {**layer.get("CONFIG", {}), "prefix": f"test-{uuid.uuid4().hex}"}
        settings.CHANNEL_LAYERS = {"default": {**layer, "CONFIG": config}}


def headers_for(employee: Employee) -> list:
    """Log in over HTTP and return local WebSocket handshake headers carrying that session."""
    client = Client()
    assert client.login(username=employee.user.username, password=PASSWORD)
    session_id = client.cookies[settings.SESSION_COOKIE_NAME].value
    return [*LOCAL, (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_id}".encode())]


class PingSocket(WebsocketCommunicator):
    """A communicator for /ws/ping/ whose waits all use ``TIMEOUT``."""

    async def connect(self):
        return await super().connect(timeout=TIMEOUT)

    async def receive_json_from(self):
        return await super().receive_json_from(timeout=TIMEOUT)

    async def disconnect(self) -> None:
        await super().disconnect(timeout=TIMEOUT)


@asynccontextmanager
async def ping_socket(headers: list) -> AsyncIterator[PingSocket]:
    communicator = PingSocket(application, PING_PATH, headers=headers)
    try:
        yield communicator
    finally:
        # A timed-out receive has already cancelled the application; disconnecting would
        # only replace the TimeoutError being reported with a CancelledError.
        if not communicator.future.cancelled():
            await communicator.disconnect()


@pytest.fixture
def employee(transactional_db) -> Employee:
    return EmployeeFactory()


@pytest.fixture
def employee_headers(employee) -> list:
    return headers_for(employee)


async def assert_ping_pong(communicator: PingSocket, ping_id: str) -> None:
    await communicator.send_json_to({"type": "ping", "id": ping_id})
    assert await communicator.receive_json_from() == {"type": "pong", "id": ping_id}


async def test_logged_in_user_gets_a_pong_echoing_the_id(employee_headers):
    async with ping_socket(employee_headers) as communicator:
        connected, _ = await communicator.connect()
        assert connected
        await assert_ping_pong(communicator, "x")
        await assert_ping_pong(communicator, "second")


async def test_anonymous_user_is_closed_with_4401(transactional_db):
    async with ping_socket(LOCAL) as communicator:
        assert await communicator.connect() == (False, CLOSE_NOT_LOGGED_IN)


async def test_unknown_session_cookie_is_closed_with_4401(transactional_db):
    headers = [*LOCAL, (b"cookie", f"{settings.SESSION_COOKIE_NAME}=forged".encode())]
    async with ping_socket(headers) as communicator:
        assert await communicator.connect() == (False, CLOSE_NOT_LOGGED_IN)


@pytest.mark.parametrize(
    "origin",
    [b"http://evil.example", b"http://127.0.0.1.evil.example", b"null", None],
    ids=["foreign", "lookalike-suffix", "null", "missing"],
)
async def test_foreign_origin_is_refused_even_when_logged_in(employee_headers, origin):
    headers = [header for header in employee_headers if header[0] != b"origin"]
    if origin is not None:
        headers.append((b"origin", origin))
    async with ping_socket(headers) as communicator:
        connected, code = await communicator.connect()
        assert not connected
        # Refused by AllowedHostsOriginValidator before the consumer could see the user.
        assert code != CLOSE_NOT_LOGGED_IN


@pytest.mark.parametrize(
    ("frame", "error_code"),
    [
        ({"text_data": "{not json"}, "malformed_json"),
        ({"bytes_data": b"\x00\x01"}, "malformed_json"),
        ({"text_data": '{"type": "dance"}'}, "bad_message"),
        ({"text_data": '{"id": "no-type"}'}, "bad_message"),
        ({"text_data": '["ping"]'}, "bad_message"),
    ],
    ids=["malformed-json", "binary-frame", "unknown-type", "missing-type", "not-an-object"],
)
async def test_bad_message_gets_an_error_and_keeps_the_socket(employee_headers, frame, error_code):
    async with ping_socket(employee_headers) as communicator:
        connected, _ = await communicator.connect()
        assert connected
        await communicator.send_to(**frame)
        assert await communicator.receive_json_from() == {"type": "error", "code": error_code}
        await assert_ping_pong(communicator, "still-open")


async def test_pong_reaches_only_the_pinging_user(employee_headers, transactional_db):
    other_headers = await database_sync_to_async(lambda: headers_for(EmployeeFactory()))()
    async with ping_socket(employee_headers) as mine, ping_socket(other_headers) as theirs:
        assert (await mine.connect())[0]
        assert (await theirs.connect())[0]
        await assert_ping_pong(mine, "mine")
        assert await theirs.receive_nothing(timeout=0.2)


@pytest.mark.parametrize(
    ("days_since_leaving", "connected"),
    [(1, False), (0, False), (-1, True)],
    ids=["left-yesterday", "leaves-today", "leaves-tomorrow"],
)
async def test_session_of_an_employee_who_has_left_is_not_logged_in(
    employee, employee_headers, days_since_leaving, connected
):
    leave_date = timezone.localdate() - dt.timedelta(days=days_since_leaving)
    await database_sync_to_async(Employee.objects.filter(pk=employee.pk).update)(
        leave_date=leave_date
    )
    async with ping_socket(employee_headers) as communicator:
        if connected:
            assert (await communicator.connect())[0]
        else:
            assert await communicator.connect() == (False, CLOSE_NOT_LOGGED_IN)
