"""Wide tables on a 390 px phone: rows become cards (.table-stack), so a session's title keeps
the card's width instead of wrapping every two to four characters; live times in the room
follow the site's time zone (Asia/Shanghai), not the browser's."""

from __future__ import annotations

import pytest

from tests.browser.test_smoke import PHONE, SCREENSHOTS, log_in
from tests.factories import SessionFactory
from tests.hub.sessions.helpers import make_trainer

pytestmark = pytest.mark.browser

LONG_TITLE = "华东区新员工服务礼仪与客户异议处理实战培训"


@pytest.fixture
def overview_sessions(accounts):
    trainer = make_trainer()
    return [SessionFactory(title=f"{LONG_TITLE}{n}", trainers=[trainer]) for n in range(3)]


def test_hq_overview_rows_are_cards_on_a_phone(overview_sessions, browser, live_url, accounts):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    log_in(page, live_url, accounts.hq_admin)
    page.goto(f"{live_url}/overview/")
    cell = page.locator(f'tr[data-session="{overview_sessions[0].pk}"] td').first
    box = cell.bounding_box()
    assert box["width"] > 250, box
    line_height = cell.evaluate("c => parseFloat(getComputedStyle(c).lineHeight)")
    assert box["height"] < 3 * line_height, box  # one or two lines, not one per few characters
    assert page.locator("table.table-stack thead").first.is_hidden()
    # Every other value says what it is.
    starts = page.locator(f'tr[data-session="{overview_sessions[0].pk}"] td').nth(1)
    assert starts.get_attribute("data-label") == "开始时间"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "phone-overview.png", full_page=True)
    context.close()


def test_wide_table_stays_a_table_on_a_desktop(overview_sessions, browser, live_url, accounts):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    log_in(page, live_url, accounts.hq_admin)
    page.goto(f"{live_url}/overview/")
    assert page.locator("table.table-stack thead").first.is_visible()
    context.close()


def test_live_times_follow_the_site_time_zone_not_the_browsers(browser, live_url, accounts):
    context = browser.new_context(locale="zh-CN", timezone_id="America/New_York")
    page = context.new_page()
    log_in(page, live_url, accounts.learner)
    page.add_script_tag(url=f"{live_url}/static/live/room_dom.js")
    # 00:30 UTC is 08:30 in Shanghai (19:30 the day before in New York).
    assert page.evaluate("LecternLive.dom.timeOf('2026-01-05T00:30:00Z')") == "08:30"
    context.close()
