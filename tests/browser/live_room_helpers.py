"""Shared by the live room's browser tests: the room they use, logging in on its page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from tests.factories import PASSWORD, EnrolmentFactory, SessionFactory
from tests.hub.sessions.helpers import make_trainer

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# A slow 2-core machine runs two test workers and daphne: wait generously, never sleep.
WAIT_MS = 20_000
XSS = '<img src=x onerror="window.__xss = 1">'


def patient_expect():
    """Playwright's expect waits 5 s by default: too short here; restored afterwards.
    (A generator for an autouse fixture of each module.)"""
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


def make_room(learner, *, live: bool = True) -> Room:
    """An online session of a new trainer with ``learner`` enrolled, live since five minutes
    (or scheduled to start a minute ago and not started yet: a session cannot be ended before
    its scheduled start). Write it before the browser starts: Playwright's loop forbids ORM
    calls afterwards."""
    trainer = make_trainer()
    now = timezone.now().replace(microsecond=0)
    start = now - dt.timedelta(minutes=5 if live else 1)
    session = SessionFactory(
        trainers=[trainer],
        mode="live_online",
        status="live" if live else "scheduled",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    EnrolmentFactory(session=session, learner=learner)
    return Room(session_id=session.pk, trainer=trainer, learner=learner)


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
    page.wait_for_function("() => window.__lecternLive !== undefined")  # room.js has run
    return context, page


def state_badge(page):
    return page.get_by_test_id("live-state")
