"""The live room's protocol client (static/live/live_client.js) in a real Chromium, against a
scripted WebSocket (the page's ``WebSocket`` replaced before it loads): the rules a real
server rarely shows on demand — a gap in ``seq`` waits ~1 s and then sends ``resume``,
repeats are ignored, refusals stop the retries, unanswered messages go again with the same
``cid`` after a reconnect, the end of the session — and the phone layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from tests.browser.live_room_helpers import (
    PHONE,
    XSS,
    Room,
    make_room,
    open_room,
    patient_expect,
    state_badge,
)

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"

_patient_expect = pytest.fixture(autouse=True)(patient_expect)


@pytest.fixture
def room(accounts) -> Room:
    return make_room(accounts.learner)


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
        self.page.wait_for_function(f"() => window.__sockets && window.__sockets.length >= {count}")

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
