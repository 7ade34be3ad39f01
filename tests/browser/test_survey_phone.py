"""A learner answers the post-session survey on a 390 px phone: Chinese by default, no
horizontal scroll, every rating tappable, and a second visit says it is already answered."""

from __future__ import annotations

import pytest

from hub.sessions.models import Session
from tests.browser.test_smoke import PHONE, SCREENSHOTS, log_in
from tests.evaluation.helpers import make_session
from tests.evaluation.surveys.helpers import completer, make_survey

pytestmark = pytest.mark.browser


@pytest.fixture
def survey(accounts):
    session = make_session()
    session.mode = Session.Mode.LIVE_ONLINE
    session.title = "华东区新员工服务礼仪与客户异议处理实战培训（直播）"
    session.save()
    survey = make_survey(session)
    completer(session, accounts.learner)
    return survey


def test_learner_answers_the_survey_on_a_phone(survey, browser, live_url, accounts):
    from playwright.sync_api import expect

    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    log_in(page, live_url, accounts.learner)
    page.goto(f"{live_url}/surveys/{survey.pk}/")
    expect(page.locator("[data-testid=survey-form]")).to_be_visible()
    assert "匿名" in page.content()  # Chinese by default, anonymity stated
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Submitting with nothing chosen: a clear message per required rating, nothing stored.
    page.get_by_role("button", name="提交").click()
    expect(page.locator("[data-testid=question-error]").first).to_be_visible()

    groups = page.locator("[role=radiogroup]")
    for index in range(groups.count()):
        label = groups.nth(index).locator("label").nth(3)
        label.scroll_into_view_if_needed()
        box = label.bounding_box()
        assert box["width"] >= 30 and box["height"] >= 28, box  # big enough for a thumb
        label.tap()
    page.locator("textarea").first.fill("案例很实用，希望多一些演练。")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "phone-survey.png", full_page=True)
    page.get_by_role("button", name="提交").click()
    expect(page.locator("[data-testid=survey-form]")).to_have_count(0)

    page.goto(f"{live_url}/surveys/{survey.pk}/")
    expect(page.locator("[data-testid=survey-refused]")).to_be_visible()
    expect(page.locator("[data-testid=survey-form]")).to_have_count(0)
    context.close()
