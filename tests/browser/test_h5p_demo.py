"""The demo H5P item end to end: ``seed_demo_h5p`` installs our own Lectern.QuickCheck package
(into the folder daphne serves H5P files from), a learner answers the question in the
sandboxed player, wrongly and then rightly, and each score reaches the server and comes back
on the page after a reload."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings

from library.h5p.demo import CONTENT_SOURCE, seed_demo_h5p
from tests.browser.test_h5p import log_in

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
QUESTION = json.loads(CONTENT_SOURCE.read_text(encoding="utf-8"))


def answer_text(*, correct: bool) -> str:
    return next(a["text"] for a in QUESTION["answers"] if a["correct"] is correct)


@pytest.fixture
def demo_content(accounts, live_h5p_root, settings):
    """The seeded demo item, written before the browser starts (no ORM while it runs)."""
    settings.H5P_ROOT = str(live_h5p_root)
    return seed_demo_h5p(uploaded_by=None)


def test_learner_answers_the_demo_question_and_scores_reach_server(
    demo_content, browser, live_url, accounts
):
    from playwright.sync_api import expect

    l10n = QUESTION["l10n"]
    context = browser.new_context(locale="zh-CN", viewport={"width": 1100, "height": 900})
    page = context.new_page()
    problems = []
    page.on(
        "console",
        lambda m: m.type in ("error", "warning") and problems.append(f"{m.text} {m.location}"),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
    log_in(page, live_url, accounts.learner)
    preview_url = f"{live_url}/library/h5p/{demo_content.pk}/"
    page.goto(preview_url)
    expect(page.locator("iframe.h5p-frame")).to_have_attribute("sandbox", "allow-scripts")
    expect(page.get_by_test_id("h5p-best")).to_have_text("—")

    # Accessible markup: a group named by the question, radios named by the answers.
    player = page.frame_locator("iframe.h5p-frame")
    expect(player.get_by_role("group", name=QUESTION["question"])).to_be_visible()
    expect(player.get_by_role("radio")).to_have_count(len(QUESTION["answers"]))
    status = player.get_by_role("status")

    # Checking without a choice only asks for one: nothing is sent.
    player.get_by_role("button", name=l10n["check"]).click()
    expect(status).to_have_text(l10n["chooseFirst"])

    # A wrong answer scores 0 / 1, on the page and on the server.
    player.get_by_role("radio", name=answer_text(correct=False)).check()
    player.get_by_role("button", name=l10n["check"]).click()
    expect(status).to_contain_text(l10n["wrong"])
    expect(page.get_by_test_id("h5p-latest")).to_have_text("0 / 1", timeout=10_000)
    expect(page.get_by_test_id("h5p-best")).to_have_text("0 / 1")

    # Try again, answer correctly: 1 / 1.
    player.get_by_role("button", name=l10n["retry"]).click()
    expect(status).to_have_text("")
    player.get_by_role("radio", name=answer_text(correct=True)).check()
    player.get_by_role("button", name=l10n["check"]).click()
    expect(status).to_have_text(l10n["correct"] + QUESTION["explanation"])
    expect(player.get_by_role("radio", name=answer_text(correct=True))).to_be_disabled()
    expect(page.get_by_test_id("h5p-best")).to_have_text("1 / 1", timeout=10_000)
    expect(page.get_by_test_id("h5p-latest")).to_have_text("1 / 1")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "h5p-quickcheck-answered.png"), full_page=True)

    # The scores are on the server: a fresh load of the page shows them.
    page.reload()
    expect(page.get_by_test_id("h5p-best")).to_have_text("1 / 1")
    expect(page.get_by_test_id("h5p-latest")).to_have_text("1 / 1")
    expect(player.get_by_role("radio", name=answer_text(correct=True))).to_be_enabled()
    page.wait_for_timeout(500)
    page.screenshot(path=str(SCREENSHOTS / "h5p-quickcheck.png"), full_page=True)
    # The hub has no favicon yet; anything else (a missing library file, a script error) fails.
    assert not [p for p in problems if "/favicon.ico" not in p], problems
    context.close()
