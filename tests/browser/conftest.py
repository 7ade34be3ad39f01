"""Browser tests: a real headless Chromium (Debian's, driven by Playwright without
``playwright install``) against daphne serving ``hub.asgi`` in a subprocess, so HTTP, static
files, sessions, Origin checks and WebSockets all go through the production server.

daphne and the test process share the test database: pytest-django creates it, the fixtures
write accounts into it (``transactional_db``, so daphne sees committed rows), daphne reads it.

Playwright's sync API keeps an asyncio loop running in this thread, and Django then refuses
ORM calls (SynchronousOnlyOperation): write to the database before the browser starts. The
``browser`` fixture depends on ``accounts``, so it also closes before the database is flushed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from hub.organisation.models import Employee
from tests.factories import BranchFactory, EmployeeFactory, make_hq_admin, make_manager
from tests.servers import database_url, free_port, wait_for_port

BASE_DIR = Path(__file__).resolve().parent.parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# CI sets this: there a missing Chromium is a failure, not a skip.
REQUIRE_BROWSER = os.environ.get("LECTERN_REQUIRE_BROWSER") == "1"


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Debian's Chromium and the Playwright package, or a skip (a failure in CI)."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"Chromium at {CHROMIUM} (apt-get install -y chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install -e '.[test]')")
    if missing:
        reason = "browser tests need " + " and ".join(missing)
        if REQUIRE_BROWSER:
            pytest.fail(f"{reason}; LECTERN_REQUIRE_BROWSER=1 makes this an error")
        pytest.skip(reason)
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def live_h5p_root(tmp_path_factory) -> Path:
    """daphne's H5P_ROOT: a test that installs H5P content itself points settings here."""
    return tmp_path_factory.mktemp("h5p")


@pytest.fixture(scope="session")
def live_url(
    chromium_executable, django_db_setup, tmp_path_factory, live_h5p_root
) -> Iterator[str]:
    """daphne serving ``hub.asgi:application`` on a free port, on the test database."""
    from django.db import connection

    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings.test",
        "DATABASE_URL": database_url(connection.settings_dict),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
        "MEDIA_ROOT": str(tmp_path_factory.mktemp("media")),
        "PRIVATE_MEDIA_ROOT": str(tmp_path_factory.mktemp("private")),
        "LECTERN_H5P_ROOT": str(live_h5p_root),
    }
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    log_path = tmp_path_factory.mktemp("daphne") / "daphne.log"
    daphne = Path(sys.executable).with_name("daphne")
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [str(daphne), "-b", "127.0.0.1", "-p", str(port), "hub.asgi:application"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, server, log_path)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@dataclass(frozen=True)
class Accounts:
    manager: Employee
    learner: Employee
    hq_admin: Employee


@pytest.fixture
def accounts(transactional_db) -> Accounts:
    """A branch manager (their nav shows People), a learner of the same branch, an HQ admin."""
    branch = BranchFactory(name="上海分部")
    learner = EmployeeFactory(branch=branch)
    EmployeeFactory(branch=branch)
    return Accounts(manager=make_manager(branch), learner=learner, hq_admin=make_hq_admin())


def _wait_for_live_rooms_to_settle(timeout: float = 6.0) -> None:
    """After a live-room test, daphne writes the closed sockets' leaves (once a second) and
    then the monitor figures: let it, before the tables are flushed (on PostgreSQL a flush's
    TRUNCATE racing those transactions can deadlock)."""
    from live.models import PresenceInterval

    if not PresenceInterval.objects.exists():
        return
    deadline = time.monotonic() + timeout
    while PresenceInterval.objects.filter(left_at__isnull=True).exists():
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    time.sleep(1.5)


@pytest.fixture
def browser(chromium_executable, accounts, live_url):
    """A headless Chromium for one test, closed before ``accounts`` is flushed."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_executable, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()
    # Outside Playwright's event loop: the ORM refuses to run inside one.
    _wait_for_live_rooms_to_settle()
