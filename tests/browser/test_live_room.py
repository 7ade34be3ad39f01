"""The live room page in a real Chromium.

Against the real server (daphne): two browser contexts, a learner and the trainer, take a
question and a quiz poll round trip; the page survives the server going away (daphne killed
and started again on the same port) and shows what happened meanwhile once.

Against a scripted WebSocket (the page's ``WebSocket`` replaced before it loads): the protocol
client's rules that a real server rarely shows on demand — a gap in ``seq`` waits ~1 s and
then sends ``resume``, repeats are ignored, refusals stop the retries, unanswered messages go
again with the same ``cid`` after a reconnect — and the phone layout."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from tests.browser.conftest import BASE_DIR, _database_url, _free_port, _wait_for_port
from tests.factories import PASSWORD, EnrolmentFactory, SessionFactory
from tests.hub.sessions_helpers import make_trainer

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# A slow 2-core machine runs two test workers and daphne: wait generously, never sleep.
WAIT_MS = 20_000
# Reconnecting after a server restart: backoff up to 15 s plus daphne's start.
RECONNECT_WAIT_MS = 45_000
XSS = '<img src=x onerror="window.__xss = 1">'


@pytest.fixture(autouse=True)
def _patient_expect():
    """Playwright's expect waits 5 s by default: too short here; restored afterwards."""
    try:
        from playwright.sync_api import expect
    except ImportError:  # the browser fixtures skip these tests
        yield
        return
    expect.set_options(timeout=WAIT_MS)
    yield
    expect.set_options(timeout=5_000)


@dataclass(frozen=True)
class Room:
    session_id: int
    trainer: object
    learner: object

    def path(self) -> str:
        return f"/live/sessions/{self.session_id}/"


@pytest.fixture
def room(accounts) -> Room:
    """A live online session of a trainer with the accounts' learner enrolled (written before
    the browser starts: Playwright's loop forbids ORM calls afterwards)."""
    trainer = make_trainer()
    start = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=5)
    session = SessionFactory(
        trainers=[trainer],
        mode="live_online",
        status="live",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    EnrolmentFactory(session=session, learner=accounts.learner)
    return Room(session_id=session.pk, trainer=trainer, learner=accounts.learner)


def open_room(browser, base_url: str, room: Room, employee, viewport=DESKTOP, init_script=None):
    """A new context logged in as ``employee`` on the room page (through the login page)."""
    from playwright.sync_api import expect

    context = browser.new_context(locale="en-US", viewport=viewport)
    # The site speaks Chinese unless one picks English: the texts asserted here are English.
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base_url}])
    context.set_default_timeout(WAIT_MS)
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    page.goto(base_url + room.path())
    expect(page.locator("#id_username")).to_be_visible()
    page.fill("#id_username", employee.employee_no)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    expect(page).to_have_url(base_url + room.path())
    return context, page


def state_badge(page):
    return page.get_by_test_id("live-state")


# --- against a scripted WebSocket ------------------------------------------------------------

# Replaces the page's WebSocket: every socket the page opens is kept in window.__sockets; the
# test pushes server frames with push(i, frame) and drops a socket with drop(i, code, reason).
FAKE_SOCKET = """
(() => {
  window.__sockets = [];
  class FakeSocket {
    constructor(url) {
      this.url = url; this.readyState = 0; this.sent = []; this.openedAt = performance.now();
      window.__sockets.push(this);
      setTimeout(() => { this.readyState = 1; if (this.onopen) this.onopen({}); }, 10);
    }
    send(data) { this.sent.push(Object.assign(JSON.parse(data), {__t: performance.now()})); }
    close(code) { this.drop(code || 1005, ""); }
    drop(code, reason) {
      if (this.readyState === 3) return;
      this.readyState = 3;
      setTimeout(() => { if (this.onclose) this.onclose({code: code, reason: reason || ""}); }, 0);
    }
    push(frame) {
      window.__pushedAt = performance.now();
      if (this.onmessage) this.onmessage({data: JSON.stringify(frame)});
    }
  }
  FakeSocket.CONNECTING = 0; FakeSocket.OPEN = 1; FakeSocket.CLOSING = 2; FakeSocket.CLOSED = 3;
  window.WebSocket = FakeSocket;
})();
"""


