"""Video Range requests through the production server: daphne serving ``hub.asgi`` in a
subprocess, on the test database, over real HTTP. And the ASGI iteration of the response, which
must stream chunk by chunk: Django's fallback for synchronous iterators would read the whole
file into memory first (and warn, which daphne's Twisted logging swallows, hence the unit test).
"""

from __future__ import annotations

import asyncio
import http.client
import os
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from library.video import services
from library.video.responses import CHUNK_BYTES, RangedFileResponse
from tests.factories import EmployeeFactory
from tests.library.video.test_validation import FFMPEG_WEBM_HEAD

BASE_DIR = Path(__file__).resolve().parents[3]
# ~1.3 MB: several chunks, small enough for a quick test.
BODY = FFMPEG_WEBM_HEAD + bytes(range(251)) * 5300
SIZE = len(BODY)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def private_root(settings, tmp_path) -> Path:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.fixture
def daphne_server(transactional_db, private_root) -> Iterator[tuple[int, Path]]:
    """daphne on a free port, sharing the test database and the private media directory."""
    from django.db import connection

    database = connection.settings_dict
    if database["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("this test shares a SQLite test database with daphne")
    port = _free_port()
    log_path = private_root / "daphne.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings.test",
        "DATABASE_URL": f"sqlite:///{Path(database['NAME']).resolve()}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
        "PYTHONWARNINGS": "always",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
    }
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
        deadline = time.monotonic() + 20
        while True:
            if server.poll() is not None:
                pytest.fail(f"daphne exited:\n{log_path.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"daphne did not start:\n{log_path.read_text()}")
                time.sleep(0.1)
        yield port, log_path
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def fetch(port: int, path: str, headers: dict[str, str], method: str = "GET"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_range_requests_under_daphne(daphne_server):
    port, _log_path = daphne_server
    video = services.video_create(
        title="daphne", file=SimpleUploadedFile("clip.webm", BODY, content_type="video/webm")
    )
    learner = EmployeeFactory()
    client = Client()
    client.force_login(learner.user)
    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies['sessionid'].value}"}
    url = video.stream_url

    status, headers, body = fetch(port, url, {})
    assert status == 302  # anonymous: to the login page

    status, headers, body = fetch(port, url, cookie)
    assert status == 200
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["Content-Type"] == "video/webm"
    assert headers["Content-Length"] == str(SIZE)
    assert body == BODY

    start, end = CHUNK_BYTES - 100, 2 * CHUNK_BYTES + 100
    status, headers, body = fetch(port, url, {**cookie, "Range": f"bytes={start}-{end}"})
    assert status == 206
    assert headers["Content-Range"] == f"bytes {start}-{end}/{SIZE}"
    assert body == BODY[start : end + 1]

    status, headers, body = fetch(port, url, {**cookie, "Range": f"bytes={SIZE - 10}-"})
    assert (status, body) == (206, BODY[-10:])

    status, headers, body = fetch(port, url, {**cookie, "Range": "bytes=-7"})
    assert (status, body) == (206, BODY[-7:])
    assert headers["Content-Range"] == f"bytes {SIZE - 7}-{SIZE - 1}/{SIZE}"

    status, headers, body = fetch(port, url, {**cookie, "Range": f"bytes={SIZE}-"})
    assert status == 416
    assert headers["Content-Range"] == f"bytes */{SIZE}"

    status, headers, body = fetch(port, url, {**cookie, "Range": "bytes=0-9"}, method="HEAD")
    assert (status, headers["Content-Length"], body) == (206, "10", b"")


def test_asgi_iteration_streams_in_chunks(tmp_path):
    path = tmp_path / "clip.bin"
    path.write_bytes(BODY)
    start, length = 10, SIZE - 20
    response = RangedFileResponse(lambda: path.open("rb"), start, length)

    async def collect() -> list[bytes]:
        return [chunk async for chunk in response]

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Django's read-everything fallback warns
        chunks = asyncio.run(collect())
    assert len(chunks) == -(-length // CHUNK_BYTES)
    assert max(len(chunk) for chunk in chunks) == CHUNK_BYTES
    assert b"".join(chunks) == BODY[start : start + length]
