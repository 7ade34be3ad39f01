"""Every kind of page loads in Chromium under its Content-Security-Policy (hub.csp) without a
single violation: the hub's pages, the live room, a library page, the H5P preview with its
sandboxed player, and the Wagtail admin (dashboard and page editor)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from library.h5p.demo import seed_demo_h5p
from library.models import CaseIndexPage
from library.services import library_install
from live.models import LiveRoom
from tests.browser.test_h5p import log_in
from tests.factories import EnrolmentFactory, SessionFactory
from tests.hub.sessions.helpers import live_session, make_trainer

pytestmark = pytest.mark.browser

# Collects violations in every frame from the first script on (a console message can be
# missed, an event cannot).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@dataclass(frozen=True)
class Pages:
    session: int
    room: int
    library: str
    library_page_id: int
    h5p: int


@pytest.fixture
def pages(accounts, live_h5p_root, settings) -> Pages:
    """The pages' data, written before the browser starts (no ORM while it runs)."""
    settings.H5P_ROOT = str(live_h5p_root)
    library_install()
    index = CaseIndexPage.objects.get()
    session = SessionFactory(trainers=[make_trainer()])
    room = live_session(make_trainer(), mode="live_online")
    LiveRoom.objects.create(session=room)
    EnrolmentFactory(session=room, learner=accounts.learner)
    h5p = seed_demo_h5p(uploaded_by=None)
    return Pages(session.pk, room.pk, index.url, index.pk, h5p.pk)


def _visit(browser, live_url: str, employee, paths: list[str]) -> list[str]:
    context = browser.new_context(locale="zh-CN")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: "Content Security Policy" in m.text and problems.append(f"{page.url}: {m.text}"),
    )
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    if employee is None:
        page.goto(f"{live_url}{paths[0]}")
    else:
        log_in(page, live_url, employee)
    for path in paths:
        page.goto(f"{live_url}{path}")
        page.wait_for_load_state("networkidle")
        for frame in page.frames:
            try:
                found = frame.evaluate("() => window.__cspViolations || []")
            except Exception:  # noqa: S112 - a frame gone or not scriptable from here
                continue
            problems.extend(f"{path} ({frame.url}): {v}" for v in found)
    context.close()
    return problems


def test_pages_load_without_csp_violations(pages, browser, live_url, accounts):
    problems = _visit(browser, live_url, None, ["/accounts/login/"])
    problems += _visit(
        browser,
        live_url,
        accounts.learner,
        [
            "/",
            f"/sessions/{pages.session}/",
            f"/live/sessions/{pages.room}/",
            pages.library,
            f"/library/h5p/{pages.h5p}/",
        ],
    )
    problems += _visit(
        browser,
        live_url,
        accounts.hq_admin,
        ["/cms/", f"/cms/pages/{pages.library_page_id}/edit/", "/django-admin/login/"],
    )
    assert problems == []