def question(qid: int, text: str, **fields) -> dict:
    return {
        "id": qid,
        "text": text,
        "author": {"id": 900 + qid, "name": f"学员{qid}"},
        "anonymous": False,
        "votes": 0,
        "answered": False,
        "pinned": False,
        "hidden": False,
        "asked_at": f"2026-11-29T09:{qid:02d}:00+08:00",
        **fields,
    }


def snapshot(seq: int, role: str = "learner", questions=(), polls=(), **extra) -> dict:
    frame = {
        "type": "snapshot",
        "seq": seq,
        "session": {
            "id": 1,
            "title": "t",
            "status": "live",
            "stream": {"kind": "none", "url": ""},
            "allow_anonymous": True,
        },
        "me": {
            "id": 1,
            "name": "我",
            "role": role,
            "votes": [],
            "questions": [],
            "polls": {},
            "hand_raised": False,
        },
        "questions": list(questions),
        "polls": list(polls),
        "presence": {"present": 3},
        "hands": {"raised": 0},
    }
    frame.update(extra)
    return frame


class Fake:
    """The scripted sockets of one page."""

    def __init__(self, page):
        self.page = page

    def wait_sockets(self, count: int) -> None:
        self.page.wait_for_function(f"window.__sockets && window.__sockets.length >= {count}")

    def push(self, frame: dict, index: int = -1) -> None:
        self.page.evaluate("([i, frame]) => window.__sockets.at(i).push(frame)", [index, frame])

    def drop(self, code: int, reason: str = "", index: int = -1) -> None:
        self.page.evaluate(
            "([i, code, reason]) => window.__sockets.at(i).drop(code, reason)",
            [index, code, reason],
        )

    def sent(self, index: int = -1) -> list[dict]:
        return self.page.evaluate("(i) => window.__sockets.at(i).sent", index)

    def wait_sent(self, kind: str, index: int = -1) -> dict:
        self.page.wait_for_function(
            "([i, kind]) => window.__sockets.at(i).sent.some((m) => m.type === kind)",
            arg=[index, kind],
        )
        return next(m for m in self.sent(index) if m["type"] == kind)


def retry_state(page) -> list[bool]:
    """[a retry is scheduled, the client has stopped for good]"""
    return page.evaluate(
        "() => { const c = window.__lecternLive.client;"
        " return [Boolean(c.timers.retry), c.stopped]; }"
    )


def test_client_renders_snapshot_as_text_ignores_repeats_and_resumes_a_gap(room, browser, live_url):
    from playwright.sync_api import expect

    context, page = open_room(browser, live_url, room, room.learner, init_script=FAKE_SOCKET)
    fake = Fake(page)
    fake.wait_sockets(1)
    fake.push(
        snapshot(
            5,
            questions=[
                question(1, "第一个问题", votes=1),
                question(2, "置顶的问题", pinned=True),
                question(3, XSS, votes=3),
            ],
        )
    )
    expect(state_badge(page)).to_have_attribute("data-state", "live")
    # pinned first, then by votes
    expect(page.get_by_test_id("question-text")).to_have_text(["置顶的问题", XSS, "第一个问题"])
    assert page.locator("#questions img").count() == 0
    assert page.evaluate("window.__xss") is None
    expect(page.get_by_test_id("live-presence")).to_have_text("3 online")

    first = page.locator('[data-question-id="1"]')
    fake.push(
        {
            "type": "batch",
            "events": [{"seq": 6, "type": "question.answered", "id": 1, "answered": True}],
        }
    )
    expect(first.get_by_test_id("badge-answered")).to_be_visible()
    # a repeat of seq 6 is ignored
    fake.push(
        {
            "type": "batch",
            "events": [{"seq": 6, "type": "question.answered", "id": 1, "answered": False}],
        }
    )
    # seq 8 before 7: kept aside, and after about a second a resume asks for what is missing
    fake.push(
        {
            "type": "batch",
            "events": [{"seq": 8, "type": "question.pinned", "id": 1, "pinned": True}],
        }
    )
    resume = fake.wait_sent("resume")
    assert resume["last_seq"] == 6
    waited = resume["__t"] - page.evaluate("window.__pushedAt")
    assert 800 <= waited <= 5000, waited
    expect(first).to_have_attribute("data-pinned", "false")
    expect(first).to_have_attribute("data-answered", "true")
    fake.push(
        {
            "type": "resumed",
            "events": [
                {"seq": 7, "type": "question.asked", "question": question(4, "补上的问题")},
                {"seq": 8, "type": "question.pinned", "id": 1, "pinned": True},
            ],
            "last_seq": 8,
        }
    )
    expect(page.get_by_test_id("question-text")).to_have_text(
        ["第一个问题", "置顶的问题", XSS, "补上的问题"]
    )
    assert page.evaluate("window.__lecternLive.client.lastSeq") == 8
    context.close()


