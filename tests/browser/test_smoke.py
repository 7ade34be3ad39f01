"""Smoke test of the real thing: Chromium → daphne → Django/Channels → test database.

Login, the default language and the switcher, the phone layout and a WebSocket round trip
through daphne (session cookie, Origin check and channel layer together)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
CJK = re.compile(r"[\u4e00-\u9fff]")
PHONE = {"width": 390, "height": 844}

# Opens /ws/ping/ on the page's own host, sends a ping and resolves with the first reply,
# or with {"closed": code} if the socket closes first.
PING_JS = """
(url) => new Promise((resolve) => {
  const socket = new WebSocket(url);
  const timer = setTimeout(() => { socket.close(); resolve({timeout: true}); }, 5000);
  socket.onopen = () => socket.send(JSON.stringify({type: "ping", id: "e2e"}));
  socket.onmessage = (event) => {
    clearTimeout(timer);
    socket.close();
    resolve(JSON.parse(event.data));
  };
  socket.onclose = (event) => { clearTimeout(timer); resolve({closed: event.code}); };
})
"""


def log_in(page, live_url: str, employee) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live_url}/")
    expect(page).to_have_url(f"{live_url}/accounts/login/?next=/")
    page.fill("#id_username", employee.employee_no)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    expect(page).to_have_url(f"{live_url}/")


def switch_language(page, code: str) -> None:
    from playwright.sync_api import expect

    page.locator(f'[data-testid="language-switcher"] button[value="{code}"]').click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def test_site_default_language_is_chinese(browser, live_url):
    """A browser asking for a language the site lacks gets the default, Simplified Chinese."""
    from playwright.sync_api import expect

    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    context.close()


def test_login_and_language_switch(browser, live_url, accounts):
    from playwright.sync_api import expect

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    log_in(page, live_url, accounts.manager)
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "zh-hans")
    people = page.locator('#nav-main a[href="/people/"]')
    logout = page.get_by_test_id("logout")
    expect(people).to_have_text("人员")
    expect(logout).to_have_text("退出登录")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "home.png", full_page=True)

    switch_language(page, "en")
    expect(page).to_have_url(f"{live_url}/")
    expect(people).to_have_text("People")
    expect(logout).to_have_text("Log out")  # in the (closed) user menu: text, not visibility
    expect(page.get_by_role("heading", level=1)).to_have_text("My branch")

    switch_language(page, "zh-hans")
    expect(page).to_have_url(f"{live_url}/")
    expect(people).to_have_text("人员")
    context.close()


def test_phone_layout_fits_and_collapses_the_nav(browser, live_url, accounts):
    from playwright.sync_api import expect

    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_url}/accounts/login/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    log_in(page, live_url, accounts.learner)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    menu = page.locator("#nav-main")
    expect(menu).to_be_hidden()
    toggler.click()  # needs Bootstrap's JS, served by whitenoise through daphne
    expect(menu).to_be_visible()
    context.close()


def test_websocket_ping_through_daphne(browser, live_url, accounts):
    ws_url = live_url.replace("http://", "ws://") + "/ws/ping/"
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()

    page.goto(f"{live_url}/accounts/login/")
    # Not logged in: the consumer closes before accepting, which daphne turns into a refused
    # handshake (1006 in the browser). No pong.
    assert "closed" in page.evaluate(PING_JS, ws_url)

    log_in(page, live_url, accounts.learner)
    assert page.evaluate(PING_JS, ws_url) == {"type": "pong", "id": "e2e"}
    context.close()


def test_hr_import_through_the_page(browser, live_url, accounts):
    """Upload a GBK CSV, see the dry-run preview, apply it, find the new people."""
    from playwright.sync_api import expect

    branch = accounts.manager.branch.code
    csv_text = (
        "工号,姓名,分部编码,岗位类别,入职日期\n"
        f"N900001,欧阳娜娜,{branch},新员工,2026-09-01\n"
        f"N900002,司马光,{branch},业务骨干,2019/03/15\n"
    )
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    log_in(page, live_url, accounts.hq_admin)
    page.goto(f"{live_url}/import/")
    page.set_input_files(
        'input[type="file"]',
        {"name": "员工.csv", "mimeType": "text/csv", "buffer": csv_text.encode("gb18030")},
    )
    page.locator('main form[enctype="multipart/form-data"] button[type="submit"]').click()
    counts = page.get_by_test_id("import-counts")
    expect(counts).to_contain_text("2")
    expect(page.get_by_test_id("import-changes")).to_contain_text("欧阳娜娜")
    page.get_by_test_id("import-apply").click()
    expect(page.locator(".alert-success").last).to_contain_text("已导入")
    page.goto(f"{live_url}/people/?q=ouyang")
    expect(page.locator("table")).to_contain_text("欧阳娜娜")
    expect(page.locator("table")).not_to_contain_text("司马光")
    page.goto(f"{live_url}/audit/")
    expect(page.locator("table")).to_contain_text("员工.csv")
    context.close()
