"""Servers the tests start as subprocesses: daphne serving ``hub.asgi`` on a free loopback
port, on the test database pytest-django created (so the test process and daphne share the
committed rows of ``transactional_db`` tests). Used by the browser tests and by the live
scale-out tests, which run two daphne processes on one Redis."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
# Starting means importing Django, Wagtail and the project: seconds on an idle machine, far
# more on a busy 2-core CI machine running two test workers.
SERVER_START_TIMEOUT = 60.0


def database_url(database: dict) -> str:
    """A DATABASE_URL that makes another process open the current (test) database."""
    name = str(database["NAME"])
    if database["ENGINE"] == "django.db.backends.sqlite3":
        if name == ":memory:" or "mode=memory" in name:
            pytest.fail(
                "the SQLite test database is in memory, daphne cannot share it: set "
                'DATABASES["default"]["TEST"]["NAME"] to a file in hub/settings/test.py'
            )
        return f"sqlite:///{Path(name).resolve()}"
    if database["ENGINE"] == "django.db.backends.postgresql":
        credentials = quote(database["USER"] or "", safe="")
        if database.get("PASSWORD"):
            credentials += ":" + quote(database["PASSWORD"], safe="")
        host = database.get("HOST") or ""
        port = f":{database['PORT']}" if database.get("PORT") else ""
        return f"postgres://{credentials}@{host}{port}/{quote(name, safe='')}"
    pytest.fail(f"tests don't know how to share a {database['ENGINE']} database with daphne")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, server: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"daphne exited with {server.returncode}:\n{log_path.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    stop(server)
    pytest.fail(
        f"daphne did not accept connections on port {port} within {SERVER_START_TIMEOUT:.0f} s:"
        f"\n{log_path.read_text()}"
    )


def makefile_daphne_options(target: str = "serve") -> list[str]:
    """The options the Makefile's ``target`` starts daphne with (besides host and port), so
    tests can run daphne as ``make serve`` does."""
    recipe = (BASE_DIR / "Makefile").read_text().split(f"\n{target}:", 1)[1]
    line = next(row for row in recipe.splitlines() if "/daphne " in row)
    words = line.split("/daphne ", 1)[1].split()
    options, skip = [], False
    for word in words[: words.index("hub.asgi:application")]:
        if skip:
            skip = False
        elif word in {"-b", "-p"}:
            skip = True
        else:
            options.append(word)
    return options


def start_daphne(
    port: int, env: dict[str, str], log_path: Path, options: list[str] = ()
) -> subprocess.Popen:
    """daphne on 127.0.0.1:``port`` with ``env`` and ``options`` (the caller waits with
    ``wait_for_port``)."""
    daphne = Path(sys.executable).with_name("daphne")
    command = [str(daphne), "-b", "127.0.0.1", "-p", str(port), *options, "hub.asgi:application"]
    with log_path.open("wb") as log:
        return subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def server_env(database: dict, **extra: str) -> dict[str, str]:
    """The environment of a daphne that serves the test settings on ``database``."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings.test",
        "DATABASE_URL": database_url(database),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }
