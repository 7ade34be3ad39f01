"""Parallel writes over HTTP to daphne: 20 learners enrol at once for one seat.

On SQLite a deferred transaction that reads first and then writes fails with SQLITE_BUSY
("database is locked") at once, without waiting for the busy timeout, when another
connection wrote in between: the learner got a 500 instead of the waitlist. With
``transaction_mode: IMMEDIATE`` (hub.settings.base) every transaction takes the write lock
when it begins, so the writers queue behind the busy timeout. On PostgreSQL the session row
lock keeps the seat single; the test runs on both.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator

import pytest
import requests
from django.conf import settings
from django.test import Client
from django.urls import reverse

from hub.sessions.models import Enrolment
from tests.factories import EmployeeFactory, SessionFactory
from tests.hub.sessions.helpers import make_trainer
from tests.servers import free_port, server_env, start_daphne, stop, wait_for_port

pytestmark = pytest.mark.django_db(transaction=True)

LEARNERS = 20


@pytest.fixture(scope="module")
def daphne_url(django_db_setup, tmp_path_factory) -> Iterator[str]:
    from django.db import connection

    port = free_port()
    log = tmp_path_factory.mktemp("daphne") / "daphne.log"
    server = start_daphne(port, server_env(connection.settings_dict), log)
    try:
        wait_for_port(port, server, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(server)
    assert "database is locked" not in log.read_text()


def _http_session(employee) -> requests.Session:
    """A logged-in HTTP client: the session row is written to the shared test database by
    Django's test client; the CSRF cookie and header carry one fresh secret."""
    client = Client()
    client.force_login(employee.user)
    csrf = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
    http = requests.Session()
    session_id = client.cookies[settings.SESSION_COOKIE_NAME].value
    http.cookies.set(settings.SESSION_COOKIE_NAME, session_id)
    http.cookies.set(settings.CSRF_COOKIE_NAME, csrf)
    http.headers["X-CSRFToken"] = csrf
    return http


def _post_all_at_once(clients: list[requests.Session], url: str) -> list[int]:
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def post(http: requests.Session) -> None:
        barrier.wait(timeout=30)
        try:
            response = http.post(url, allow_redirects=False, timeout=120)
            statuses.append(response.status_code)
        except requests.RequestException as exc:  # pragma: no cover - reported below
            statuses.append(repr(exc))
        finally:
            http.close()

    threads = [threading.Thread(target=post, args=(http,)) for http in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return statuses


def test_twenty_parallel_enrolments_for_one_seat_fill_it_and_waitlist_the_rest(daphne_url):
    session = SessionFactory(trainers=[make_trainer()], capacity=1)
    learners = EmployeeFactory.create_batch(LEARNERS)
    clients = [_http_session(learner) for learner in learners]

    statuses = _post_all_at_once(clients, daphne_url + reverse("sessions:enrol", args=[session.pk]))

    assert statuses == [302] * LEARNERS  # no 500: each learner is redirected to the session
    enrolments = Enrolment.objects.filter(session=session)
    assert enrolments.filter(status=Enrolment.Status.ENROLLED).count() == 1
    assert enrolments.filter(status=Enrolment.Status.WAITLISTED).count() == LEARNERS - 1
