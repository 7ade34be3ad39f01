"""Course videos: the upload service, the Wagtail admin upload, Range serving, subtitles, the
block and the demo video."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.images import ImageFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image as PILImage
from wagtail.images.models import Image

from hub.organisation.models import Role
from library.blocks import CourseStreamBlock
from library.video import services, validation
from library.video.blocks import VideoBlock
from library.video.demo import DEMO_TITLE, seed_demo_video
from library.video.models import Video
from library.video.responses import CHUNK_BYTES
from tests.factories import EmployeeFactory, UserFactory, grant, make_hq_admin
from tests.library.video.test_validation import FFMPEG_MP4_HEAD, FFMPEG_WEBM_HEAD, ebml_header

# A fake MP4 larger than two streaming chunks, so ranges cross chunk boundaries.
BODY = FFMPEG_MP4_HEAD + bytes(range(256)) * ((2 * CHUNK_BYTES + 5000) // 256)
SIZE = len(BODY)
VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n欢迎光临\n".encode()


@pytest.fixture
def media_roots(db, settings, tmp_path):
    """Private and public media in a temporary directory; returns the private root."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path / "private"


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def trainer(db, branch):
    employee = EmployeeFactory(branch=branch)
    grant(employee, Role.TRAINER)
    return employee


def upload(name: str, content: bytes, content_type: str = "video/mp4") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def make_poster() -> Image:
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 36), "navy").save(buffer, "PNG")
    return Image.objects.create(title="封面", file=ImageFile(buffer, name="poster.png"))


@pytest.fixture
def video(media_roots, trainer):
    return services.video_create(
        title="开场三步",
        file=upload("lesson.mp4", BODY),
        subtitles=upload("zh.vtt", VTT, "text/vtt"),
        subtitle_language="zh-Hans",
        subtitle_label="中文",
        uploaded_by=trainer.user,
    )


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- the upload service --------------------------------------------------------------------


class TestVideoCreate:
    def test_mp4_is_stored_with_the_sniffed_type(self, video, media_roots, trainer):
        video.refresh_from_db()
        assert video.content_type == "video/mp4"
        assert video.size == SIZE
        assert video.uploaded_by == trainer.user
        assert video.file.name.endswith(".mp4")
        assert video.subtitles.read() == VTT
        assert video.subtitle_language == "zh-Hans"
        # Private storage, never under MEDIA_ROOT (which /media/ serves).
        assert Path(video.file.path).is_relative_to(media_roots)

    def test_the_content_decides_the_type_not_the_name(self, media_roots, trainer):
        webm = services.video_create(
            title="WebM named .mp4",
            file=upload("lesson.mp4", FFMPEG_WEBM_HEAD + b"\0" * 100),
            uploaded_by=trainer.user,
        )
        assert webm.content_type == "video/webm"
        assert webm.file.name.endswith(".webm")

    def test_text_renamed_to_mp4_is_refused_and_nothing_is_stored(self, media_roots, trainer):
        with pytest.raises(ValidationError) as refused:
            services.video_create(
                title="假视频",
                file=upload("lesson.mp4", b"just some notes, not a video\n" * 10),
                uploaded_by=trainer.user,
            )
        assert refused.value.message_dict["file"] == [str(validation.NOT_A_VIDEO)]
        assert Video.objects.count() == 0
        assert stored_files(media_roots) == []

    def test_matroska_is_refused(self, media_roots, trainer):
        mkv = ebml_header(b"matroska") + b"\0" * 100
        with pytest.raises(ValidationError) as refused:
            services.video_create(
                title="mkv", file=upload("lesson.webm", mkv), uploaded_by=trainer.user
            )
        assert "matroska" in refused.value.message_dict["file"][0]
        assert Video.objects.count() == 0

    def test_size_limit_boundary(self, media_roots, trainer, settings):
        settings.LECTERN_VIDEO_MAX_BYTES = len(FFMPEG_MP4_HEAD) + 10
        at_limit = FFMPEG_MP4_HEAD + b"\0" * 10
        services.video_create(title="ok", file=upload("a.mp4", at_limit), uploaded_by=None)
        with pytest.raises(ValidationError) as refused:
            services.video_create(
                title="too big", file=upload("b.mp4", at_limit + b"\0"), uploaded_by=None
            )
        with translation.override("en"):
            assert "the largest allowed is" in refused.value.message_dict["file"][0]
        assert Video.objects.count() == 1
        assert len(stored_files(media_roots)) == 1

    def test_bad_subtitles_refuse_the_whole_upload(self, media_roots, trainer):
        srt = b"1\n00:00:00,000 --> 00:00:01,000\nHi\n"
        with pytest.raises(ValidationError) as refused:
            services.video_create(
                title="带字幕",
                file=upload("a.mp4", BODY),
                subtitles=upload("a.srt", srt, "text/plain"),
                uploaded_by=trainer.user,
            )
        assert refused.value.message_dict["subtitles"] == [str(validation.SUBTITLES_NOT_WEBVTT)]
        assert Video.objects.count() == 0
        assert stored_files(media_roots) == []

    def test_oversized_subtitles_are_refused(self, media_roots, trainer, settings):
        settings.LECTERN_VIDEO_SUBTITLE_MAX_BYTES = len(VTT) - 1
        with pytest.raises(ValidationError) as refused:
            services.video_create(
                title="字幕太大",
                file=upload("a.mp4", BODY),
                subtitles=upload("a.vtt", VTT, "text/vtt"),
                uploaded_by=trainer.user,
            )
        assert "subtitles" in refused.value.message_dict
        assert stored_files(media_roots) == []

    def test_subtitles_need_a_language(self, media_roots, trainer):
        with pytest.raises(ValidationError) as refused:
            services.video_create(
                title="无语言",
                file=upload("a.mp4", BODY),
                subtitles=upload("a.vtt", VTT, "text/vtt"),
                subtitle_language="",
                uploaded_by=trainer.user,
            )
        assert refused.value.message_dict["subtitle_language"] == [
            str(services.MSG_LANGUAGE_REQUIRED)
        ]

    def test_a_learner_may_not_upload(self, media_roots, learner):
        with pytest.raises(PermissionDenied):
            services.video_create(
                title="学员上传", file=upload("a.mp4", BODY), uploaded_by=learner.user
            )
        assert stored_files(media_roots) == []

    def test_files_are_removed_when_the_row_cannot_be_written(
        self, media_roots, trainer, monkeypatch
    ):
        def broken_save(self, *args, **kwargs):
            raise RuntimeError("database went away")

        monkeypatch.setattr(Video, "save", broken_save)
        with pytest.raises(RuntimeError):
            services.video_create(
                title="写入失败",
                file=upload("a.mp4", BODY),
                subtitles=upload("a.vtt", VTT, "text/vtt"),
                uploaded_by=trainer.user,
            )
        assert stored_files(media_roots) == []


