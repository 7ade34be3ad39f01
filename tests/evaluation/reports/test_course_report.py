"""The course report (evaluation.reports.course and its page/export): per-session rows, pooled
and per-trainer satisfaction on hand-worked numbers, figures only over the sessions the viewer
may see, who may open it, exports, query count."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation.metrics.services import refresh_session_lifts
from evaluation.reports import access
from evaluation.reports.course import course_report
from hub.sessions.models import Session
from tests.evaluation.helpers import make_assignment, make_session, make_trainer
from tests.evaluation.metrics.helpers import link, make_metric, monthly, session_on
from tests.evaluation.reports.l1_l2_helpers import grade, make_course, role_world
from tests.evaluation.surveys.helpers import add_responses, make_survey
from tests.factories import BranchFactory, EmployeeFactory, RegionFactory, make_hq_admin

pytestmark = pytest.mark.django_db


def url(course, **params):
    base = reverse("reports:course", args=[course.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def on_course(session, course):
    session.course = course
    session.save(update_fields=["course"])
    return session


@pytest.fixture
def course_world():
    """Course C: S1 (trainer T, 3 responses 80, 75, 70), S2 (T and co-trainer U, 2 responses
    100, 95), S3 in another branch (trainer V, 3 responses 50, 50, 50), a cancelled S4."""
    course = make_course()
    a, b = BranchFactory(), BranchFactory()
    t, u, v = make_trainer(branch=a), make_trainer(branch=a), make_trainer(branch=b)
    s1 = on_course(make_session(trainers=[t], branch=a, days_ago=20), course)
    s2 = on_course(make_session(trainers=[t, u], branch=a, days_ago=10), course)
    s3 = on_course(make_session(trainers=[v], branch=b, days_ago=5), course)
    s4 = on_course(make_session(trainers=[t], branch=a, status=Session.Status.CANCELLED), course)
    add_responses(make_survey(s1), 80, 75, 70)
    add_responses(make_survey(s2), 100, 95)
    add_responses(make_survey(s3), 50, 50, 50)
    work = make_assignment(s1, max_score=50)
    grade(work, EmployeeFactory(), 40)  # 80 %
    grade(work, EmployeeFactory(), 30)  # 60 %
    other = make_assignment(s1, max_score=10)
    grade(other, EmployeeFactory(), 10)  # 100 %
    return {"course": course, "t": t, "u": u, "v": v, "sessions": (s1, s2, s3, s4), "a": a}


def test_rows_pooled_and_per_trainer_figures_for_hq(course_world):
    hq = make_hq_admin()
    course = course_world["course"]
    report = course_report(
        course=course, sessions=access.report_sessions(hq.user).filter(course=course)
    )
    s1, s2, s3, _s4 = course_world["sessions"]
    assert [r.session for r in report.rows] == [s1, s2, s3]  # oldest first, no cancelled
    r1, r2, r3 = report.rows
    assert (r1.responses, r1.shown_satisfaction) == (3, Decimal("75.00"))
    assert (r2.responses, r2.shown_satisfaction) == (2, None)  # fewer than 3: "—"
    assert r3.shown_satisfaction == Decimal("50.00")
    # L2: mean of 80 %, 60 %, 100 % = 80.0 %
    assert (r1.learning.graded, r1.learning.mean_share) == (3, Decimal("80.0"))
    assert r2.learning is None
    # pooled over all 8 responses: (225 + 195 + 150) / 8 = 71.25 (session means: 67.50)
    assert (report.satisfaction.count, report.shown_satisfaction) == (8, Decimal("71.25"))
    trainers = {row.trainer.pk: row for row in report.trainers}
    t, u, v = (trainers[course_world[k].pk] for k in "tuv")
    # T: S1 and S2 pooled (225 + 195) / 5 = 84.00
    assert (t.sessions, t.satisfaction.count, t.shown_satisfaction) == (2, 5, Decimal("84.00"))
    assert (u.sessions, u.satisfaction.count, u.shown_satisfaction) == (1, 2, None)
    assert (v.sessions, v.shown_satisfaction) == (1, Decimal("50.00"))


def test_a_trainer_sees_figures_of_their_own_sessions_only(course_world, client):
    client.force_login(course_world["t"].user)
    response = client.get(url(course_world["course"]))
    assert response.status_code == 200
    report = response.context["report"]
    s1, s2, _s3, _s4 = course_world["sessions"]
    assert [r.session for r in report.rows] == [s1, s2]
    # (225 + 195) / 5 = 84.00, S3's responses are not in it
    assert report.shown_satisfaction == Decimal("84.00")
    assert {row.trainer.pk for row in report.trainers} == {
        course_world["t"].pk,
        course_world["u"].pk,
    }


def test_page_shows_rows_and_chart(course_world, client):
    client.force_login(make_hq_admin().user)
    response = client.get(url(course_world["course"]))
    body = response.content.decode()
    assert body.count('data-testid="course-session-row"') == 3
    assert "71.25" in body and "75.00" in body
    chart = json.loads(json.dumps(response.context["chart"]))  # what json_script writes
    assert chart["type"] == "line"
    assert chart["datasets"][0]["data"] == [75.0, None, 50.0]
    assert 'id="course-satisfaction-chart"' in body


def test_lift_per_session_and_trainer_mean():
    region = RegionFactory()
    a, peer = BranchFactory(region=region), BranchFactory(region=region)
    course = make_course()
    t = make_trainer(branch=a)
    metric = make_metric()
    start = dt.date(2025, 12, 1)
    monthly(metric, a, start, [100, 100, 100, None, 120, 120, 120])  # +20 %
    monthly(metric, peer, start, [100, 100, 100, None, 110, 110, 110])  # +10 %
    s1 = on_course(session_on(dt.date(2026, 3, 15), branch=a, trainers=[t]), course)
    on_course(session_on(dt.date(2026, 3, 16), branch=a, trainers=[t]), course)
    link(s1, metric, a)
    refresh_session_lifts()
    report = course_report(course=course, sessions=Session.objects.filter(course=course))
    r1, r2 = report.rows
    assert r1.lift.lift_display == Decimal("20.0") and r1.lift.net_lift_display == Decimal("10.0")
    assert r2.lift is None
    [trainer] = report.trainers
    assert (trainer.lift_display, trainer.lift_sessions) == (Decimal("20.0"), 1)
    assert report.metrics[metric.code] == metric


# --- access -----------------------------------------------------------------------------------

ALLOWED = {"trainer_a", "manager_a", "lead", "hq"}


@pytest.mark.parametrize(
    "role", ["learner", "trainer_a", "trainer_b", "manager_a", "manager_b", "lead", "hq"]
)
def test_who_may_open_the_page_and_its_exports(client, role):
    course = make_course()
    world = role_world(course=course)
    client.force_login(world["people"][role].user)
    expected = 200 if role in ALLOWED else 403
    for params in ({}, {"export": "csv"}, {"export": "xlsx"}):
        assert client.get(url(course, **params)).status_code == expected, (role, params)


def test_missing_course_is_404(client):
    client.force_login(make_hq_admin().user)
    assert client.get(reverse("reports:course", args=[999999])).status_code == 404


def test_course_without_sessions_is_403(client):
    client.force_login(make_hq_admin().user)
    assert client.get(url(make_course())).status_code == 403


# --- exports ----------------------------------------------------------------------------------


def test_xlsx_and_csv_exports(course_world, client):
    client.force_login(make_hq_admin().user)
    response = client.get(url(course_world["course"], export="xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    summary, sessions, trainers, _l3, _roi = book.worksheets
    assert list(summary.iter_rows(min_row=3, values_only=True))[2][1] == 71.25
    rows = list(sessions.iter_rows(min_row=3, values_only=True))
    assert [(r[3], r[4]) for r in rows] == [(3, 75.0), (2, None), (3, 50.0)]
    assert rows[0][6] == 80.0
    assert len(list(trainers.iter_rows(min_row=3))) == 3
    text = client.get(url(course_world["course"], export="csv")).content.decode("utf-8-sig")
    assert "71.25" in text


# --- query count ------------------------------------------------------------------------------


def _build(n: int):
    course = make_course(f"课程{n}")
    branch = BranchFactory()
    for i in range(n):
        session = on_course(
            make_session(trainers=[make_trainer(branch=branch)], branch=branch, days_ago=i + 1),
            course,
        )
        add_responses(make_survey(session), 70, 80, 90 + i % 10)
        grade(make_assignment(session), EmployeeFactory(), 60 + i)
    return course


def test_page_query_count_does_not_grow_with_data(client):
    small, big = _build(2), _build(6)
    client.force_login(make_hq_admin().user)
    client.get(url(small))  # warm per-user caches

    def count(course) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(course)).status_code == 200
        return len(queries)

    assert count(small) == count(big)
