"""Login throttling (hub.login_throttle, django-axes): N wrong passwords lock the account, N
failures from one address lock that address, the lockout ends after the cool-off time, each
lockout is audited; and the password validators refuse weak new passwords."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from uuid import uuid4

import pytest
from django.test import Client
from django.urls import reverse

from hub.organisation.models import AuditEvent
from tests.factories import PASSWORD, EmployeeFactory

pytestmark = pytest.mark.django_db

LIMIT = 3
# Documentation addresses (RFC 5737), a fresh one per test.
_addresses = (f"192.0.2.{n}" for n in itertools.cycle(range(1, 255)))


HANDLERS = [
    # Production with REDIS_URL (here: the test cache, Redis in CI's Redis pass).
    "axes.handlers.cache.AxesCacheHandler",
    # Without Redis: the database.
    "axes.handlers.database.AxesDatabaseHandler",
]


@pytest.fixture(params=HANDLERS, ids=["cache", "database"])
def throttle(request, settings):
    # A cache of this test's own: with Redis, counts outlive the test (and the run).
    default = settings.CACHES["default"]
    settings.CACHES = {**settings.CACHES, "default": {**default, "KEY_PREFIX": uuid4().hex}}
    settings.AXES_HANDLER = request.param
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
    return settings


@pytest.fixture
def address():
    return next(_addresses)


def log_in(username: str, password: str, address: str, client: Client | None = None):
    client = client or Client()
    response = client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )
    return client, response


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_wrong_passwords_below_the_limit_still_let_the_right_one_in(throttle, learner, address):
    for _ in range(LIMIT - 1):
        _client, response = log_in(learner.user.username, "wrong", address)
        assert response.status_code == 200
    client, response = log_in(learner.user.username, PASSWORD, address)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_limit_of_wrong_passwords_locks_the_account_even_for_the_right_password(
    throttle, learner, address
):
    for _ in range(LIMIT):
        _client, response = log_in(learner.user.username, "wrong", address)
    assert response.status_code == 429
    # From another address, with the right password: still locked, with the reason.
    client, response = log_in(learner.user.username, PASSWORD, next(_addresses))
    assert response.status_code == 429
    assert not is_logged_in(client)
    assert "15" in response.context["locked_out"]
    assert "登录失败次数过多" in response.content.decode()
    # Another account from the first address is locked too (the address is).
    other = EmployeeFactory()
    client, response = log_in(other.user.username, PASSWORD, address)
    assert response.status_code == 429
    assert not is_logged_in(client)


def test_failures_across_accounts_from_one_address_lock_the_address(throttle, address):
    for _ in range(LIMIT):
        log_in(EmployeeFactory().user.username, "wrong", address)
    victim = EmployeeFactory()
    client, response = log_in(victim.user.username, PASSWORD, address)
    assert response.status_code == 429
    assert not is_logged_in(client)
    # The same account from another address is not locked: its own count is zero.
    client, response = log_in(victim.user.username, PASSWORD, next(_addresses))
    assert response.status_code == 302
    assert is_logged_in(client)


def test_lockout_ends_after_the_cool_off_time(throttle, learner, address):
    throttle.AXES_COOLOFF_TIME = dt.timedelta(seconds=1)
    for _ in range(LIMIT):
        log_in(learner.user.username, "wrong", address)
    _client, response = log_in(learner.user.username, PASSWORD, address)
    assert response.status_code == 429
    time.sleep(2.1)
    client, response = log_in(learner.user.username, PASSWORD, address)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_lockout_writes_an_audit_event(throttle, learner, address):
    for _ in range(LIMIT + 2):  # two more attempts, refused during the lockout
        log_in(learner.user.username, "wrong", address)
    log_in(learner.user.username, PASSWORD, address)
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_LOCKED_OUT)
    assert event.actor is None
    assert event.data == {"username": learner.user.username, "ip_address": address, "minutes": 15}
    assert learner.user.username in event.summary


def test_lockout_message_in_english(throttle, learner, address):
    client = Client()
    client.cookies["django_language"] = "en"
    for _ in range(LIMIT):
        _client, response = log_in(learner.user.username, "wrong", address, client)
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "15 minutes" in response.content.decode()


@pytest.mark.parametrize("weak", ["12345678", "password", "short1"])
def test_password_change_refuses_weak_passwords(client_for, learner, weak):
    client = client_for(learner)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    learner.user.refresh_from_db()
    assert learner.user.check_password(PASSWORD)


@pytest.mark.django_db(transaction=True)
def test_daphne_answers_a_locked_out_login_with_the_page_and_429(tmp_path_factory):
    """Through the ASGI stack (axes' async middleware path) and its own process."""
    import re

    import requests
    from django.db import connection

    from tests.servers import free_port, server_env, start_daphne, stop, wait_for_port

    learner = EmployeeFactory()
    port = free_port()
    log = tmp_path_factory.mktemp("daphne") / "daphne.log"
    env = server_env(
        connection.settings_dict,
        LECTERN_LOGIN_THROTTLE="1",
        LECTERN_LOGIN_FAILURE_LIMIT="2",
        # With Redis, counts outlive the test: this daphne counts in a cache of its own.
        CACHE_KEY_PREFIX=f"lectern-throttle-{uuid4().hex}",
    )
    server = start_daphne(port, env, log)
    try:
        wait_for_port(port, server, log)
        url = f"http://127.0.0.1:{port}{reverse('login')}"
        http = requests.Session()
        http.cookies.set("django_language", "en")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', http.get(url).text)[1]

        def attempt(password: str) -> requests.Response:
            data = {"csrfmiddlewaretoken": token, "username": learner.user.username}
            return http.post(url, data={**data, "password": password}, allow_redirects=False)

        assert attempt("wrong").status_code == 200
        locked = attempt("wrong")
        right = attempt(PASSWORD)
    finally:
        stop(server)
    assert locked.status_code == 429
    assert right.status_code == 429
    assert "Too many failed logins" in right.text
    assert "15 minutes" in right.text
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_LOCKED_OUT).count() >= 1
