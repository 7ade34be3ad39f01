"""The demo course video: a 12-second WebM (VP9 + Opus, 480x270, ~110 KB) with a poster and
Chinese WebVTT subtitles. The files in ``demo/`` are our own media, generated once with ffmpeg
(``lavfi`` colour source, ``drawtext`` with WenQuanYi Micro Hei); the seed needs no ffmpeg."""

from __future__ import annotations

from pathlib import Path

from django.core.files import File
from django.core.files.images import ImageFile
from django.db import transaction
from wagtail.images import get_image_model

from library.video import services
from library.video.models import Video

DEMO_DIR = Path(__file__).resolve().parent / "demo"
DEMO_VIDEO = DEMO_DIR / "cross-selling-opening.webm"
DEMO_POSTER = DEMO_DIR / "cross-selling-opening-poster.png"
DEMO_SUBTITLES = DEMO_DIR / "cross-selling-opening.zh-Hans.vtt"
DEMO_TITLE = "连带销售开场三步 示范视频"
DEMO_POSTER_TITLE = "连带销售开场三步 视频封面"


def seed_demo_video(*, uploaded_by=None) -> Video:
    """The demo video, created on first call and returned as is afterwards (idempotent).

    ``uploaded_by``: a trainer or HQ user (or their ``Employee``), or None for the system.
    """
    existing = Video.objects.filter(title=DEMO_TITLE).order_by("pk").first()
    if existing is not None:
        return existing
    user = getattr(uploaded_by, "user", uploaded_by)
    image_model = get_image_model()
    with transaction.atomic():
        poster = image_model.objects.filter(title=DEMO_POSTER_TITLE).order_by("pk").first()
        if poster is None:
            with DEMO_POSTER.open("rb") as handle:
                poster = image_model.objects.create(
                    title=DEMO_POSTER_TITLE,
                    file=ImageFile(handle, name=DEMO_POSTER.name),
                    uploaded_by_user=user,
                )
        with DEMO_VIDEO.open("rb") as video_file, DEMO_SUBTITLES.open("rb") as subtitles:
            return services.video_create(
                title=DEMO_TITLE,
                file=File(video_file, name=DEMO_VIDEO.name),
                poster=poster,
                subtitles=File(subtitles, name=DEMO_SUBTITLES.name),
                subtitle_language="zh-Hans",
                subtitle_label="中文",
                uploaded_by=user,
            )
