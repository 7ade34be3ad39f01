"""The live monitor page in Chromium: the real socket through daphne delivers the snapshot,
and static/live/monitor.js applies updates, removes ended rooms, shows the connection state
and reconnects (driven through a stand-in WebSocket, so no channel layer is needed)."""

from __future__ import annotations

import json

import pytest

from tests.browser.test_smoke import log_in
from tests.factories import BranchFactory
from tests.live.monitor.factories import live_session

pytestmark = pytest.mark.browser

# Replaces window.WebSocket before the page's scripts run: every socket the page opens is kept
# in window.__sockets, and the test plays the server through __serve / __drop.
FAKE_SOCKET_JS = """
(() => {
  window.__sockets = [];
  class FakeSocket {
    constructor(url) { this.url = url; window.__sockets.push(this); }
    send() {}
    close() {}
  }
  window.WebSocket = FakeSocket;
  window.__serve = (frame) => {
    const socket = window.__sockets[window.__sockets.length - 1];
    socket.onmessage({data: JSON.stringify(frame)});
  };
  window.__drop = (code) => {
    const socket = window.__sockets[window.__sockets.length - 1];
    socket.onclose({code: code});
  };
})();
"""


@pytest.fixture
def monitor_rooms(accounts):
    """Live rooms of the manager's branch, of another branch and company-wide."""
    return {
        "ours": live_session(branch=accounts.manager.branch, title="上海晨会直播"),
        "theirs": live_session(branch=BranchFactory(name="北京分部"), title="北京直播"),
        "company": live_session(title="全公司直播课"),
    }


def _room(session_id: int, **fields) -> dict:
    room = {
        "session_id": session_id,
        "branch_id": None,
        "title": "新开的直播",
        "present": 0,
        "questions": 0,
        "hands": 0,
        "status": "live",
    }
    return {**room, **fields}


def test_manager_monitor_connects_and_lists_their_rooms(monitor_rooms, browser, live_url, accounts):
    from playwright.sync_api import expect

    page = browser.new_page()
    log_in(page, live_url, accounts.manager)
    page.goto(f"{live_url}/live/monitor/")
    state = page.locator('[data-testid="monitor-state"]')
    expect(state).to_have_attribute("data-state", "success")  # the real snapshot arrived
    rows = page.locator('[data-testid="monitor-room"]')
    expect(rows).to_have_count(2)
    expect(page.locator("#monitor-rooms")).to_contain_text("上海晨会直播")
    expect(page.locator("#monitor-rooms")).to_contain_text("全公司直播课")
    expect(page.locator("#monitor-rooms")).not_to_contain_text("北京直播")


def test_script_applies_updates_removes_ended_rooms_and_reconnects(
    monitor_rooms, browser, live_url, accounts
):
    from playwright.sync_api import expect

    page = browser.new_page()
    log_in(page, live_url, accounts.hq_admin)
    page.add_init_script(FAKE_SOCKET_JS)
    page.goto(f"{live_url}/live/monitor/")
    body = page.locator("#monitor-rooms")
    state = page.locator('[data-testid="monitor-state"]')
    ours = monitor_rooms["ours"]
    assert page.evaluate("window.__sockets[0].url").endswith("/ws/live/monitor/")
    expect(state).to_have_attribute("data-state", "secondary")

    # A snapshot replaces the rows the page was rendered with.
    only_ours = _room(ours.pk, branch_id=ours.branch_id, title=ours.title, present=3)
    page.evaluate(f"window.__serve({json.dumps({'type': 'snapshot', 'rooms': [only_ours]})})")
    expect(state).to_have_attribute("data-state", "success")
    expect(body.locator("tr")).to_have_count(1)
    row = body.locator(f'tr[data-session-id="{ours.pk}"]')
    expect(row.locator('[data-field="present"]')).to_have_text("3")

    # An update changes figures; a new room is added, its title shown as text.
    update = _room(ours.pk, branch_id=ours.branch_id, title=ours.title, present=12, hands=2)
    page.evaluate(f"window.__serve({json.dumps({'type': 'room', 'room': update})})")
    expect(row.locator('[data-field="present"]')).to_have_text("12")
    expect(row.locator('[data-field="hands"]')).to_have_text("2")
    new = _room(999, title="<b>新开的直播</b>", questions=4)
    page.evaluate(f"window.__serve({json.dumps({'type': 'room', 'room': new})})")
    added = body.locator('tr[data-session-id="999"]')
    expect(added.locator('[data-field="title"]')).to_have_text("<b>新开的直播</b>")
    expect(added.locator('[data-field="questions"]')).to_have_text("4")
    assert added.locator('[data-field="title"]').get_attribute("href").endswith("/sessions/999/")

    # An ended room leaves; the empty notice shows when none is left.
    for session_id in (999, ours.pk):
        ended = _room(session_id, status="ended")
        page.evaluate(f"window.__serve({json.dumps({'type': 'room', 'room': ended})})")
    expect(body.locator("tr")).to_have_count(0)
    expect(page.locator('[data-testid="monitor-empty"]')).to_be_visible()

    # A dropped connection is retried after a backoff; a refusal is final.
    page.evaluate("window.__drop(1006)")
    expect(state).to_have_attribute("data-state", "warning")
    page.wait_for_function("() => window.__sockets.length === 2", timeout=5000)
    page.evaluate("window.__drop(4403)")
    expect(state).to_have_attribute("data-state", "danger")
    page.wait_for_timeout(2500)
    assert page.evaluate("window.__sockets.length") == 2
