"""The session report (evaluation.reports.session and its page/export): hand-worked figures,
< 3 responses hidden, who may open it, exports, a query count independent of the data."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation.metrics.services import refresh_session_lifts
from evaluation.reports.session import session_report
from evaluation.surveys.rules import mean_normalised, net_promoter
from hub.sessions.models import Attendance, Session
from tests.evaluation.helpers import enrol, make_assignment, make_session, make_trainer
from tests.evaluation.metrics.helpers import link, make_metric, monthly, session_on
from tests.evaluation.reports.l1_l2_helpers import (
    answer,
    grade,
    h5p_content,
    h5p_result,
    make_course,
    role_world,
)
from tests.evaluation.surveys.helpers import add_responses, make_survey
from tests.factories import BranchFactory, EmployeeFactory, RegionFactory, make_hq_admin

pytestmark = pytest.mark.django_db


def url(session, **params):
    base = reverse("reports:session", args=[session.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


# --- pure rules -------------------------------------------------------------------------------


def test_nps_two_promoters_one_passive_one_detractor_is_25():
    nps = net_promoter({10: 1, 9: 1, 8: 1, 3: 1, 0: 0})
    assert (nps.promoters, nps.passives, nps.detractors) == (2, 1, 1)
    assert nps.score == Decimal("25.0")


def test_nps_boundaries_6_is_a_detractor_7_a_passive_9_a_promoter():
    nps = net_promoter({6: 1, 7: 1, 9: 1})
    assert (nps.promoters, nps.passives, nps.detractors) == (1, 1, 1)
    assert nps.score == Decimal("0.0")
    assert net_promoter({}).score is None


def test_mean_normalised_of_a_distribution():
    # 1-5 answers 5, 4, 4, 3 -> 100, 75, 75, 50 -> 75.00
    assert mean_normalised("rating_5", {1: 0, 2: 0, 3: 1, 4: 2, 5: 1}) == Decimal("75.00")
    assert mean_normalised("rating_10", {10: 1, 9: 1, 8: 1, 3: 1}) == Decimal("75.00")
    assert mean_normalised("rating_5", {1: 0}) is None


# --- L1 ---------------------------------------------------------------------------------------


def test_session_satisfaction_80_75_70_is_75():
    session = make_session()
    add_responses(make_survey(session), 80, 75, 70)
    report = session_report(session=session)
    assert report.satisfaction.mean == Decimal("75.00")
    assert report.satisfaction.count == 3


def test_l1_distribution_mean_nps_and_comments():
    session = make_session()
    survey = make_survey(session)
    # rating 1-5 (all three questions) and NPS per response:
    given = (("5", "10", "很实用"), ("4", "9", ""), ("4", "8", "=1+1"), ("3", "3", ""))
    for r5, r10, text in given:
        answer(survey, rating_5=r5, rating_10=r10, text=text)
    report = session_report(session=session)
    assert (report.responses, report.invited) == (4, 0)
    results = report.results
    assert results.enough
    ratings5 = [q for q in results.questions if q.question.kind == "rating_5"]
    assert len(ratings5) == 3
    assert ratings5[0].distribution == [("1", 0), ("2", 0), ("3", 1), ("4", 2), ("5", 1)]
    assert ratings5[0].mean == Decimal("75.00")
    [nps_q] = [q for q in results.questions if q.question.kind == "rating_10"]
    assert (nps_q.nps.promoters, nps_q.nps.passives, nps_q.nps.detractors) == (2, 1, 1)
    assert nps_q.nps.score == Decimal("25.0")
    # per response: 100; (75*3 + 90)/4 = 78.75; (75*3 + 80)/4 = 76.25; (50*3 + 30)/4 = 45
    # mean (100 + 78.75 + 76.25 + 45) / 4 = 75.00
    assert report.satisfaction.mean == Decimal("75.00")
    [text_q] = [q for q in results.questions if q.question.kind == "text"]
    assert sorted(text_q.comments) == ["=1+1", "很实用"]


def test_survey_results_page_shows_the_same_mean_and_nps(client):
    session = make_session()
    survey = make_survey(session)
    for r10 in ("10", "9", "8", "3"):
        answer(survey, rating_5="4", rating_10=r10)
    client.force_login(make_hq_admin().user)
    body = client.get(reverse("evaluation:survey_results", args=[survey.pk])).content.decode()
    assert body.count('data-testid="question-mean"') == 4
    assert "75.00" in body and "25.0" in body  # 1-5 mean, NPS


def test_page_shows_figures_and_comments_without_names(client):
    session = make_session()
    survey = make_survey(session)
    learners = [EmployeeFactory() for _ in range(3)]
    for learner, text in zip(learners, ("讲得清楚", "案例很好", "希望多练习"), strict=True):
        answer(survey, learner, rating_5="4", rating_10="9", text=text)
    client.force_login(make_hq_admin().user)
    body = client.get(url(session)).content.decode()
    assert 'data-testid="not-enough"' not in body
    assert all(t in body for t in ("讲得清楚", "案例很好", "希望多练习"))
    assert not any(learner.name in body for learner in learners)
    assert 'data-testid="satisfaction"' in body
    assert 'data-chart="l1-q0"' in body and 'id="l1-q0"' in body


def test_fewer_than_three_responses_hide_figures_and_comments(client):
    session = make_session()
    survey = make_survey(session)
    answer(survey, rating_5="5", rating_10="10", text="秘密意见")
    answer(survey, rating_5="1", rating_10="0", text="另一条意见")
    report = session_report(session=session)
    assert report.satisfaction is None
    assert report.results.questions == []
    client.force_login(make_hq_admin().user)
    body = client.get(url(session)).content.decode()
    assert re.search(r'data-testid="not-enough">[^<]*2', body)  # "not enough responses (2)"
    assert "秘密意见" not in body and "另一条意见" not in body
    assert 'data-testid="satisfaction"' not in body and 'data-chart="l1-q0"' not in body
    book = openpyxl.load_workbook(io.BytesIO(client.get(url(session, export="xlsx")).content))
    # header facts, L2 assignments, L2 H5P, L4: no L1 questions, distribution or comments
    assert len(book.sheetnames) == 6  # + L3 follow-up and return on training
    texts = [c for ws in book for row in ws.iter_rows(values_only=True) for c in row]
    assert "秘密意见" not in texts


# --- header and L2 ----------------------------------------------------------------------------


def test_header_counts_and_delivered_hours():
    session = make_session()
    session.delivered_minutes = 90
    session.save(update_fields=["delivered_minutes"])
    done = enrol(session, EmployeeFactory())
    Attendance.objects.create(enrolment=done, status="present", completed=True)
    partial = enrol(session, EmployeeFactory())
    Attendance.objects.create(enrolment=partial, status="partial", completed=False)
    absent = enrol(session, EmployeeFactory())
    Attendance.objects.create(enrolment=absent, status="absent")
    enrol(session, EmployeeFactory(), status="waitlisted")
    report = session_report(session=session)
    assert report.delivered_hours == Decimal("1.50")
    h = report.headcount
    assert (h.enrolled, h.attended, h.completed) == (3, 2, 1)


def test_assignment_scores_count_mean_min_max_and_share():
    session = make_session()
    work = make_assignment(session, max_score=50)
    for score in (40, 30, 35):
        grade(work, EmployeeFactory(), score)
    make_assignment(session, title="未批改")
    report = session_report(session=session)
    first, empty = report.assignments
    assert (first.graded, first.mean, first.low, first.high) == (
        3,
        Decimal("35.00"),
        Decimal(40 - 10),
        Decimal(40),
    )
    assert first.mean_share == Decimal("70.0")
    assert (empty.graded, empty.mean, empty.mean_share) == (0, None, None)


def test_h5p_scores_of_the_sessions_learners_with_pre_and_post():
    quiz = h5p_content()
    other = h5p_content("不在课程里")
    course = make_course(h5p=[quiz])
    session = make_session()
    session.course = course
    session.save(update_fields=["course"])
    one, two, outsider = EmployeeFactory(), EmployeeFactory(), EmployeeFactory()
    enrol(session, one)
    enrol(session, two)
    before = session.starts_at - dt.timedelta(days=2)
    after = session.starts_at + dt.timedelta(hours=1)
    h5p_result(quiz, one, 2, 4, at=before)  # 50 %
    h5p_result(quiz, two, 3, 5, at=before)  # 60 %
    h5p_result(quiz, one, 4, 4, at=after)  # 100 %
    h5p_result(quiz, two, 4, 5, at=after)  # 80 %
    h5p_result(quiz, outsider, 0, 4, at=after)  # not a learner of the session
    h5p_result(other, one, 0, 4, at=after)  # not the course's content
    report = session_report(session=session)
    [row] = report.h5p
    total = report.h5p_total
    assert row.title == quiz.title
    assert (total.all.results, total.all.learners, total.all.mean_percent) == (
        4,
        2,
        Decimal("72.5"),
    )
    assert (total.pre.results, total.pre.mean_percent) == (2, Decimal("55.0"))
    assert (total.post.results, total.post.mean_percent) == (2, Decimal("90.0"))
    assert total.has_pre_post and total.change == Decimal("35.0")


def test_no_course_no_h5p():
    report = session_report(session=make_session())
    assert report.h5p == () and report.h5p_total is None


# --- L4 ---------------------------------------------------------------------------------------


def test_lift_with_comparison_group():
    region = RegionFactory()
    trained, peer = BranchFactory(region=region), BranchFactory(region=region)
    metric = make_metric()
    start = dt.date(2025, 12, 1)
    monthly(metric, trained, start, [100, 100, 100, None, 120, 120, 120])  # +20 %
    monthly(metric, peer, start, [100, 100, 100, None, 105, 105, 105])  # +5 %
    session = session_on(dt.date(2026, 3, 15), branch=trained)
    link(session, metric, trained)
    refresh_session_lifts()
    report = session_report(session=Session.objects.select_related("course").get(pk=session.pk))
    lift = report.lift
    assert (lift.before, lift.after, lift.lift_display) == (
        Decimal(100),
        Decimal(120),
        Decimal("20.0"),
    )
    assert lift.net_lift_display == Decimal("15.0")
    assert lift.comparison_units == 1 and lift.small_sample
    assert report.metric == metric


def test_page_shows_lift_and_undefined_reason(client):
    branch = BranchFactory()
    metric = make_metric()
    monthly(metric, branch, dt.date(2025, 12, 1), [20, 20, 20])  # nothing after yet
    session = session_on(dt.date(2026, 3, 15), branch=branch)
    link(session, metric, branch)
    refresh_session_lifts()
    client.force_login(make_hq_admin().user)
    body = client.get(url(session)).content.decode()
    assert 'data-testid="lift-reason"' in body and "20" in body
    plain = session_on(dt.date(2026, 3, 15))
    assert 'data-testid="no-metric"' in client.get(url(plain)).content.decode()


# --- access -----------------------------------------------------------------------------------

ALLOWED = {"trainer_a", "manager_a", "lead", "hq"}


@pytest.mark.parametrize(
    "role", ["learner", "trainer_a", "trainer_b", "manager_a", "manager_b", "lead", "hq"]
)
def test_who_may_open_the_page_and_its_exports(client, role):
    world = role_world()
    client.force_login(world["people"][role].user)
    expected = 200 if role in ALLOWED else 403
    for params in ({}, {"export": "csv"}, {"export": "xlsx"}):
        assert client.get(url(world["sa"], **params)).status_code == expected, (role, params)


def test_missing_session_is_404_and_unknown_format_400(client):
    client.force_login(make_hq_admin().user)
    assert client.get(reverse("reports:session", args=[999999])).status_code == 404
    session = make_session()
    assert client.get(url(session, export="pdf")).status_code == 400


def test_course_link_in_header(client):
    course = make_course()
    world = role_world(course=course)
    client.force_login(world["people"]["trainer_a"].user)
    body = client.get(url(world["sa"])).content.decode()
    assert reverse("reports:course", args=[course.pk]) in body


# --- exports ----------------------------------------------------------------------------------


def _filled_session():
    trainer = make_trainer()
    session = make_session(trainers=[trainer])
    survey = make_survey(session)
    for text in ("=1+1", "@SUM(A1)", "好"):
        answer(survey, rating_5="4", rating_10="9", text=text)
    work = make_assignment(session, max_score=50)
    grade(work, EmployeeFactory(), 40)
    return session


def test_xlsx_export_parses_and_comments_stay_text(client):
    session = _filled_session()
    client.force_login(make_hq_admin().user)
    response = client.get(url(session, export="xlsx"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    # header facts, L1 questions, L1 distribution, comments, L2 assignments, L2 H5P, L4
    assert len(book.sheetnames) == 9  # + L3 follow-up and return on training
    facts, questions, distribution, comments, assignments, _h5p, _l3, _l4, _roi = book.worksheets
    cells = [c for row in comments.iter_rows(min_row=3) for c in row if c.column == 2]
    assert {c.value for c in cells} == {"=1+1", "@SUM(A1)", "好"}
    assert all(c.data_type == "s" for c in cells)
    fact_rows = list(facts.iter_rows(min_row=3, values_only=True))
    assert fact_rows[10][1] == 3  # survey responses
    assert fact_rows[12][1] == 78.75  # each response (75 * 3 + 90) / 4
    rows = list(questions.iter_rows(min_row=3, values_only=True))
    assert [r[2] for r in rows] == [3, 3, 3, 3, 3]
    assert list(distribution.iter_rows(min_row=3, values_only=True))[3][1:] == ("4", 3)
    assert next(assignments.iter_rows(min_row=3, values_only=True))[2:4] == (1, 40.0)


def test_csv_export_defuses_formulas(client):
    session = _filled_session()
    client.force_login(make_hq_admin().user)
    text = client.get(url(session, export="csv")).content.decode("utf-8-sig")
    assert "'=1+1" in text and "'@SUM(A1)" in text
    assert "\n=1+1" not in text and ",=1+1" not in text


# --- query count ------------------------------------------------------------------------------


def _build(n: int):
    quiz = h5p_content(f"测验{n}")
    course = make_course(f"课程{n}", h5p=[quiz])
    branch = BranchFactory()
    metric = make_metric(code=f"m{n}")
    monthly(metric, branch, dt.date(2025, 12, 1), [10, 10, 10, None, 12, 12, 12])
    session = session_on(dt.date(2026, 3, 15), branch=branch, trainers=[make_trainer()])
    session.course = course
    session.save(update_fields=["course"])
    link(session, metric, branch)
    refresh_session_lifts()
    survey = make_survey(session)
    work = make_assignment(session)
    for i in range(n):
        learner = EmployeeFactory()
        answer(survey, learner, rating_5=str(1 + i % 5), rating_10=str(i % 11), text=f"意见{i}")
        grade(work, learner, 50 + i)
        h5p_result(quiz, learner, 1, 2, at=session.starts_at - dt.timedelta(days=1))
        h5p_result(quiz, learner, 2, 2, at=session.starts_at + dt.timedelta(days=1))
    return session


def test_page_query_count_does_not_grow_with_data(client):
    small, big = _build(3), _build(12)
    client.force_login(make_hq_admin().user)
    client.get(url(small))  # warm per-user caches

    def count(session) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(session)).status_code == 200
        return len(queries)

    assert count(small) == count(big)
