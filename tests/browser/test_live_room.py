"""The live room page in a real Chromium against the real server (daphne): two browser
contexts, a learner and the trainer, take a question and a quiz poll round trip; the page
survives its server going away (daphne killed and started again on the same port) and shows
what happened meanwhile once; the trainer starts and ends the session from the page; hls.js
plays an HLS stream."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from tests import servers
from tests.browser.live_room_helpers import (
    XSS,
    Room,
    make_room,
    open_room,
    patient_expect,
    state_badge,
)

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
# Reconnecting after a server restart: backoff up to 15 s plus daphne's start.
RECONNECT_WAIT_MS = 45_000

_patient_expect = pytest.fixture(autouse=True)(patient_expect)


@pytest.fixture
def room(accounts) -> Room:
    return make_room(accounts.learner)


@pytest.fixture
def scheduled_room(accounts) -> Room:
    return make_room(accounts.learner, live=False)


def item(page, text: str):
    """The question with exactly this text."""
    return page.get_by_test_id("question").filter(
        has=page.get_by_test_id("question-text").get_by_text(text, exact=True)
    )


def test_question_round_trip_between_learner_and_trainer(room, browser, live_url):
    from playwright.sync_api import expect

    trainer_context, trainer = open_room(browser, live_url, room, room.trainer)
    learner_context, learner = open_room(browser, live_url, room, room.learner)
    for page in (trainer, learner):
        expect(state_badge(page)).to_have_attribute("data-state", "live")

    # the trainer sees who is in the room
    expect(
        trainer.get_by_test_id("roster-entry").filter(has_text=room.learner.name)
    ).to_contain_text("Present")

    learner.get_by_test_id("ask-text").fill(XSS)
    learner.get_by_test_id("ask-submit").click()
    expect(learner.get_by_test_id("ask-text")).to_have_value("")
    mine = item(learner, XSS)
    expect(mine).to_have_count(1)
    expect(mine.get_by_test_id("badge-mine")).to_be_visible()
    expect(mine.get_by_test_id("question-vote")).to_be_hidden()  # not on one's own question

    seen = item(trainer, XSS)
    expect(seen).to_have_count(1)
    expect(seen.get_by_test_id("question-text")).to_have_text(XSS)  # text, not markup
    assert trainer.locator("#questions img").count() == 0
    assert learner.locator("#questions img").count() == 0
    assert trainer.evaluate("window.__xss") is None
    expect(seen).to_contain_text(room.learner.name)

    seen.get_by_test_id("question-answer").click()
    expect(seen.get_by_test_id("badge-answered")).to_be_visible()
    expect(mine.get_by_test_id("badge-answered")).to_be_visible()
    expect(mine).to_have_attribute("data-answered", "true")
    # learners get no staff buttons
    expect(learner.get_by_test_id("question-answer")).to_be_hidden()

    # an upvote is counted on both pages, and a second click takes it back
    vote = seen.get_by_test_id("question-vote")
    vote.click()
    expect(vote).to_have_attribute("aria-pressed", "true")
    expect(mine.get_by_test_id("question-votes")).to_have_text("1")
    vote.click()
    expect(vote).to_have_attribute("aria-pressed", "false")
    expect(mine.get_by_test_id("question-votes")).to_have_text("0")
    expect(seen.get_by_test_id("question-votes")).to_have_text("0")

    # hidden: gone for the learner, greyed out for the trainer; shown again: back for both
    seen.get_by_test_id("question-hide").click()
    expect(seen).to_have_attribute("data-hidden", "true")
    expect(seen.get_by_test_id("badge-hidden")).to_be_visible()
    expect(mine).to_have_count(0)
    seen.get_by_test_id("question-hide").click()
    expect(seen).to_have_attribute("data-hidden", "false")
    expect(item(learner, XSS)).to_have_count(1)
    expect(item(learner, XSS).get_by_test_id("badge-answered")).to_be_visible()

    # a raised hand reaches the trainer's list
    learner.get_by_test_id("hand-button").click()
    expect(learner.get_by_test_id("hand-button")).to_have_attribute("aria-pressed", "true")
    expect(trainer.get_by_test_id("hand")).to_have_text([room.learner.name])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    trainer.screenshot(path=SCREENSHOTS / "live-room-trainer.png", full_page=True)
    learner.get_by_test_id("hand-button").click()
    expect(trainer.get_by_test_id("hand")).to_have_count(0)
    learner_context.close()
    trainer_context.close()


def test_quiz_poll_round_trip(room, browser, live_url):
    from playwright.sync_api import expect

    trainer_context, trainer = open_room(browser, live_url, room, room.trainer)
    learner_context, learner = open_room(browser, live_url, room, room.learner)
    for page in (trainer, learner):
        expect(state_badge(page)).to_have_attribute("data-state", "live")

    trainer.locator("[data-testid=poll-form-toggle] summary").click()
    trainer.get_by_test_id("poll-prompt-input").fill("连带销售的第一步是什么")
    trainer.get_by_test_id("poll-add-option").click()
    options = trainer.get_by_test_id("poll-form").get_by_test_id("poll-option")
    expect(options).to_have_count(3)
    for index, text in enumerate(["推荐新品", "了解顾客需求", "打折"]):
        options.nth(index).fill(text)
    trainer.get_by_test_id("poll-quiz").check()
    trainer.get_by_test_id("poll-option-correct").nth(1).check()
    trainer.get_by_test_id("poll-open").click()
    expect(trainer.get_by_test_id("poll-prompt-input")).to_have_value("")

    poll = learner.get_by_test_id("poll")
    expect(poll.get_by_test_id("poll-prompt")).to_have_text("连带销售的第一步是什么")
    expect(poll.get_by_test_id("poll-status")).to_have_text("Open")
    expect(poll.get_by_test_id("poll-correct")).to_have_count(0)  # not before it closes
    poll.get_by_label("了解顾客需求").check()
    poll.get_by_test_id("poll-vote").click()
    expect(poll.get_by_test_id("poll-vote")).to_be_hidden()
    expect(
        poll.locator("[data-testid=poll-option][data-index='1'] [data-testid=poll-mine]")
    ).to_be_visible()

    staff_poll = trainer.get_by_test_id("poll")
    expect(staff_poll.get_by_test_id("poll-voters")).to_have_text("1 vote")
    counts = staff_poll.get_by_test_id("poll-count")
    expect(counts).to_have_text(["0 (0%)", "1 (100%)", "0 (0%)"])
    staff_poll.get_by_test_id("poll-close").click()
    expect(staff_poll.get_by_test_id("poll-status")).to_have_text("Closed")

    expect(poll.get_by_test_id("poll-status")).to_have_text("Closed")
    right = poll.locator("[data-testid=poll-option][data-index='1']")
    expect(right.get_by_test_id("poll-correct")).to_be_visible()
    expect(poll.get_by_test_id("poll-correct")).to_have_count(1)
    expect(poll.get_by_test_id("poll-count")).to_have_text(["0 (0%)", "1 (100%)", "0 (0%)"])
    learner_context.close()
    trainer_context.close()


class Daphne:
    """A daphne of its own on a fixed port, which a test can kill and start again."""

    def __init__(self, env: dict, log_dir: Path):
        self.port = servers.free_port()
        self.env = env
        self.log_dir = log_dir
        self.process = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.starts += 1
        log_path = self.log_dir / f"daphne-{self.starts}.log"
        self.process = servers.start_daphne(self.port, self.env, log_path)
        servers.wait_for_port(self.port, self.process, log_path)

    def kill(self) -> None:
        """Gone without a goodbye: every socket drops as in a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def second_server(live_url, tmp_path):
    from django.db import connection

    extra = {"MEDIA_ROOT": str(tmp_path / "media"), "PRIVATE_MEDIA_ROOT": str(tmp_path / "private")}
    if settings.REDIS_URL:
        extra["REDIS_URL"] = settings.REDIS_URL
    server = Daphne(servers.server_env(connection.settings_dict, **extra), tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()


def test_page_reconnects_after_the_server_drops_it(room, second_server, browser, live_url):
    """The learner is on a server that dies and comes back; the trainer, on another server of
    the same site, asks a question meanwhile. The learner's page says it is reconnecting,
    comes back live by itself and shows that question once."""
    from playwright.sync_api import expect

    learner_context, learner = open_room(browser, second_server.url, room, room.learner)
    trainer_context, trainer = open_room(browser, live_url, room, room.trainer)
    badge = state_badge(learner)
    expect(badge).to_have_attribute("data-state", "live")
    expect(state_badge(trainer)).to_have_attribute("data-state", "live")
    learner.get_by_test_id("ask-text").fill("掉线前的问题")
    learner.get_by_test_id("ask-submit").click()
    expect(item(learner, "掉线前的问题")).to_have_count(1)

    second_server.kill()
    expect(badge).to_have_attribute("data-state", "reconnecting")
    expect(badge).to_contain_text("Reconnecting")

    trainer.get_by_test_id("ask-text").fill("掉线期间培训师的问题")
    trainer.get_by_test_id("ask-submit").click()
    expect(item(trainer, "掉线期间培训师的问题")).to_have_count(1)
    # and the learner asks while offline: sent once the room is back
    learner.get_by_test_id("ask-text").fill("离线时提的问题")
    learner.get_by_test_id("ask-submit").click()

    second_server.start()
    expect(badge).to_have_attribute("data-state", "live", timeout=RECONNECT_WAIT_MS)
    expect(item(learner, "掉线期间培训师的问题")).to_have_count(1)
    expect(item(learner, "离线时提的问题")).to_have_count(1)
    expect(learner.get_by_test_id("ask-text")).to_have_value("")
    expect(item(learner, "掉线前的问题")).to_have_count(1)
    expect(learner.get_by_test_id("question")).to_have_count(3)
    learner_context.close()
    trainer_context.close()


def test_trainer_starts_and_ends_the_session_from_the_page(scheduled_room, browser, live_url):
    """A learner waiting on the page joins by itself when the trainer starts the session, and
    sees it end; ending it finalises attendance (the session page's roster shows it)."""
    from playwright.sync_api import expect

    room = scheduled_room
    learner_context, learner = open_room(browser, live_url, room, room.learner)
    trainer_context, trainer = open_room(browser, live_url, room, room.trainer)
    expect(state_badge(learner)).to_have_attribute("data-state", "not_live")
    expect(learner.get_by_test_id("live-notice")).to_contain_text("The session is not live.")
    expect(learner.get_by_test_id("ask-submit")).to_be_disabled()

    trainer.get_by_test_id("room-start").click()
    expect(trainer).to_have_url(live_url + room.path())
    expect(state_badge(trainer)).to_have_attribute("data-state", "live")
    expect(state_badge(learner)).to_have_attribute("data-state", "live", timeout=RECONNECT_WAIT_MS)
    expect(learner.get_by_test_id("ask-submit")).to_be_enabled()

    trainer.on("dialog", lambda dialog: dialog.accept())
    trainer.get_by_test_id("room-end").click()
    expect(trainer.get_by_test_id("live-notice")).to_contain_text("The session has ended.")
    expect(trainer.get_by_test_id("run-controls").get_by_role("button")).to_have_count(0)
    expect(state_badge(learner)).to_have_attribute("data-state", "ended")
    expect(learner.get_by_test_id("ask-submit")).to_be_disabled()
    expect(learner.get_by_test_id("hand-button")).to_be_disabled()

    trainer.goto(f"{live_url}/sessions/{room.session_id}/")
    row = trainer.get_by_test_id("roster").locator("tr").filter(has_text=room.learner.name)
    expect(row).to_contain_text(" min")
    learner_context.close()
    trainer_context.close()


@pytest.fixture
def hls_room(room) -> Room:
    from hub.sessions.models import Session
    from live.models import LiveRoom

    Session.objects.filter(pk=room.session_id).update(
        stream_url="http://127.0.0.1:9/live/index.m3u8"
    )
    LiveRoom.objects.update_or_create(session_id=room.session_id, defaults={"stream_kind": "hls"})
    return room


def test_hls_stream_is_played_through_hls_js(hls_room, browser, live_url):
    """hls.js (from npm, served as a static file) takes the <video> over: its source becomes
    a MediaSource blob, not the playlist URL."""
    from playwright.sync_api import expect

    context, page = open_room(browser, live_url, hls_room, hls_room.learner)
    expect(page.get_by_test_id("live-video")).to_have_attribute("data-kind", "hls")
    page.wait_for_function("() => typeof window.Hls === 'function'")
    assert page.evaluate("window.Hls.isSupported()") is True
    page.wait_for_function("() => document.getElementById('live-video').src.startsWith('blob:')")
    context.close()
