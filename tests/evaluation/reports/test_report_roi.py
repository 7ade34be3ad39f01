"""The ROI part of the session and course reports: the hand-worked figure of
tests/evaluation/roi/helpers.py (cost 2,900, benefit 9,600 → 3.31 : 1, 231.0 %, payback 3.6
months) on the page and in the export; a missing input says why."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from library.services import library_install
from tests.evaluation.roi.helpers import cross_sell, make_settings, roi_session
from tests.factories import BranchFactory, make_hq_admin
from tests.library.test_browse import make_course

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _roi_sheet(content: bytes) -> list[tuple]:
    book = load_workbook(io.BytesIO(content))
    sheet = next(s for s in book.worksheets if s["A1"].value == "Return on training")
    return list(sheet.iter_rows(min_row=3, values_only=True))


def test_session_report_shows_and_exports_the_worked_roi(client):
    branch = BranchFactory()
    make_settings()
    session = roi_session(branch, metric=cross_sell(branch))
    admin = make_hq_admin()
    client.force_login(admin.user)
    url = reverse("reports:session", args=[session.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="report-roi"' in page
    assert "3.31 : 1" in page and "231.0 %" in page and "3.6" in page
    assert reverse("roi:session_costs", args=[session.pk]) in page  # HQ admins type costs
    [row] = _roi_sheet(client.get(url, {"export": "xlsx"}).content)
    assert row[1] == "Yes" and row[2] == 2900 and row[7] == 9600
    assert row[8] == pytest.approx(3.31) and row[9] == pytest.approx(231.0)


def test_a_missing_input_is_not_computable_with_its_reason(client):
    branch = BranchFactory()
    session = roi_session(branch, metric=cross_sell(branch))  # no cost settings yet
    client.force_login(make_hq_admin().user)
    url = reverse("reports:session", args=[session.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="roi-not-computable"' in page and "hourly costs" in page
    [row] = _roi_sheet(client.get(url, {"export": "xlsx"}).content)
    assert row[1] == "No" and row[8] is None and "hourly costs" in row[11]


def test_course_report_sums_its_sessions(client):
    library_install()
    course = make_course("门店连带销售")
    branch = BranchFactory()
    make_settings()
    metric = cross_sell(branch)
    for session in (roi_session(branch, metric=metric), roi_session(branch, metric=metric)):
        session.course = course
        session.save()
    client.force_login(make_hq_admin().user)
    url = reverse("reports:course", args=[course.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="report-roi"' in page
    [row] = _roi_sheet(client.get(url, {"export": "xlsx"}).content)
    # Two sessions on two needs of the same metric: costs 2 x 2,900, benefits 2 x 9,600.
    assert row[2] == 5800 and row[7] == 19200


def test_branch_report_shows_the_branch_roi_for_the_period(client):
    branch = BranchFactory()
    make_settings()
    session = roi_session(branch, metric=cross_sell(branch))
    client.force_login(make_hq_admin().user)
    period = f"{session.starts_at.year}Q{(session.starts_at.month - 1) // 3 + 1}"
    url = reverse("reports:branch", args=[branch.pk])
    page = client.get(url, {"period": period}).content.decode()
    assert 'data-testid="report-roi"' in page and "3.31 : 1" in page
    # The programme (the session's need) shows its own return beside its lift.
    assert 'data-testid="programme-roi"' in page
    assert page.split('data-testid="programme-roi"')[1].split("</td>")[0].count("3.31 : 1") == 1
    branch_row, need_row = _roi_sheet(client.get(url, {"period": period, "export": "xlsx"}).content)
    assert branch_row[2] == 2900 and branch_row[7] == 9600
    assert need_row[0] == session.training_needs.get().title and need_row[8] == pytest.approx(3.31)
