"""The live room page against a scripted WebSocket (see test_live_client.py): a big room's
older questions load on request (``questions.page``), and a ``room.settings`` event takes
effect at once (docs/live-protocol.md)."""

from __future__ import annotations

import pytest

from tests.browser.live_room_helpers import Room, make_room, open_room, patient_expect, state_badge
from tests.browser.test_live_client import FAKE_SOCKET, Fake, question, snapshot

pytestmark = pytest.mark.browser

_patient_expect = pytest.fixture(autouse=True)(patient_expect)


@pytest.fixture
def room(accounts) -> Room:
    return make_room(accounts.learner)


def test_older_questions_load_on_request_and_settings_apply_at_once(room, browser, live_url):
    from playwright.sync_api import expect

    context, page = open_room(browser, live_url, room, room.learner, init_script=FAKE_SOCKET)
    fake = Fake(page)
    fake.wait_sockets(1)
    fake.push(snapshot(5, questions=[question(30, "最新的问题")], questions_before=30))
    expect(state_badge(page)).to_have_attribute("data-state", "live")
    expect(page.get_by_test_id("ask-anonymous")).to_be_attached()
    expect(page.locator("#ask-anonymous-wrap")).to_be_visible()

    more = page.get_by_test_id("questions-more")
    expect(more).to_be_visible()
    more.click()
    asked = fake.wait_sent("questions.page")
    assert asked["before"] == 30
    expect(more).to_be_disabled()
    # an event about a question the page does not hold yet is ignored
    fake.push(
        {"type": "batch", "events": [{"seq": 6, "type": "question.votes", "counts": {"7": 9}}]}
    )
    fake.push(
        {
            "type": "questions.page",
            "cid": asked["cid"],
            "questions": [question(7, "更早的问题", votes=9), question(3, "最早的问题")],
            "before": None,
        }
    )
    # by votes, then by time asked
    expect(page.get_by_test_id("question-text")).to_have_text(
        ["更早的问题", "最早的问题", "最新的问题"]
    )
    expect(more).to_be_hidden()

    fake.push(
        {
            "type": "batch",
            "events": [
                {
                    "seq": 7,
                    "type": "room.settings",
                    "allow_anonymous": False,
                    "stream": {"kind": "none", "url": ""},
                }
            ],
        }
    )
    expect(page.locator("#ask-anonymous-wrap")).to_be_hidden()
    context.close()
