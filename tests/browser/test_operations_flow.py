"""The training-operations flow of issue 4, walked in Chromium by a user of each role.

A branch manager submits a need (cross-selling rate 22 % → 30 %); a trainer claims it,
schedules an in-person session with one seat, links it to the need and starts delivery; two
learners enrol (the second is waitlisted); the trainer starts the session and shows the
check-in code, the first learner checks in with it; the trainer sets an assignment, the learner
answers, the trainer grades it and the learner sees the grade; the trainer ends the session, the
need is delivered, and the manager records the value after training and sees the lift.

Every row is written before the browser starts (see conftest); after that only the pages act.
Each user has their own browser context with the English language cookie, and logs in through
the login page.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from hub.organisation.models import Employee, PositionCategory, Role
from tests.factories import PASSWORD, BranchFactory, EmployeeFactory, grant, make_manager

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
VIEWPORT = {"width": 1280, "height": 900}
NEED_TITLE = "Raise the cross-selling rate"
SESSION_TITLE = "Cross-selling conversations workshop"
ASSIGNMENT_TITLE = "Three cross-selling openers"


@dataclass(frozen=True)
class Flow:
    manager: Employee
    trainer: Employee
    learner_a: Employee
    learner_b: Employee
    branch_name: str


@pytest.fixture
def flow(transactional_db) -> Flow:
    """A branch with its manager, a trainer and two learners (committed before daphne reads)."""
    branch = BranchFactory(name="杭州分部")
    manager = make_manager(branch, name="周经理")
    trainer = EmployeeFactory(
        branch=branch, name="张培训", position_category=PositionCategory.BACKBONE
    )
    grant(trainer, Role.TRAINER)
    learner_a = EmployeeFactory(
        branch=branch, name="王小明", position_category=PositionCategory.BACKBONE
    )
    learner_b = EmployeeFactory(
        branch=branch, name="李小红", position_category=PositionCategory.BACKBONE
    )
    return Flow(manager, trainer, learner_a, learner_b, branch.name)


@pytest.fixture
def flow_browser(flow, browser):
    """The shared Chromium, started only after ``flow`` has written its rows."""
    return browser


def _context(browser, live_url: str):
    context = browser.new_context(locale="en-US", viewport=VIEWPORT)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_url}])
    return context


def _log_in(browser, live_url: str, employee: Employee):
    from playwright.sync_api import expect

    page = _context(browser, live_url).new_page()
    page.goto(f"{live_url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.fill("#id_username", employee.employee_no)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    expect(page).to_have_url(f"{live_url}/")
    return page


def _shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"flow-{name}.png"), full_page=True)


def _local(moment: dt.datetime, fmt: str) -> str:
    """A time as the server's form fields read it (the site's time zone)."""
    return timezone.localtime(moment).strftime(fmt)


def test_operations_flow(flow_browser, live_url, flow):
    from playwright.sync_api import expect

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    now = timezone.now()
    # Soon enough that the trainer may start it now (at most 30 minutes early) and that its
    # scheduled start has passed when the trainer ends it (step 6 waits for that), far enough
    # that the learners can still enrol before it.
    starts = (now + dt.timedelta(minutes=4)).replace(second=0, microsecond=0)
    manager = _log_in(flow_browser, live_url, flow.manager)
    trainer = _log_in(flow_browser, live_url, flow.trainer)
    learner_a = _log_in(flow_browser, live_url, flow.learner_a)
    learner_b = _log_in(flow_browser, live_url, flow.learner_b)
    status = "[data-status] >> nth=0"

    # 1. The manager submits a need: cross-selling rate 22 % → 30 %.
    manager.goto(f"{live_url}/needs/")
    manager.get_by_role("link", name="Submit a need").click()
    expect(manager.locator("h1")).to_have_text("Submit a training need")
    manager.select_option("#id_branch", label=flow.branch_name)
    manager.fill("#id_title", NEED_TITLE)
    manager.fill("#id_problem", "Customers buy one product and leave; few are offered a second.")
    manager.select_option("#id_audience", value=PositionCategory.BACKBONE)
    manager.fill("#id_metric_name", "Cross-selling rate")
    manager.fill("#id_metric_before", "22")
    manager.fill("#id_metric_target", "30")
    manager.fill("#id_unit", "%")
    expect(manager.locator("#id_higher_is_better")).to_be_checked()
    manager.select_option("#id_urgency", value="high")
    manager.fill("#id_due_date", _local(now + dt.timedelta(days=60), "%Y-%m-%d"))
    manager.get_by_role("button", name="Submit", exact=True).click()
    expect(manager.get_by_text("Need submitted to the pool.")).to_be_visible()
    expect(manager.locator("h1")).to_have_text(NEED_TITLE)
    expect(manager.locator(status)).to_have_text("Open")
    expect(manager.get_by_text("Cross-selling rate: 22% → 30%")).to_be_visible()
    need_url = manager.url
    assert re.fullmatch(rf"{re.escape(live_url)}/needs/\d+/", need_url)
    _shot(manager, "1-need-submitted")

    # 2. The trainer finds it among the open needs and claims it ...
    trainer.goto(f"{live_url}/needs/?status=open")
    row = trainer.locator("tr[data-need]", has_text=NEED_TITLE)
    expect(row).to_contain_text("Open")
    row.get_by_role("link", name=NEED_TITLE).click()
    expect(trainer).to_have_url(need_url)
    trainer.get_by_test_id("claim").click()
    expect(trainer.get_by_text("You claimed this need.")).to_be_visible()
    expect(trainer.locator(status)).to_have_text("Claimed")
    _shot(trainer, "2a-need-claimed")

    # ... schedules an in-person session with one seat from "My teaching" ...
    trainer.goto(f"{live_url}/teaching/")
    trainer.get_by_role("link", name="Schedule a session").click()
    expect(trainer.locator("h1")).to_have_text("Schedule a session")
    trainer.fill("#id_title", SESSION_TITLE)
    expect(trainer.locator("#id_trainers option:checked")).to_have_text(
        re.compile(flow.trainer.name)
    )
    trainer.select_option("#id_branch", label=flow.branch_name)
    trainer.select_option("#id_mode", value="in_person")
    trainer.fill("#id_starts_at", _local(starts, "%Y-%m-%dT%H:%M"))
    trainer.fill("#id_ends_at", _local(starts + dt.timedelta(hours=2), "%Y-%m-%dT%H:%M"))
    trainer.fill("#id_capacity", "1")
    trainer.fill("#id_location", "3F training room")
    trainer.get_by_role("button", name="Save").click()
    expect(trainer.get_by_text("Session scheduled.")).to_be_visible()
    expect(trainer.locator("h1")).to_have_text(SESSION_TITLE)
    expect(trainer.get_by_test_id("seats")).to_have_text("0 / 1 enrolled, 0 waitlisted")
    session_url = trainer.url
    session_id = re.fullmatch(rf"{re.escape(live_url)}/sessions/(\d+)/", session_url).group(1)
    _shot(trainer, "2b-session-scheduled")

    # ... links it to the need and starts delivery.
    trainer.goto(need_url)
    trainer.select_option("#id_session", value=session_id)
    trainer.get_by_role("button", name="Link", exact=True).click()
    expect(trainer.get_by_text("Sessions updated.")).to_be_visible()
    expect(trainer.locator(f'[data-session="{session_id}"]')).to_contain_text(SESSION_TITLE)
    trainer.get_by_role("button", name="Start delivery").click()
    expect(trainer.get_by_text("Delivery started.")).to_be_visible()
    expect(trainer.locator(status)).to_have_text("In delivery")
    _shot(trainer, "2c-need-in-delivery")

    # 3. Learner A takes the seat; learner B is waitlisted.
    learner_a.goto(f"{live_url}/sessions/")
    learner_a.get_by_test_id("session-row").filter(has_text=SESSION_TITLE).click()
    expect(learner_a).to_have_url(session_url)
    expect(learner_a.get_by_test_id("enrol")).to_have_text("Enrol")
    learner_a.get_by_test_id("enrol").click()
    expect(learner_a.get_by_test_id("my-status")).to_contain_text("You are enrolled.")
    expect(learner_a.get_by_test_id("seats")).to_have_text("1 / 1 enrolled, 0 waitlisted")
    _shot(learner_a, "3a-enrolled")

    learner_b.goto(session_url)
    expect(learner_b.get_by_test_id("enrol")).to_have_text("Join the waitlist")
    learner_b.get_by_test_id("enrol").click()
    expect(learner_b.get_by_text("The session is full: you are on the waitlist.")).to_be_visible()
    expect(learner_b.get_by_test_id("my-status")).to_contain_text("You are on the waitlist.")
    expect(learner_b.get_by_test_id("seats")).to_have_text("1 / 1 enrolled, 1 waitlisted")
    _shot(learner_b, "3b-waitlisted")

    # 4. The trainer starts the session and shows the check-in code; learner A types it in.
    trainer.goto(session_url)
    roster = trainer.get_by_test_id("roster")
    expect(roster.locator("tr", has_text=flow.learner_a.name)).to_contain_text("Enrolled")
    expect(roster.locator("tr", has_text=flow.learner_b.name)).to_contain_text("Waitlisted")
    trainer.get_by_test_id("start").click()
    expect(trainer.get_by_text("Session status changed.")).to_be_visible()
    expect(trainer.get_by_test_id("end")).to_be_visible()
    trainer.get_by_test_id("show-code").click()
    code_box = trainer.get_by_test_id("checkin-code")
    expect(code_box).to_have_text(re.compile(r"^\s*\d{6}\s*$"))
    code = code_box.inner_text().strip()
    _shot(trainer, "4a-checkin-code")

    learner_a.goto(session_url)
    learner_a.fill("#id_code", code)
    learner_a.get_by_test_id("checkin").click()
    expect(learner_a.get_by_text("You are checked in.")).to_be_visible()
    expect(learner_a.get_by_test_id("my-status")).to_contain_text("Present")
    expect(learner_a.get_by_test_id("my-status")).to_contain_text("checked in")
    _shot(learner_a, "4b-checked-in")

    trainer.goto(session_url)
    expect(
        trainer.get_by_test_id("roster").locator("tr", has_text=flow.learner_a.name)
    ).to_contain_text("Present")
    _shot(trainer, "4c-roster-present")

    # 5. The trainer sets an assignment; learner A answers; the trainer grades it.
    trainer.get_by_test_id("session-assignments").click()
    trainer.get_by_role("link", name="New assignment").click()
    trainer.fill("#id_title", ASSIGNMENT_TITLE)
    trainer.fill("#id_instructions", "Write three openers for offering a second product.")
    trainer.fill("#id_due_at", _local(now + dt.timedelta(days=3), "%Y-%m-%dT%H:%M"))
    trainer.fill("#id_max_score", "100")
    trainer.get_by_test_id("assignment-form").get_by_role("button", name="Save").click()
    expect(trainer.get_by_text("Assignment created.")).to_be_visible()
    expect(trainer.locator("h1")).to_have_text(ASSIGNMENT_TITLE)
    _shot(trainer, "5a-assignment-created")

    learner_a.goto(session_url)
    learner_a.get_by_test_id("session-assignments").click()
    learner_a.get_by_role("link", name=ASSIGNMENT_TITLE).click()
    learner_a.get_by_test_id("submit-link").click()
    learner_a.fill("#id_text", "1. Ask about their savings goals. 2. Mention the bundle. 3. …")
    learner_a.get_by_test_id("submission-form").get_by_role("button", name="Submit").click()
    expect(learner_a.get_by_text("Version 1 submitted.")).to_be_visible()
    _shot(learner_a, "5b-submitted")

    trainer.get_by_role("link", name="Submissions").click()
    row = trainer.get_by_test_id("roster").locator("tr", has_text=flow.learner_a.name)
    expect(row).to_contain_text("version 1")
    row.get_by_role("link", name="Grade this work").click()
    trainer.fill("#id_score", "88")
    trainer.fill("#id_feedback", "Good openers; make the third one shorter.")
    trainer.get_by_role("button", name="Save grade").click()
    expect(trainer.get_by_text(f"Graded {flow.learner_a.name}.")).to_be_visible()
    expect(
        trainer.get_by_test_id("roster").locator("tr", has_text=flow.learner_a.name)
    ).to_contain_text("88 / 100")
    _shot(trainer, "5c-graded")

    learner_a.goto(f"{live_url}/learning/")
    grades = learner_a.get_by_test_id("my-grades")
    expect(grades.locator("tr", has_text=ASSIGNMENT_TITLE)).to_contain_text("88 / 100")
    grades.get_by_role("link", name=ASSIGNMENT_TITLE).click()
    expect(learner_a.get_by_test_id("grade")).to_contain_text("Assignment grade: 88 / 100")
    expect(learner_a.get_by_test_id("grade")).to_contain_text("make the third one shorter")
    _shot(learner_a, "5d-grade-seen")

    # 6. The trainer ends the session: the need is delivered; the manager evaluates it. A
    # session cannot end before its scheduled start, and a minute must have been delivered.
    delivered = starts + dt.timedelta(seconds=65) - timezone.now()
    trainer.wait_for_timeout(max(0.0, delivered.total_seconds()) * 1000)
    trainer.goto(session_url)
    trainer.get_by_test_id("end").click()
    expect(trainer.get_by_text("Session status changed.")).to_be_visible()
    expect(trainer.get_by_test_id("end")).to_have_count(0)
    trainer.goto(need_url)
    expect(trainer.locator(status)).to_have_text("Delivered")
    _shot(trainer, "6a-need-delivered")

    manager.goto(f"{live_url}/needs/")
    manager_row = manager.locator("tr[data-need]", has_text=NEED_TITLE)
    expect(manager_row).to_contain_text("Delivered")
    manager_row.get_by_role("link", name=NEED_TITLE).click()
    manager.fill("#id_metric_after", "33")
    manager.get_by_role("button", name="Record evaluation").click()
    expect(manager.get_by_text("Evaluation recorded.")).to_be_visible()
    expect(manager.locator(status)).to_have_text("Evaluated")
    expect(manager.get_by_test_id("lift")).to_have_text(re.compile(r"^\+50(\.0)?%$"))
    expect(manager.get_by_text("Target reached")).to_be_visible()
    _shot(manager, "6b-need-evaluated")

    for page in (manager, trainer, learner_a, learner_b):
        page.context.close()
