"""H5P player, signed file URLs, the xAPI endpoint, the upload page, the course block."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signing import TimestampSigner
from django.test import Client
from django.urls import reverse

from hub.organisation.models import Role
from library.blocks import CourseStreamBlock
from library.h5p import storage
from library.h5p.models import H5PAllowedLibrary, H5PContent, H5PLibrary, H5PResult
from library.h5p.selectors import h5p_score_summary
from library.h5p.services import XAPIError, h5p_content_create
from library.h5p.tokens import SALT, file_token, player_url
from tests.factories import EmployeeFactory, grant
from tests.library.h5p_packages import build, h5p_root_fixture, minimal_files  # noqa: F401

pytestmark = pytest.mark.django_db
VERB = "http://adlnet.gov/expapi/verbs/"


@pytest.fixture
def content(h5p_root):
    H5PAllowedLibrary.objects.create(machine_name="H5P.Demo", major=1, minor=0)
    package = build(minimal_files())
    return h5p_content_create(package=package, name="quiz.h5p", size=1, uploaded_by=None)


def statement(verb="answered", raw=1, maximum=1, **extra):
    data = {
        "verb": {"id": VERB + verb},
        "object": {"id": "http://x/", "definition": {}},
        "result": {"score": {"raw": raw, "max": maximum}, "completion": True, "success": True},
    }
    data.update(extra)
    return data


def post_xapi(client, content, payload, **kwargs):
    return client.post(
        reverse("library:h5p:xapi", kwargs={"pk": content.pk}),
        data=json.dumps(payload),
        content_type="application/json",
        **kwargs,
    )


# --- player and files ------------------------------------------------------------------------


def test_player_needs_a_valid_token(content):
    client = Client()
    url = reverse("library:h5p:player", kwargs={"pk": content.pk})
    assert client.get(url).status_code == 403
    assert client.get(url + "?t=forged").status_code == 403
    other = file_token(content.pk + 1)
    assert client.get(f"{url}?t={other}").status_code == 403


def test_player_headers_and_no_inline_script(content):
    response = Client().get(player_url(content.pk))  # no cookies at all
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'self'" in csp
    # Opened top-level (not in the sandboxed iframe) the player is still an opaque origin:
    # scripts yes, same-origin access to the hub no.
    directives = [part.strip() for part in csp.split(";")]
    assert "sandbox allow-scripts" in directives
    assert "allow-same-origin" not in csp
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert not response.cookies
    html = response.content.decode()
    assert "main.bundle.js" in html and "js/h5p_player.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # every script is a file


def test_files_served_with_token_and_cors(content):
    client = Client()
    base = reverse("library:h5p:files", kwargs={"pk": content.pk, "token": file_token(content.pk)})
    h5p = client.get(base + "h5p.json")
    assert h5p.status_code == 200
    assert h5p["Access-Control-Allow-Origin"] == "*"
    assert h5p["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in h5p["Content-Security-Policy"]
    assert json.loads(b"".join(h5p.streaming_content))["title"] == "连带销售小测验"
    assert client.get(base + "content/content.json").status_code == 200
    assert client.get(base + "content/images/shirt.png")["Content-Type"] == "image/png"
    script = client.get(base + "libraries/H5P.Demo-1.0/scripts/demo.js")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("text/javascript")


def test_files_refused_without_a_valid_token(content):
    client = Client()
    forged = TimestampSigner(salt=SALT).sign("1")
    for token in ("nonsense", forged, file_token(content.pk + 7)):
        base = reverse("library:h5p:files", kwargs={"pk": content.pk, "token": token})
        assert client.get(base + "h5p.json").status_code == 403


def test_expired_token_refused(content, settings):
    settings.H5P_FILE_TOKEN_MAX_AGE = -1
    assert Client().get(player_url(content.pk)).status_code == 403


def test_files_never_escape_their_folder(content, h5p_root):
    (h5p_root / "secret.txt").write_text("secret")
    client = Client()
    base = reverse("library:h5p:files", kwargs={"pk": content.pk, "token": file_token(content.pk)})
    assert client.get(base + "content/../h5p.json").status_code == 404
    assert client.get(base + "content/%2e%2e/%2e%2e/%2e%2e/secret.txt").status_code == 404
    assert client.get(base + "libraries/H5P.Demo-1.0/../../secret.txt").status_code == 404


def test_only_the_contents_own_libraries_are_served(content, h5p_root):
    H5PLibrary.objects.create(machine_name="H5P.Other", major=1, minor=0, patch=0, title="x")
    other = storage.library_dir("H5P.Other-1.0")
    other.mkdir(parents=True)
    (other / "x.js").write_text("1")
    base = reverse("library:h5p:files", kwargs={"pk": content.pk, "token": file_token(content.pk)})
    assert Client().get(base + "libraries/H5P.Other-1.0/x.js").status_code == 404


# --- embedding and preview -----------------------------------------------------------------


def test_preview_embeds_a_sandboxed_iframe_without_same_origin(content, learner, client_for):
    response = client_for(learner).get(reverse("library:h5p:preview", kwargs={"pk": content.pk}))
    html = response.content.decode()
    iframe = re.search(r"<iframe[^>]*>", html).group(0)
    assert 'sandbox="allow-scripts"' in iframe
    assert "allow-same-origin" not in html
    assert f"/library/h5p/{content.pk}/player/?t=" in iframe
    assert "js/h5p_embed.js" in html


def test_preview_needs_login(content):
    response = Client().get(reverse("library:h5p:preview", kwargs={"pk": content.pk}))
    assert response.status_code == 302


def test_course_block_renders_embed_with_best_and_latest(content, learner, rf):
    H5PResult.objects.create(
        content=content,
        employee=learner,
        verb="answered",
        score_raw=3,
        score_max=4,
        score_scaled="0.75",
    )
    H5PResult.objects.create(
        content=content,
        employee=learner,
        verb="answered",
        score_raw=1,
        score_max=4,
        score_scaled="0.25",
    )
    request = rf.get("/")
    request.user = learner.user
    stream = CourseStreamBlock().to_python([{"type": "h5p", "value": {"content": content.pk}}])
    html = stream.render_as_block(context={"request": request})
    assert 'sandbox="allow-scripts"' in html
    assert re.search(r'data-testid="h5p-best">3 / 4<', html)
    assert re.search(r'data-testid="h5p-latest">1 / 4<', html)
    assert "csrfmiddlewaretoken" in html


# --- xAPI --------------------------------------------------------------------------------------


def test_xapi_requires_csrf(content, learner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner.user)
    response = post_xapi(client, content, {"statement": statement()})
    assert response.status_code == 403
    assert not H5PResult.objects.exists()
    client.get(reverse("library:h5p:preview", kwargs={"pk": content.pk}))
    token = client.cookies["csrftoken"].value
    response = post_xapi(client, content, {"statement": statement()}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201


def test_xapi_requires_login(content):
    response = post_xapi(Client(), content, {"statement": statement()})
    assert response.status_code == 403
    assert response.json()["error"] == "login_required"
    assert not H5PResult.objects.exists()


def test_xapi_stores_result_and_answers_best_and_latest(content, learner, client_for):
    client = client_for(learner)
    assert post_xapi(client, content, {"statement": statement(raw=2, maximum=4)}).status_code == 201
    response = post_xapi(client, content, {"statement": statement("completed", raw=1, maximum=4)})
    assert response.status_code == 201
    body = response.json()
    assert body["best"]["raw"] == 2 and body["latest"]["raw"] == 1
    result = H5PResult.objects.get(verb="completed")
    assert (result.employee, result.content, float(result.score_scaled)) == (learner, content, 0.25)
    assert result.completion is True and result.success is True


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"statement": statement("interacted")}, XAPIError.VERB),
        ({"statement": statement("attempted")}, XAPIError.VERB),
        ({"statement": statement(raw=5, maximum=4)}, XAPIError.SCORE),
        ({"statement": statement(raw=-1, maximum=4)}, XAPIError.SCORE),
        ({"statement": statement(raw=0, maximum=0)}, XAPIError.SCORE),
        ({"statement": statement(raw="3", maximum=4)}, XAPIError.SCORE),
        ({"statement": statement(raw=True, maximum=4)}, XAPIError.SCORE),
        ({"statement": statement(result={})}, XAPIError.SCORE),
        (
            {"statement": statement(result={"score": {"raw": 1, "max": 1}, "success": "yes"})},
            XAPIError.FLAGS,
        ),
        (
            {
                "statement": statement(
                    object={
                        "definition": {
                            "extensions": {"http://h5p.org/x-api/h5p-subContentId": "abc"}
                        }
                    }
                )
            },
            XAPIError.SUB_CONTENT,
        ),
        ({"statement": "answered"}, XAPIError.NOT_OBJECT),
        ({}, XAPIError.NOT_OBJECT),
    ],
)
def test_xapi_validation_errors(content, learner, client_for, payload, code):
    response = post_xapi(client_for(learner), content, payload)
    assert response.status_code == 400
    assert response.json()["error"] == code
    assert not H5PResult.objects.exists()


def test_xapi_boundaries(content, learner, client_for):
    client = client_for(learner)
    assert post_xapi(client, content, {"statement": statement(raw=0, maximum=4)}).status_code == 201
    assert post_xapi(client, content, {"statement": statement(raw=4, maximum=4)}).status_code == 201
    assert sorted(float(r.score_scaled) for r in H5PResult.objects.all()) == [0.0, 1.0]


def test_xapi_body_size_limit(content, learner, client_for, settings):
    settings.H5P_XAPI_MAX_BYTES = 500
    payload = {"statement": statement(padding="x" * 600)}
    response = post_xapi(client_for(learner), content, payload)
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert not H5PResult.objects.exists()


def test_xapi_invalid_json(content, learner, client_for):
    client = client_for(learner)
    response = client.post(
        reverse("library:h5p:xapi", kwargs={"pk": content.pk}),
        data=b"{not json",
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_json"
    assert not H5PResult.objects.exists()


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_xapi_non_finite_scores_are_refused(content, learner, client_for, number):
    # json.loads accepts these JavaScript literals; they must not reach the Decimal columns.
    body = json.dumps({"statement": statement(raw=1, maximum=2)}).replace(
        '"raw": 1', f'"raw": {number}'
    )
    response = client_for(learner).post(
        reverse("library:h5p:xapi", kwargs={"pk": content.pk}),
        data=body,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"] == XAPIError.SCORE
    assert not H5PResult.objects.exists()


@pytest.mark.parametrize(
    ("raw", "maximum"), [(1, 1e300), (1e300, 1e300), (1, 10**40), (-(10**40), 1)]
)
def test_xapi_huge_numbers_are_refused_not_a_crash(content, learner, client_for, raw, maximum):
    response = post_xapi(
        client_for(learner), content, {"statement": statement(raw=raw, maximum=maximum)}
    )
    assert response.status_code == 400
    assert response.json()["error"] == XAPIError.SCORE
    assert not H5PResult.objects.exists()


def test_xapi_maximum_score_boundary(content, learner, client_for):
    client = client_for(learner)
    ok = post_xapi(client, content, {"statement": statement(raw=1, maximum=1_000_000)})
    assert ok.status_code == 201
    over = post_xapi(client, content, {"statement": statement(raw=1, maximum=1_000_000.5)})
    assert over.status_code == 400
    assert over.json()["error"] == XAPIError.SCORE
    assert H5PResult.objects.get().score_max == 1_000_000


def test_best_and_latest_selector(content, learner):
    other = EmployeeFactory(branch=learner.branch)
    empty = h5p_score_summary(content=content, employee=learner)
    assert (empty.best, empty.latest, empty.attempts) == (None, None, 0)
    first = H5PResult.objects.create(
        content=content,
        employee=learner,
        verb="answered",
        score_raw=3,
        score_max=4,
        score_scaled="0.75",
    )
    tie = H5PResult.objects.create(
        content=content,
        employee=learner,
        verb="answered",
        score_raw=3,
        score_max=4,
        score_scaled="0.75",
    )
    last = H5PResult.objects.create(
        content=content,
        employee=learner,
        verb="answered",
        score_raw=0,
        score_max=4,
        score_scaled="0",
    )
    H5PResult.objects.create(
        content=content,
        employee=other,
        verb="answered",
        score_raw=4,
        score_max=4,
        score_scaled="1",
    )
    summary = h5p_score_summary(content=content, employee=learner)
    assert summary.best == first  # earliest of the tied best
    assert summary.latest == last
    assert summary.attempts == 3
    assert tie != summary.best


def test_score_endpoint(content, learner, client_for):
    client = client_for(learner)
    post_xapi(client, content, {"statement": statement(raw=1, maximum=2)})
    data = client.get(reverse("library:h5p:score", kwargs={"pk": content.pk})).json()
    assert data["best"]["raw"] == 1 and data["latest"]["max"] == 2


# --- upload --------------------------------------------------------------------------------


@pytest.fixture
def trainer(branch):
    employee = EmployeeFactory(branch=branch)
    grant(employee, Role.TRAINER)
    return employee


def upload(client, files, name="quiz.h5p"):
    package = SimpleUploadedFile(name, build(files).getvalue(), "application/zip")
    return client.post(reverse("library:h5p:upload"), {"package": package, "title": ""})


def test_upload_page_installs_valid_package(h5p_root, trainer, client_for):
    H5PAllowedLibrary.objects.create(machine_name="H5P.Demo", major=1, minor=0)
    response = upload(client_for(trainer), minimal_files())
    content = H5PContent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("library:h5p:preview", kwargs={"pk": content.pk})
    assert content.uploaded_by == trainer.user


def test_rejected_upload_shows_errors_and_stores_nothing(h5p_root, trainer, client_for):
    H5PAllowedLibrary.objects.create(machine_name="H5P.Demo", major=1, minor=0)
    bad = minimal_files() | {"content/logo.svg": b"<svg/>", "content/x.jpg": b"GIF89a"}
    response = upload(client_for(trainer, language="en"), bad)
    assert response.status_code == 200
    html = response.content.decode()
    assert "content/logo.svg: SVG images are not allowed in content/" in html
    assert "content/x.jpg: the file&#x27;s content is not a JPG file" in html
    assert not H5PContent.objects.exists() and not H5PLibrary.objects.exists()
    assert not h5p_root.exists() or not any(p.is_file() for p in h5p_root.rglob("*"))


def test_learner_cannot_upload(h5p_root, learner, client_for):
    H5PAllowedLibrary.objects.create(machine_name="H5P.Demo", major=1, minor=0)
    assert upload(client_for(learner), minimal_files()).status_code == 403
    assert not H5PContent.objects.exists()


def test_wagtail_snippet_upload_runs_validation(h5p_root, hq_admin, client_for):
    H5PAllowedLibrary.objects.create(machine_name="H5P.Demo", major=1, minor=0)
    client = client_for(hq_admin, language="en")
    url = reverse("wagtailsnippets_library_h5pcontent:add")
    assert client.get(url).status_code == 200
    bad = SimpleUploadedFile(
        "bad.h5p", build(minimal_files() | {"content/a.svg": b"<svg/>"}).getvalue()
    )
    response = client.post(url, {"package": bad, "title": ""})
    assert response.status_code == 200
    assert "SVG images are not allowed" in response.content.decode()
    assert not H5PContent.objects.exists()
    good = SimpleUploadedFile("good.h5p", build(minimal_files()).getvalue())
    response = client.post(url, {"package": good, "title": "门店连带销售"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert H5PContent.objects.get().title == "门店连带销售"


def test_snippet_listing_queries_do_not_grow_with_the_rows(content, hq_admin, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(hq_admin, language="en")
    url = reverse("wagtailsnippets_library_h5pcontent:list")
    client.get(url)  # warm per-user caches

    def listing_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries)

    one = listing_queries()
    uploader = EmployeeFactory(branch=hq_admin.branch).user
    for number in range(3):
        H5PContent.objects.create(
            title=f"第{number}题",
            main_library=content.main_library,
            package_name="x.h5p",
            package_size=1,
            uploaded_by=uploader,
        )
    html = client.get(url).content.decode()
    assert "第2题" in html and str(content.main_library) in html
    assert listing_queries() == one


def test_allow_list_admin_is_hq_only(trainer, hq_admin, client_for):
    url = reverse("wagtailsnippets_library_h5pallowedlibrary:list")
    assert client_for(hq_admin).get(url).status_code == 200
    assert client_for(trainer).get(url).status_code in (302, 403)


def test_trainer_chooses_content_in_the_editor_but_cannot_delete(content, trainer, client_for):
    client = client_for(trainer, language="en")
    chooser = client.get(reverse("wagtailsnippetchoosers_library_h5pcontent:choose"))
    assert chooser.status_code == 200
    assert "连带销售小测验" in chooser.json()["html"]
    delete = reverse("wagtailsnippets_library_h5pcontent:delete", args=[content.pk])
    assert client.post(delete).status_code in (302, 403)
    assert H5PContent.objects.filter(pk=content.pk).exists()


def test_learner_gets_no_h5p_admin(content, learner, client_for):
    client = client_for(learner)
    for url in (
        reverse("wagtailsnippets_library_h5pcontent:add"),
        reverse("wagtailsnippetchoosers_library_h5pcontent:choose"),
    ):
        assert client.get(url).status_code in (302, 403)


def test_edit_changes_only_the_title(content, trainer, client_for):
    client = client_for(trainer, language="en")
    url = reverse("wagtailsnippets_library_h5pcontent:edit", args=[content.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="package"' not in page.content.decode()
    assert client.post(url, {"title": "新标题"}).status_code == 302
    content.refresh_from_db()
    assert content.title == "新标题"
    assert (storage.content_dir(content.pk) / "h5p.json").is_file()


def test_upload_size_limit_and_extension(h5p_root, trainer, client_for, settings):
    H5PAllowedLibrary.objects.create(machine_name="H5P.Demo", major=1, minor=0)
    client = client_for(trainer, language="en")
    size = len(build(minimal_files()).getvalue())
    settings.H5P_MAX_UPLOAD_BYTES = size - 1
    response = upload(client, minimal_files())
    assert response.status_code == 200
    assert "may be uploaded" in response.content.decode()
    settings.H5P_MAX_UPLOAD_BYTES = size
    response = upload(client, minimal_files(), name="quiz.zip")
    assert "Choose a .h5p file." in response.content.decode()
    assert not H5PContent.objects.exists()
    assert upload(client, minimal_files()).status_code == 302  # exactly at the limit
