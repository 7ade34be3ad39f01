"""The effectiveness reports in Chromium: every chart is drawn by Chart.js (served from npm
under the CSP, no violation), the Excel export downloads and opens, the print layout hides the
buttons, and a phone shows the overview without sideways scrolling."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from openpyxl import load_workbook

from tests.browser.test_csp import RECORD_VIOLATIONS
from tests.browser.test_smoke import PHONE, SCREENSHOTS, log_in
from tests.evaluation.helpers import make_session
from tests.evaluation.surveys.helpers import add_responses, completer, make_survey
from tests.factories import EmployeeFactory
from tests.hub.sessions.helpers import make_trainer

pytestmark = pytest.mark.browser

CHARTS_DRAWN = """() => Array.from(document.querySelectorAll("canvas[data-chart]"))
  .map((canvas) => [canvas.dataset.chart, Boolean(window.Chart && Chart.getChart(canvas))])"""


@dataclass(frozen=True)
class World:
    session: int
    trainer: int
    branch: int


@pytest.fixture
def world(accounts) -> World:
    """Written before the browser starts (no ORM while it runs)."""
    branch = accounts.manager.branch
    trainer = make_trainer(branch=branch)
    session = make_session(trainers=[trainer], branch=branch, days_ago=2)
    for _index in range(3):
        completer(session, EmployeeFactory(branch=branch))
    add_responses(make_survey(session), 80, 75, 70)
    return World(session.pk, trainer.pk, branch.pk)


def _open(page, url: str, problems: list[str]) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    problems.extend(page.evaluate("() => window.__cspViolations || []"))
    drawn = page.evaluate(CHARTS_DRAWN)
    assert drawn, f"{url} has no chart"
    assert all(ok for _id, ok in drawn), (url, drawn)


def test_reports_draw_their_charts_and_export(world, browser, live_url, accounts, tmp_path):
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, live_url, accounts.hq_admin)
    for path in (
        "/reports/overview/",
        f"/reports/sessions/{world.session}/",
        f"/reports/trainers/{world.trainer}/",
        f"/reports/branches/{world.branch}/",
    ):
        _open(page, f"{live_url}{path}", problems)
    assert problems == []

    page.goto(f"{live_url}/reports/sessions/{world.session}/")
    with page.expect_download() as download:
        page.click("[data-testid=export-xlsx]")
    path = tmp_path / "report.xlsx"
    download.value.save_as(path)
    book = load_workbook(io.BytesIO(path.read_bytes()))
    assert "场次" in book.sheetnames  # Chinese, like the page

    page.emulate_media(media="print")
    assert page.locator(".report-actions").first.is_hidden()
    assert page.locator(".report-actions").last.is_hidden()
    assert page.locator("canvas[data-chart]").first.is_visible()
    page.emulate_media(media="screen")
    context.close()


def test_overview_fits_a_phone(world, browser, live_url, accounts):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    log_in(page, live_url, accounts.hq_admin)
    page.goto(f"{live_url}/reports/overview/")
    page.wait_for_load_state("networkidle")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "phone-reports-overview.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
