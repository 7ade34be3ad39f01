"""/media/ needs a login (hub.media): library images and posters are not public. And the
favicon: a <link rel="icon"> on every page and /favicon.ico sent to it."""

import pytest
from django.core.files.images import ImageFile
from django.test import Client
from wagtail.images import get_image_model
from wagtail.models import Collection

from library.video.demo import DEMO_POSTER

pytestmark = pytest.mark.django_db


@pytest.fixture
def poster(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    with DEMO_POSTER.open("rb") as handle:
        return get_image_model().objects.create(
            title="封面", file=ImageFile(handle, name=DEMO_POSTER.name)
        )


def test_an_anonymous_visitor_is_sent_to_log_in(poster):
    url = poster.file.url
    assert url.startswith("/media/")
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/media/")


def test_a_logged_in_user_gets_the_file(poster, client_for, learner):
    response = client_for(learner).get(poster.file.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    assert client_for(learner).get("/media/no-such-file.png").status_code == 404


def test_behind_nginx_the_file_is_handed_over_after_the_login_check(
    poster, client_for, learner, settings
):
    settings.LECTERN_MEDIA_ACCEL_REDIRECT = "/_media/"
    response = client_for(learner).get(poster.file.url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/_media/" + poster.file.name
    assert response.content == b""
    assert Client().get(poster.file.url).status_code == 302


def test_pages_carry_the_favicon_and_favicon_ico_points_at_it(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'rel="icon"' in html and "favicon" in html
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"<svg" in b"".join(icon.streaming_content)


def test_documents_need_a_login_too(settings, tmp_path, client_for, learner):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    settings.MEDIA_ROOT = tmp_path / "media"
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    document = get_document_model().objects.create(
        title="讲义", file=ContentFile(b"%PDF-1.4 demo", name="handout.pdf")
    )
    assert Client().get(document.url).status_code == 302
    response = client_for(learner).get(document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
