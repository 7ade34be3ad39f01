"""Content-Security-Policy on every kind of page (hub.csp): the hub's pages carry a strict
policy with a nonce and no inline script; the admins get their own; the H5P player keeps its
stricter header; the live room and recordings allow their stream's origin only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from library.h5p.services import h5p_content_create
from library.h5p.tokens import player_url
from library.h5p.views import PLAYER_CSP
from library.models import CaseIndexPage
from library.services import library_install
from live.models import LiveRoom
from tests.factories import EnrolmentFactory, SessionFactory
from tests.hub.sessions.helpers import live_session, make_trainer
from tests.library.h5p_packages import allow, build, h5p_root_fixture, minimal_files  # noqa: F401

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict(response) -> dict[str, list[str]]:
    assert response.status_code == 200
    directives = policy(response)
    script = directives["script-src"]
    assert "'unsafe-inline'" not in script
    assert "'unsafe-eval'" not in script
    assert any(value.startswith("'nonce-") for value in script)
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    return directives


def nonce_of(response) -> str:
    return next(v for v in policy(response)["script-src"] if v.startswith("'nonce-"))


def test_login_page_has_a_strict_policy_with_a_fresh_nonce_each_time():
    client = Client()
    first = client.get(reverse("login"))
    second = client.get(reverse("login"))
    assert_strict(first)
    assert_strict(second)
    assert nonce_of(first) != nonce_of(second)


@pytest.mark.parametrize("page", ["home", "portal:learning", "sessions:list"])
def test_hub_pages_have_a_strict_policy(client_for, learner, page):
    assert_strict(client_for(learner).get(reverse(page)))


def test_session_page_has_a_strict_policy(client_for, learner):
    session = SessionFactory(trainers=[make_trainer()])
    assert_strict(client_for(learner).get(reverse("sessions:detail", args=[session.pk])))


def test_library_page_has_a_strict_policy(client_for, learner):
    library_install()
    index = CaseIndexPage.objects.get()
    assert_strict(client_for(learner).get(index.url))


@pytest.mark.parametrize(
    ("stream_url", "allowed", "not_allowed"),
    [
        ("https://video.example.cn/live/room.m3u8", ["connect-src", "media-src"], "frame-src"),
        ("https://meeting.example.cn/j/123?pwd=x", ["frame-src"], "media-src"),
    ],
)
def test_live_room_allows_its_stream_origin_only(
    client_for, learner, stream_url, allowed, not_allowed
):
    session = live_session(make_trainer(), mode="live_online", stream_url=stream_url)
    LiveRoom.objects.create(session=session)
    EnrolmentFactory(session=session, learner=learner)
    response = client_for(learner).get(reverse("live:room", args=[session.pk]))
    directives = assert_strict(response)
    origin = stream_url.split("/", 3)
    origin = f"{origin[0]}//{origin[2]}"
    for name in allowed:
        assert origin in directives[name]
    assert origin not in directives[not_allowed]
    assert stream_url not in response["Content-Security-Policy"]  # the origin, not the path


def test_cms_and_django_admin_get_the_admin_policy(client_for, hq_admin):
    client = client_for(hq_admin)
    cms = client.get("/cms/")
    assert cms.status_code == 200
    directives = policy(cms)
    assert directives["frame-ancestors"] == ["'self'"]  # Wagtail frames its previews
    # Wagtail's editor needs inline scripts (a nonce would disable 'unsafe-inline'), not eval.
    assert not any(v.startswith("'nonce-") for v in directives["script-src"])
    assert "'unsafe-eval'" not in directives["script-src"]
    admin = Client().get("/django-admin/login/")
    assert policy(admin)["object-src"] == ["'none'"]


def test_h5p_player_keeps_its_own_stricter_policy(h5p_root):
    allow("H5P.Demo")
    content = h5p_content_create(
        package=build(minimal_files()), name="quiz.h5p", size=1, uploaded_by=None
    )
    response = Client().get(player_url(content.pk))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == PLAYER_CSP


def test_every_template_script_is_external():
    """No inline script or event handler in a template: the policy would block it."""
    import re
    from pathlib import Path

    from django.conf import settings

    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>")
    handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    offenders = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = path.read_text()
        if inline_script.search(text) or handler.search(text):
            offenders.append(str(path))
    assert offenders == []