def test_client_reconnects_resumes_and_resends_unanswered_messages_once(room, browser, live_url):
    from playwright.sync_api import expect

    context, page = open_room(browser, live_url, room, room.learner, init_script=FAKE_SOCKET)
    fake = Fake(page)
    fake.wait_sockets(1)
    fake.push(snapshot(3))
    expect(state_badge(page)).to_have_attribute("data-state", "live")

    page.get_by_test_id("ask-text").fill("断线时提的问题")
    expect(page.get_by_test_id("ask-count")).to_have_text("7 / 500")
    page.get_by_test_id("ask-submit").click()
    asked = fake.wait_sent("question.ask")
    assert asked["text"] == "断线时提的问题"
    assert asked["cid"]

    fake.drop(1006)
    expect(state_badge(page)).to_have_attribute("data-state", "reconnecting")
    expect(state_badge(page)).to_contain_text("Reconnecting")
    fake.wait_sockets(2)
    # the first message on the new socket is the resume; the question waits for the snapshot
    first = fake.wait_sent("resume")
    assert fake.sent()[0]["type"] == "resume"
    assert first["last_seq"] == 3
    assert [m for m in fake.sent() if m["type"] == "question.ask"] == []
    fake.push(snapshot(3))
    again = fake.wait_sent("question.ask")
    assert again["cid"] == asked["cid"]
    assert again["text"] == asked["text"]
    expect(state_badge(page)).to_have_attribute("data-state", "live")
    expect(page.get_by_test_id("ask-text")).to_have_value("断线时提的问题")
    fake.push({"type": "ack", "cid": asked["cid"], "for": "question.ask", "id": 11})
    expect(page.get_by_test_id("ask-text")).to_have_value("")
    # a third socket would not resend it
    fake.drop(1011)
    fake.wait_sockets(3)
    fake.push(snapshot(3))
    expect(state_badge(page)).to_have_attribute("data-state", "live")
    assert [m for m in fake.sent() if m["type"] == "question.ask"] == []
    context.close()


def test_client_stops_on_refusal_and_waits_slowly_when_not_live(room, browser, live_url):
    from playwright.sync_api import expect

    context, page = open_room(browser, live_url, room, room.learner, init_script=FAKE_SOCKET)
    fake = Fake(page)
    fake.wait_sockets(1)
    fake.drop(4409, "培训尚未开始")
    expect(state_badge(page)).to_have_attribute("data-state", "not_live")
    expect(page.get_by_test_id("live-notice")).to_have_text("培训尚未开始")
    assert retry_state(page) == [True, False]
    # joining now instead of waiting for the slow retry
    page.evaluate("window.__lecternLive.client.connect()")
    fake.wait_sockets(2)
    fake.drop(4403, "你没有报名这期培训")
    expect(state_badge(page)).to_have_attribute("data-state", "offline")
    expect(page.get_by_test_id("live-notice")).to_have_text("你没有报名这期培训")
    assert retry_state(page) == [False, True]
    assert page.evaluate("window.__sockets.length") == 2
    context.close()


