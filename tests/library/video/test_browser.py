"""The demo video in headless Chromium through daphne: the player loads the metadata with a
Range request (206), seeks to 9 s and loads the Chinese WebVTT track."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from wagtail.models import Collection

from library.video.demo import seed_demo_video
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.factories import EmployeeFactory
from tests.library.video.test_daphne import daphne_server, private_root  # noqa: F401

pytestmark = pytest.mark.browser

PLAY_AND_SEEK_JS = """
async () => {
  const video = document.querySelector("video");
  const wait = (target, event, ms) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(event + " timed out")), ms);
    target.addEventListener(event, () => { clearTimeout(timer); resolve(); }, {once: true});
  });
  if (video.readyState < 1) await wait(video, "loadedmetadata", 10000);
  const duration = video.duration;
  const track = video.textTracks[0];
  track.mode = "showing";
  const seeked = wait(video, "seeked", 10000);
  video.currentTime = 9;
  await seeked;
  for (let i = 0; i < 50 && !(track.cues && track.cues.length); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    duration,
    currentTime: video.currentTime,
    error: video.error && video.error.code,
    language: track.language,
    label: track.label,
    cues: track.cues ? Array.from(track.cues, (cue) => cue.text) : [],
  };
}
"""


def test_demo_video_plays_seeks_and_shows_subtitles(daphne_server):  # noqa: F811
    if not CHROMIUM.exists():
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    port, _log = daphne_server
    # Everything the database needs is written before Playwright starts its event loop.
    # An earlier transactional test may have flushed the root collection the poster needs.
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    video = seed_demo_video()
    learner = EmployeeFactory()
    client = Client()
    client.force_login(learner.user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    base = f"http://127.0.0.1:{port}"

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = chromium.new_context()
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}]
            )
            page = context.new_page()
            statuses: list[tuple[int, str | None]] = []
            page.on(
                "response",
                lambda response: (
                    statuses.append((response.status, response.headers.get("content-range")))
                    if "/stream/" in response.url
                    else None
                ),
            )
            page.goto(f"{base}{video.get_absolute_url()}")
            result = page.evaluate(PLAY_AND_SEEK_JS)
        finally:
            chromium.close()

    assert result["error"] is None
    assert 11.5 < result["duration"] < 12.5
    assert result["currentTime"] == pytest.approx(9, abs=0.5)
    assert (result["language"], result["label"]) == ("zh-Hans", "中文")
    assert len(result["cues"]) == 3
    assert "推荐搭配" in result["cues"][2]
    assert any(status == 206 and content_range for status, content_range in statuses), statuses
