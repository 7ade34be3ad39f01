"""The L3 part of the session, course and trainer reports: manager follow-ups 5, 4, 3 give
4.00 with 66.67 % rated 4 or 5; below 3 answers neither figure nor comment is shown or
exported."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from library.services import library_install
from tests.evaluation.followups.helpers import answered, completer, ended_session, sent_followup
from tests.evaluation.helpers import make_trainer
from tests.factories import BranchFactory, make_hq_admin, make_manager
from tests.library.test_browse import make_course

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _l3(content: bytes) -> list[tuple]:
    book = load_workbook(io.BytesIO(content))
    sheet = next(s for s in book.worksheets if s["A1"].value == "L3 manager follow-up")
    return list(sheet.iter_rows(min_row=3, values_only=True))


def _world(ratings, *, course=None):
    branch = BranchFactory()
    manager = make_manager(branch)
    trainer = make_trainer(branch=branch)
    session = ended_session(days_ago=40, branch=branch, trainers=[trainer], course=course)
    for index, rating in enumerate(ratings):
        learner = completer(session, branch=branch)
        answered(session, learner, manager, rating, comment=f"=HYPERLINK(1) 用得上{index}")
    sent_followup(session, completer(session, branch=branch), [manager])  # not answered yet
    return session, trainer


def test_session_report_shows_and_exports_the_follow_up(client):
    session, _trainer = _world([5, 4, 3])
    client.force_login(make_hq_admin().user)
    url = reverse("reports:session", args=[session.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="followup-mean"' in page and "4.00 from 3 answers" in page
    assert "66.67 %" in page and "用得上0" in page
    rows = _l3(client.get(url, {"export": "xlsx"}).content)
    assert rows[0][1:6] == (4, 3, 0, 4.0, pytest.approx(66.67))
    comments = [r[6] for r in rows[1:]]
    assert len(comments) == 3 and all(c.startswith("=HYPERLINK") for c in comments)  # text
    csv = client.get(url, {"export": "csv"}).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv


def test_below_three_answers_hides_figures_and_comments(client):
    session, _trainer = _world([5, 1])
    client.force_login(make_hq_admin().user)
    url = reverse("reports:session", args=[session.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="followup-not-enough"' in page and "用得上" not in page
    rows = _l3(client.get(url, {"export": "xlsx"}).content)
    assert rows == [(session.title, 3, 2, 0, None, None, None)]


def test_course_and_trainer_reports_pool_the_follow_ups(client):
    library_install()
    course = make_course("门店连带销售")
    session, trainer = _world([5, 4, 3], course=course)
    client.force_login(make_hq_admin().user)
    page = client.get(reverse("reports:course", args=[course.pk])).content.decode()
    assert "4.00 from 3 answers" in page
    period = f"{session.starts_at.year}Q{(session.starts_at.month - 1) // 3 + 1}"
    url = reverse("reports:trainer", args=[trainer.pk])
    assert "4.00 from 3 answers" in client.get(url, {"period": period}).content.decode()