def test_client_shows_the_end_of_the_session(room, browser, live_url):
    from playwright.sync_api import expect

    context, page = open_room(browser, live_url, room, room.learner, init_script=FAKE_SOCKET)
    fake = Fake(page)
    fake.wait_sockets(1)
    fake.push(snapshot(1))
    expect(page.get_by_test_id("ask-submit")).to_be_enabled()
    fake.push({"type": "batch", "events": [{"seq": 2, "type": "session.ended"}]})
    expect(state_badge(page)).to_have_attribute("data-state", "ended")
    expect(page.get_by_test_id("live-notice")).to_contain_text("The session has ended")
    expect(page.get_by_test_id("ask-submit")).to_be_disabled()
    expect(page.get_by_test_id("hand-button")).to_be_disabled()
    fake.drop(4409, "")
    expect(state_badge(page)).to_have_attribute("data-state", "ended")
    assert page.evaluate("window.__sockets.length") == 1
    context.close()


def test_phone_layout_stacks_and_never_scrolls_sideways(room, browser, live_url):
    from playwright.sync_api import expect

    long_word = "长" * 40 + "x" * 460
    poll = {
        "id": 3,
        "prompt": "P" * 300,
        "kind": "single",
        "quiz": True,
        "options": ["O" * 100, "选项二"],
        "status": "closed",
        "counts": [4, 17],
        "voters": 21,
        "correct": [1],
        "opened_at": "2026-11-29T09:00:00+08:00",
        "closed_at": "2026-11-29T09:05:00+08:00",
    }
    roster = [
        {
            "id": 7,
            "name": "王" * 30,
            "branch": "上海分公司" * 5,
            "present": True,
            "joined_at": "",
            "late": True,
            "left_early": False,
            "hand_raised": True,
        },
    ]
    for employee, role in ((room.learner, "learner"), (room.trainer, "trainer")):
        context, page = open_room(
            browser, live_url, room, employee, viewport=PHONE, init_script=FAKE_SOCKET
        )
        fake = Fake(page)
        fake.wait_sockets(1)
        fake.push(
            snapshot(
                1,
                role=role,
                questions=[question(1, long_word)],
                polls=[poll],
                roster=roster,
                hands={"raised": 1, "hands": [7]},
            )
        )
        expect(page.get_by_test_id("question-text")).to_have_text([long_word])
        expect(page.get_by_test_id("poll-correct")).to_be_visible()
        if role == "trainer":
            expect(page.get_by_test_id("roster-late")).to_be_visible()
            expect(page.get_by_test_id("hand")).to_have_text(["王" * 30])
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"live-room-phone-{role}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        video = page.get_by_test_id("live-video").bounding_box()
        questions = page.get_by_test_id("questions").bounding_box()
        assert video["y"] + video["height"] <= questions["y"]  # stacked under the video
        assert questions["x"] >= 0
        assert questions["x"] + questions["width"] <= PHONE["width"]
        context.close()


# --- against the real server -----------------------------------------------------------------


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
        self.port = _free_port()
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
        daphne = Path(sys.executable).with_name("daphne")
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [str(daphne), "-b", "127.0.0.1", "-p", str(self.port), "hub.asgi:application"],
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        _wait_for_port(self.port, self.process, log_path)

    def kill(self) -> None:
        """Gone without a goodbye: every socket drops as in a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def second_server(live_url, tmp_path):
    from django.db import connection

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings.test",
        "DATABASE_URL": _database_url(connection.settings_dict),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
    }
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    server = Daphne(env, tmp_path)
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


@pytest.fixture
def scheduled_room(accounts) -> Room:
    """Like ``room``, but not started yet."""
    trainer = make_trainer()
    start = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=2)
    session = SessionFactory(
        trainers=[trainer],
        mode="live_online",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    EnrolmentFactory(session=session, learner=accounts.learner)
    return Room(session_id=session.pk, trainer=trainer, learner=accounts.learner)


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
    from hub.models import Session
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
    assert page.evaluate("typeof window.Hls") == "function"
    assert page.evaluate("window.Hls.isSupported()") is True
    page.wait_for_function("document.getElementById('live-video').src.startsWith('blob:')")
    context.close()