class TestVideoUpdate:
    def test_replacing_and_removing_subtitles(self, video, django_capture_on_commit_callbacks):
        old_path = Path(video.subtitles.path)
        new_vtt = "WEBVTT\n\n00:00.000 --> 00:01.000\n新字幕\n".encode()
        with django_capture_on_commit_callbacks(execute=True):
            services.video_update(
                video=video,
                title="新标题",
                poster=None,
                subtitles=upload("new.vtt", new_vtt, "text/vtt"),
                subtitle_language="zh-Hans",
                subtitle_label="中文",
            )
        video.refresh_from_db()
        assert video.title == "新标题"
        assert video.subtitles.read() == new_vtt
        assert not old_path.exists()

        with django_capture_on_commit_callbacks(execute=True):
            services.video_update(
                video=video,
                title="新标题",
                poster=None,
                subtitles=False,
                subtitle_language="zh-Hans",
                subtitle_label="中文",
            )
        video.refresh_from_db()
        assert not video.subtitles
        assert video.subtitle_language == ""

    def test_a_learner_may_not_update(self, video, learner):
        with pytest.raises(PermissionDenied):
            services.video_update(
                video=video,
                title="改名",
                poster=None,
                subtitles=None,
                subtitle_language="zh-Hans",
                subtitle_label="",
                actor=learner.user,
            )
        video.refresh_from_db()
        assert video.title == "开场三步"

    def test_bad_subtitles_leave_the_video_unchanged(self, video):
        with pytest.raises(ValidationError):
            services.video_update(
                video=video,
                title="改名",
                poster=None,
                subtitles=upload("bad.vtt", b"not webvtt", "text/vtt"),
                subtitle_language="zh-Hans",
                subtitle_label="",
            )
        video.refresh_from_db()
        assert video.title == "开场三步"
        assert video.subtitles.read() == VTT


