"""H5P end to end: an HQ curator uploads the real package through the page, a learner plays
it in the sandboxed iframe, answers, and the score reaches the server and comes back on the
page; the iframe cannot read the hub's cookies nor call its API as the learner."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import PASSWORD
from tests.library.h5p_packages import REAL_LIBRARIES, REAL_PACKAGE, allow

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
COOKIE_PROBE = """
() => {
  try { return "read:" + document.cookie; } catch (error) { return "blocked:" + error.name; }
}
"""
API_PROBE = """
(url) => fetch(url, {credentials: "include"})
  .then((response) => response.text().then((text) => "read:" + response.status + ":" + text))
  .catch((error) => "blocked:" + error.name)
"""


def log_in(page, live_url: str, employee) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live_url}/accounts/login/")
    page.fill("#id_username", employee.employee_no)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    expect(page).to_have_url(f"{live_url}/")


@pytest.fixture
def allowed_libraries(accounts):
    """HQ's allow-list, written before the browser starts (no ORM while Playwright runs)."""
    allow(*REAL_LIBRARIES)


def test_learner_plays_h5p_and_score_reaches_server(allowed_libraries, browser, live_url, accounts):
    from playwright.sync_api import expect

    # An HQ curator uploads the package through the upload page (daphne stores the files).
    curator = browser.new_context(locale="en-US")
    page = curator.new_page()
    log_in(page, live_url, accounts.hq_admin)
    page.goto(f"{live_url}/library/h5p/upload/")
    page.set_input_files("#id_package", str(REAL_PACKAGE))
    page.get_by_test_id("h5p-upload").click()
    expect(page).to_have_url(re.compile(r"/library/h5p/\d+/$"))
    preview_url = page.url
    content_id = int(preview_url.rstrip("/").rsplit("/", 1)[1])
    curator.close()

    # A learner opens the page embedding it and answers the True/False question.
    context = browser.new_context(locale="zh-CN", viewport={"width": 1100, "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.type + ":" + message.text))
    log_in(page, live_url, accounts.learner)
    page.goto(preview_url)
    iframe = page.locator("iframe.h5p-frame")
    expect(iframe).to_have_attribute("sandbox", "allow-scripts")
    expect(page.get_by_test_id("h5p-best")).to_have_text("—")
    player = page.frame_locator("iframe.h5p-frame")
    player.get_by_role("radio", name="False").click()
    player.get_by_role("button", name="Check").click()
    expect(page.get_by_test_id("h5p-best")).to_have_text("1 / 1", timeout=10_000)
    expect(page.get_by_test_id("h5p-latest")).to_have_text("1 / 1")
    # The iframe is sized to its content, and the size settles (no feedback loop).
    page.wait_for_timeout(1500)  # feedback and score bar animate in
    height = iframe.evaluate("(frame) => frame.offsetHeight")
    page.wait_for_timeout(1000)
    assert 150 < height == iframe.evaluate("(frame) => frame.offsetHeight") < 1000

    # The score is on the server: a fresh load of the page shows it (no ORM while the
    # browser runs).
    page.reload()
    expect(page.get_by_test_id("h5p-best")).to_have_text("1 / 1")
    expect(player.get_by_role("radio", name="False")).to_be_visible()
    page.wait_for_timeout(500)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "h5p-truefalse.png"), full_page=True)

    # The hub's cookies exist and its own page can read the non-HttpOnly one...
    assert {cookie["name"] for cookie in context.cookies()} >= {"sessionid", "csrftoken"}
    assert "csrftoken=" in page.evaluate("() => document.cookie")
    # ...but the player's frame (an opaque origin) cannot read any cookie...
    frame = next(f for f in page.frames if "/player/" in f.url)
    probe = frame.evaluate(COOKIE_PROBE)
    assert probe.startswith("blocked:") or probe == "read:", probe
    # ...nor read the hub's API as the learner.
    score_url = f"{live_url}/library/h5p/{content_id}/score/"
    assert page.evaluate(API_PROBE, score_url).startswith("read:200:")
    assert frame.evaluate(API_PROBE, score_url).startswith("blocked:")
    assert not [e for e in errors if "Content Security Policy" in e], errors

    # Opened on its own (a link, a new tab) the player is still sandboxed by its CSP: it
    # plays, yet its uploaded library code gets neither the cookies nor the API.
    alone = context.new_page()
    alone.goto(frame.url)
    expect(alone.get_by_role("radio", name="False")).to_be_visible()
    assert alone.evaluate("() => window.origin") == "null"
    probe = alone.evaluate(COOKIE_PROBE)
    assert probe.startswith("blocked:") or probe == "read:", probe
    assert alone.evaluate(API_PROBE, score_url).startswith("blocked:")
    context.close()
