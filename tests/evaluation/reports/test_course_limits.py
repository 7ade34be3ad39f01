"""A course with a long history: the page lists the latest sessions and the busiest trainers,
the pooled figures and the export cover them all."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.evaluation.reports.test_course_report import _build, url
from tests.factories import make_hq_admin

pytestmark = pytest.mark.django_db


def test_page_lists_the_latest_and_the_export_all(client, monkeypatch):
    monkeypatch.setattr("evaluation.reports.views.course.LISTED_SESSIONS", 2)
    monkeypatch.setattr("evaluation.reports.views.course.LISTED_TRAINERS", 1)
    course = _build(5)  # five sessions, each with its own trainer, 3 responses each
    client.force_login(make_hq_admin().user)
    response = client.get(url(course))
    report = response.context["report"]
    assert len(report.rows) == 2 and report.sessions_left_out == 3
    assert [r.session.starts_at for r in report.rows] == sorted(
        r.session.starts_at for r in report.rows
    )
    assert len(report.trainers) == 1 and report.trainers_left_out == 4
    assert report.satisfaction.count == 15  # pooled over all five sessions
    assert b'data-testid="sessions-left-out"' in response.content
    book = load_workbook(io.BytesIO(client.get(url(course, export="xlsx")).content))
    sessions = book.worksheets[1]
    assert len(list(sessions.iter_rows(min_row=3))) == 5
    assert reverse("reports:course", args=[course.pk]) in url(course)