class TestVideoDelete:
    def test_a_trainer_may_not_delete_through_the_service(self, video, trainer, media_roots):
        # The admin's permission policy is not the only guard: the service refuses too.
        with pytest.raises(PermissionDenied):
            services.video_delete(video=video, actor=trainer.user)
        assert Video.objects.filter(pk=video.pk).exists()
        assert len(stored_files(media_roots)) == 2

    def test_hq_deletes_and_the_files_go_on_commit(
        self, video, media_roots, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            services.video_delete(video=video, actor=make_hq_admin().user)
        assert not Video.objects.exists()
        assert stored_files(media_roots) == []


# --- the Wagtail admin upload ----------------------------------------------------------------


@pytest.fixture
def admin_client(db):
    user = UserFactory(is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


class TestAdminUpload:
    url = "/cms/snippets/library/video/add/"

    def test_url(self):
        assert reverse("wagtailsnippets_library_video:add") == self.url

    def test_the_form_renders(self, admin_client):
        page = admin_client.get(self.url)
        assert page.status_code == 200
        assert 'enctype="multipart/form-data"' in page.content.decode()

    def test_a_valid_upload_is_created_through_the_service(self, admin_client, media_roots):
        response = admin_client.post(
            self.url,
            {
                "title": "门店开场",
                "file": upload("lesson.mp4", BODY),
                "subtitles": upload("zh.vtt", VTT, "text/vtt"),
                "subtitle_language": "zh-Hans",
                "subtitle_label": "中文",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        video = Video.objects.get()
        assert (video.title, video.content_type, video.size) == ("门店开场", "video/mp4", SIZE)
        assert video.subtitles.read() == VTT

    def test_a_renamed_text_file_is_refused_with_a_message_and_nothing_stored(
        self, admin_client, media_roots
    ):
        with translation.override("en"):
            expected = str(validation.NOT_A_VIDEO)
        response = admin_client.post(
            self.url,
            {
                "title": "假视频",
                "file": upload("lesson.mp4", b"hello, I am text\n" * 50),
                "subtitle_language": "zh-Hans",
            },
        )
        assert response.status_code == 200
        assert expected in response.content.decode()
        assert Video.objects.count() == 0
        assert stored_files(media_roots) == []

    def test_bad_subtitles_are_refused_with_a_message(self, admin_client, media_roots):
        response = admin_client.post(
            self.url,
            {
                "title": "字幕错误",
                "file": upload("lesson.mp4", BODY),
                "subtitles": upload("zh.vtt", "WEBVTT\n你好".encode("gbk"), "text/vtt"),
                "subtitle_language": "zh-Hans",
            },
        )
        assert response.status_code == 200
        assert "not UTF-8" in response.content.decode()
        assert Video.objects.count() == 0
        assert stored_files(media_roots) == []

    def test_edit_keeps_the_file_and_changes_the_title(self, admin_client, video):
        url = reverse("wagtailsnippets_library_video:edit", args=[video.pk])
        page = admin_client.get(url)
        assert page.status_code == 200
        # Private files link to the views that serve them (the storage has no URL).
        assert f'href="{video.stream_url}"' in page.content.decode()
        assert f'href="{video.subtitles_url}"' in page.content.decode()
        response = admin_client.post(
            url,
            {"title": "改过的标题", "subtitle_language": "zh-Hans", "subtitle_label": "中文"},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        video.refresh_from_db()
        assert video.title == "改过的标题"
        assert video.size == SIZE
        assert video.subtitles.read() == VTT

    def test_listing_and_chooser(self, admin_client, video):
        listing = admin_client.get(reverse("wagtailsnippets_library_video:list"))
        assert listing.status_code == 200
        assert "开场三步" in listing.content.decode()
        chooser = admin_client.get(reverse("wagtailsnippetchoosers_library_video:choose"))
        assert chooser.status_code == 200
        assert "开场三步" in chooser.json()["html"]

    def test_delete_removes_the_row_and_its_files(
        self, admin_client, video, media_roots, django_capture_on_commit_callbacks
    ):
        assert len(stored_files(media_roots)) == 2
        url = reverse("wagtailsnippets_library_video:delete", args=[video.pk])
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(url)
        assert response.status_code == 302
        assert Video.objects.count() == 0
        assert stored_files(media_roots) == []

    def test_a_learner_gets_no_admin(self, client_for, learner):
        response = client_for(learner).get(self.url)
        assert response.status_code in {302, 403}

    def test_trainers_upload_and_choose_but_only_hq_deletes(self, client_for, trainer, video):
        client = client_for(trainer)
        assert client.get(self.url).status_code == 200
        assert client.get(reverse("wagtailsnippetchoosers_library_video:choose")).status_code == 200
        delete = reverse("wagtailsnippets_library_video:delete", args=[video.pk])
        assert client.get(delete).status_code in {302, 403}
        assert Video.objects.filter(pk=video.pk).exists()
        hq = client_for(make_hq_admin())
        assert hq.get(delete).status_code == 200


# --- playback: Range requests ----------------------------------------------------------------


@pytest.fixture
def viewer(client_for, learner):
    return client_for(learner)


def stream_url(video: Video) -> str:
    return reverse("library:video:stream", args=[video.pk])


class TestStream:
    def test_anonymous_is_sent_to_login(self, video):
        response = Client().get(stream_url(video), HTTP_RANGE="bytes=0-9")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_full_request(self, viewer, video):
        response = viewer.get(stream_url(video))
        assert response.status_code == 200
        assert response["Accept-Ranges"] == "bytes"
        assert response["Content-Type"] == "video/mp4"
        assert response["Content-Length"] == str(SIZE)
        assert "Content-Range" not in response
        assert response["ETag"]
        assert response["Last-Modified"]
        assert body_of(response) == BODY

    def test_closed_range(self, viewer, video):
        start, end = CHUNK_BYTES - 10, CHUNK_BYTES + 10  # across a chunk boundary
        response = viewer.get(stream_url(video), HTTP_RANGE=f"bytes={start}-{end}")
        assert response.status_code == 206
        assert response["Content-Range"] == f"bytes {start}-{end}/{SIZE}"
        assert response["Content-Length"] == "21"
        assert body_of(response) == BODY[start : end + 1]

    def test_first_byte(self, viewer, video):
        response = viewer.get(stream_url(video), HTTP_RANGE="bytes=0-0")
        assert response.status_code == 206
        assert body_of(response) == BODY[:1]

    def test_open_range(self, viewer, video):
        start = SIZE - 1000
        response = viewer.get(stream_url(video), HTTP_RANGE=f"bytes={start}-")
        assert response.status_code == 206
        assert response["Content-Range"] == f"bytes {start}-{SIZE - 1}/{SIZE}"
        assert body_of(response) == BODY[start:]

    def test_open_range_from_zero_is_the_whole_file_as_206(self, viewer, video):
        response = viewer.get(stream_url(video), HTTP_RANGE="bytes=0-")
        assert response.status_code == 206
        assert response["Content-Range"] == f"bytes 0-{SIZE - 1}/{SIZE}"
        assert body_of(response) == BODY

    def test_suffix_range(self, viewer, video):
        response = viewer.get(stream_url(video), HTTP_RANGE="bytes=-500")
        assert response.status_code == 206
        assert response["Content-Range"] == f"bytes {SIZE - 500}-{SIZE - 1}/{SIZE}"
        assert body_of(response) == BODY[-500:]

    def test_end_past_the_file_is_clipped(self, viewer, video):
        response = viewer.get(stream_url(video), HTTP_RANGE=f"bytes={SIZE - 2}-{SIZE + 100}")
        assert response.status_code == 206
        assert response["Content-Range"] == f"bytes {SIZE - 2}-{SIZE - 1}/{SIZE}"
        assert body_of(response) == BODY[-2:]

    @pytest.mark.parametrize(
        "header", [f"bytes={SIZE}-", f"bytes={SIZE + 5}-{SIZE + 9}", "bytes=-0"]
    )
    def test_unsatisfiable(self, viewer, video, header):
        response = viewer.get(stream_url(video), HTTP_RANGE=header)
        assert response.status_code == 416
        assert response["Content-Range"] == f"bytes */{SIZE}"
        assert response.content == b""

    def test_several_ranges_get_the_whole_file(self, viewer, video):
        response = viewer.get(stream_url(video), HTTP_RANGE="bytes=0-9,20-29")
        assert response.status_code == 200
        assert body_of(response) == BODY

    def test_head(self, viewer, video):
        response = viewer.head(stream_url(video), HTTP_RANGE="bytes=10-19")
        assert response.status_code == 206
        assert response["Content-Length"] == "10"
        assert response["Content-Range"] == f"bytes 10-19/{SIZE}"
        assert body_of(response) == b""

    def test_if_range_with_the_current_etag_honours_the_range(self, viewer, video):
        etag = viewer.head(stream_url(video))["ETag"]
        response = viewer.get(stream_url(video), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=etag)
        assert response.status_code == 206
        assert body_of(response) == BODY[:10]

    def test_if_range_with_a_stale_validator_sends_the_whole_file(self, viewer, video):
        response = viewer.get(
            stream_url(video), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"an-old-version"'
        )
        assert response.status_code == 200
        assert body_of(response) == BODY

    def test_if_range_with_the_last_modified_date(self, viewer, video):
        last_modified = viewer.head(stream_url(video))["Last-Modified"]
        response = viewer.get(
            stream_url(video), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=last_modified
        )
        assert response.status_code == 206

    def test_if_none_match_gets_304(self, viewer, video):
        etag = viewer.head(stream_url(video))["ETag"]
        response = viewer.get(stream_url(video), HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 304

    def test_behind_nginx_the_file_is_handed_over_with_x_accel_redirect(
        self, viewer, video, settings
    ):
        settings.LECTERN_VIDEO_ACCEL_REDIRECT = "/_private/"
        response = viewer.get(stream_url(video), HTTP_RANGE="bytes=0-9")
        assert response.status_code == 200
        assert response["X-Accel-Redirect"] == f"/_private/{video.file.name}"
        assert response["Content-Type"] == "video/mp4"
        assert response.content == b""
        assert Client().get(stream_url(video)).status_code == 302  # still login first

    def test_post_is_not_allowed(self, viewer, video):
        assert viewer.post(stream_url(video)).status_code == 405

    def test_unknown_video_is_404(self, viewer, db, media_roots):
        assert viewer.get(reverse("library:video:stream", args=[999])).status_code == 404


class TestSubtitles:
    def test_served_as_text_vtt(self, viewer, video):
        response = viewer.get(video.subtitles_url)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/vtt; charset=utf-8"
        assert response.content == VTT

    def test_anonymous_is_sent_to_login(self, video):
        response = Client().get(video.subtitles_url)
        assert response.status_code == 302

    def test_no_subtitles_is_404(self, viewer, media_roots):
        plain = services.video_create(title="无字幕", file=upload("a.mp4", BODY))
        assert plain.subtitles_url == ""
        url = reverse("library:video:subtitles", args=[plain.pk])
        assert viewer.get(url).status_code == 404


# --- the block and the player page -----------------------------------------------------------


class TestBlock:
    def test_course_stream_offers_the_video_block(self):
        assert isinstance(CourseStreamBlock().child_blocks["video"], VideoBlock)

    def test_renders_video_with_poster_and_track(self, video):
        video.poster = make_poster()
        video.save()
        block = VideoBlock()
        html = block.render(block.to_python({"video": video.pk, "caption": "先看这一段"}))
        assert '<video class="w-100 rounded bg-dark" controls preload="metadata"' in html
        assert 'poster="/media/images/' in html
        assert f'<source src="{video.stream_url}" type="video/mp4">' in html
        assert (
            f'<track kind="subtitles" src="{video.subtitles_url}" srclang="zh-Hans" '
            'label="中文" default>'
        ) in html
        assert "先看这一段" in html

    def test_without_poster_or_subtitles(self, media_roots):
        plain = services.video_create(title="素材", file=upload("a.mp4", BODY))
        block = VideoBlock()
        html = block.render(block.to_python({"video": plain.pk, "caption": ""}))
        assert "<video" in html
        assert "poster=" not in html
        assert "<track" not in html
        assert "素材" in html  # the title stands in for a missing caption

    def test_a_deleted_video_renders_nothing(self, db):
        block = VideoBlock()
        assert block.render(block.to_python({"video": 424242, "caption": "x"})).strip() == ""

    def test_player_page_needs_a_login(self, viewer, video):
        url = video.get_absolute_url()
        assert Client().get(url).status_code == 302
        response = viewer.get(url)
        assert response.status_code == 200
        assert "<video" in response.content.decode()


# --- the demo video --------------------------------------------------------------------------


class TestDemoVideo:
    def test_seed_is_valid_and_idempotent(self, media_roots, hq_admin):
        video = seed_demo_video(uploaded_by=hq_admin)
        assert video.title == DEMO_TITLE
        assert video.content_type == "video/webm"
        assert video.uploaded_by == hq_admin.user
        assert video.poster is not None
        assert video.subtitle_language == "zh-Hans"
        with video.file.open("rb") as handle:
            assert validation.sniff_video(handle.read(validation.SNIFF_BYTES)).detail == "webm"
        assert "推荐搭配" in validation.check_webvtt(video.subtitles.read(), 1 << 20)
        assert video.size < 300 * 1024

        again = seed_demo_video(uploaded_by=hq_admin)
        assert again.pk == video.pk
        assert Video.objects.count() == 1
        assert Image.objects.count() == 1

    def test_seed_without_an_uploader(self, media_roots):
        assert seed_demo_video().uploaded_by is None
