"""The recorded-session player in headless Chromium through daphne: 2x speed is remembered,
playback resumes where it stopped, what was played is stored, leaving the page sends a
beacon, and seeking to the end does not complete the recording."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from wagtail.models import Collection

from library.video.demo import seed_demo_video
from live.models import RecordingProgress, RecordingSource
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.factories import EmployeeFactory, EnrolmentFactory, SessionFactory
from tests.hub.sessions.helpers import make_trainer
from tests.library.video.test_daphne import daphne_server, private_root  # noqa: F401

pytestmark = pytest.mark.browser

PROGRESS = "/recording/progress/"

READY_JS = """
async () => {
  const video = document.querySelector("video");
  if (video.readyState < 1) {
    await new Promise((resolve) => video.addEventListener("loadedmetadata", resolve, {once: true}));
  }
  if (video.seeking) {
    await new Promise((resolve) => video.addEventListener("seeked", resolve, {once: true}));
  }
  const active = document.querySelector("button[data-speed].active");
  return {
    duration: video.duration,
    currentTime: video.currentTime,
    rate: video.playbackRate,
    active: active && active.dataset.speed,
    stored: localStorage.getItem(document.getElementById("recording-player").dataset.speedKey),
    watched: document.getElementById("watched-percent").textContent,
  };
}
"""

# Plays (muted, so no user gesture is needed) for ``ms`` of wall-clock time.
PLAY_JS = """
async (ms) => {
  const video = document.querySelector("video");
  video.muted = true;
  await video.play();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return video.currentTime;
}
"""

SEEK_TO_END_JS = """
async () => {
  const video = document.querySelector("video");
  video.muted = true;
  const seeked = new Promise((resolve) => video.addEventListener("seeked", resolve, {once: true}));
  video.currentTime = video.duration - 0.3;
  await seeked;
  const ended = new Promise((resolve) => video.addEventListener("ended", resolve, {once: true}));
  await video.play();
  await ended;
  return video.currentTime;
}
"""


def test_speed_resume_progress_and_no_credit_for_seeking(daphne_server):  # noqa: F811
    if not CHROMIUM.exists():
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    port, log = daphne_server
    # Everything the database needs is written before Playwright starts its event loop.
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    trainer = make_trainer()
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=1)
    session = SessionFactory(
        trainers=[trainer],
        mode="recorded",
        status="ended",
        location="",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    RecordingSource.objects.create(session=session, video=seed_demo_video(), duration_seconds=12)
    learner = EmployeeFactory()
    EnrolmentFactory(session=session, learner=learner)
    client = Client()
    client.force_login(learner.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/live/sessions/{session.pk}/recording/"

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = chromium.new_context()
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}]
            )
            page = context.new_page()
            page.goto(url)
            first = page.evaluate(READY_JS)
            page.get_by_test_id("speed-2").click()
            played_to = page.evaluate(PLAY_JS, 2500)
            with page.expect_response(lambda r: PROGRESS in r.url) as paused:
                page.evaluate("document.querySelector('video').pause()")
            pause_report = paused.value.json()
            stopped_at = page.evaluate("document.querySelector('video').currentTime")

            page.reload()
            resumed = page.evaluate(READY_JS)

            # Play a little more and leave without pausing: the page-hide beacon reports it.
            page.evaluate(PLAY_JS, 1000)
            before_leaving = page.evaluate("document.querySelector('video').currentTime")
            page.goto(f"{base}/")
            page.wait_for_timeout(1000)
            page.goto(url)
            after_beacon = page.evaluate(READY_JS)

            with page.expect_response(lambda r: PROGRESS in r.url) as ended:
                page.evaluate(SEEK_TO_END_JS)
            end_report = ended.value.json()
            badge_hidden = page.get_by_test_id("recording-completed").is_hidden()
        finally:
            chromium.close()

    assert 11.5 < first["duration"] < 12.5
    assert first["rate"] == 1 and first["active"] == "1"
    # 2.5 s of wall clock at 2x is about 5 s of video.
    assert 3.5 < played_to < 7
    assert pause_report["speed"] == 2
    assert pause_report["watched_seconds"] == pytest.approx(stopped_at, abs=1)

    assert resumed["rate"] == 2 and resumed["active"] == "2" and resumed["stored"] == "2"
    assert resumed["currentTime"] == pytest.approx(stopped_at, abs=0.5)
    assert int(resumed["watched"]) > 0

    assert after_beacon["currentTime"] == pytest.approx(before_leaving, abs=0.6), log.read_text()

    # The seek skipped most of the video: only what was played counts, and it stays short of
    # the 80 % completion share.
    assert not end_report["completed"] and badge_hidden
    progress = RecordingProgress.objects.get(session=session, learner=learner)
    assert not progress.completed
    assert 0 < progress.watched_seconds < 0.8 * 12
    assert progress.watched_seconds == pytest.approx(before_leaving + 0.3, abs=1.2)
    assert float(progress.speed) == 2
    assert progress.last_position > 11


def test_a_source_that_fails_shows_an_error_instead_of_spinning(daphne_server):  # noqa: F811
    if not CHROMIUM.exists():
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    port, _log = daphne_server
    base = f"http://127.0.0.1:{port}"
    trainer = make_trainer()
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=1)
    session = SessionFactory(
        trainers=[trainer],
        mode="recorded",
        status="ended",
        location="",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        recording_url=f"{base}/no-such-recording.webm",  # answered 404
    )
    learner = EmployeeFactory()
    EnrolmentFactory(session=session, learner=learner)
    client = Client()
    client.force_login(learner.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = chromium.new_context(locale="zh-CN")
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}]
            )
            page = context.new_page()
            page.goto(f"{base}/live/sessions/{session.pk}/recording/")
            error = page.get_by_test_id("player-error")
            error.wait_for(state="visible", timeout=10_000)
            message = error.text_content()
            video_hidden = page.get_by_test_id("recording-video").is_hidden()
        finally:
            chromium.close()

    assert "无法加载" in message
    assert video_hidden
