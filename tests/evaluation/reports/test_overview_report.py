"""The HQ overview (evaluation.reports.overview and its page) on a hand-worked example.

2026 Q1 (as of 2026-03-31), branches A01 and B01 in region R1, C01 in R2, and the head office:

- A01: 20 staff of whom 3 trainers (granted 2025-08-01) → sign-up 3 ÷ 20 = 15.0 %; a trainer
  who left on 2025-12-31 counts nowhere in Q1. Sessions held for A01: S1 (120 min, two A01
  completers, responses 80, 70, 60) and S2 (60 min, one more A01 completer, response 90) →
  2 sessions, 3.0 h, satisfaction pooled 300 ÷ 4 = 75.00. A fourth A01 employee completed a
  company-wide session (no branch): it counts for coverage (any session) → 4 ÷ 20 = 20.0 %,
  but for no branch's sessions, hours or satisfaction.
- B01: 10 staff, 5 trainers (granted 2026-01-15) → 50.0 %; S3 (60 min, one completer, two
  responses 100, 100) → 1 session, 1.0 h, satisfaction not shown (2 responses), 10.0 %.
- C01: 4 hires on 2025-10-01, one left 2025-11-01 → 3 staff, 0 trainers (0.0 %); the
  2025-10 cohort: 3 of 4 stayed 90 days → 75.0 %.

Company: 33 staff, 8 trainers → 24.2 %; 3 sessions, 4.0 h; satisfaction 500 ÷ 6 = 83.33;
coverage 5 ÷ 33 = 15.2 %.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from evaluation.reports.overview import OverviewRow, hq_overview, ranked
from evaluation.reports.periods import quarter
from hub.organisation.models import Role, RoleGrant
from hub.sessions.models import Session
from tests.evaluation.helpers import make_trainer
from tests.evaluation.surveys.helpers import add_responses, completer, make_survey
from tests.factories import BranchFactory, EmployeeFactory, RegionFactory, grant, make_manager

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client, settings):
    """Pages and exports in English (the default is Chinese; one test checks it)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


Q1 = quarter(2026, 1)
TODAY = dt.date(2026, 12, 3)


def aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


def session_at(day, *, branch, minutes, trainers=()):
    session = Session.objects.create(
        title=f"课程{day:%m%d}",
        branch=branch,
        mode=Session.Mode.IN_PERSON,
        starts_at=aware(day),
        ends_at=aware(day) + dt.timedelta(minutes=minutes),
        capacity=20,
        status=Session.Status.ENDED,
        delivered_minutes=minutes,
    )
    session.trainers.set(trainers)
    return session


def staff(branch, count, **kwargs):
    return [EmployeeFactory(branch=branch, **kwargs) for _ in range(count)]


def trainers(people, granted: dt.date):
    for person in people:
        grant(person, Role.TRAINER)
    RoleGrant.objects.filter(employee__in=people, role=Role.TRAINER).update(
        granted_at=aware(granted)
    )


@pytest.fixture
def world():
    r1, r2 = RegionFactory(code="R1"), RegionFactory(code="R2")
    hq = BranchFactory(code="HQ", is_hq=True, region=r1)
    a = BranchFactory(code="A01", region=r1)
    b = BranchFactory(code="B01", region=r1)
    c = BranchFactory(code="C01", region=r2)

    a_staff = staff(a, 20)
    trainers(a_staff[:3], dt.date(2025, 8, 1))
    leaver = EmployeeFactory(branch=a, leave_date=dt.date(2025, 12, 31))
    trainers([leaver], dt.date(2025, 8, 1))
    s1 = session_at(dt.date(2026, 2, 10), branch=a, minutes=120, trainers=[a_staff[0]])
    completer(s1, a_staff[5])
    completer(s1, a_staff[6])
    add_responses(make_survey(s1), 80, 70, 60)
    s2 = session_at(dt.date(2026, 2, 20), branch=a, minutes=60, trainers=[a_staff[1]])
    completer(s2, a_staff[7])
    add_responses(make_survey(s2), 90)

    b_staff = staff(b, 10)
    trainers(b_staff[:5], dt.date(2026, 1, 15))
    s3 = session_at(dt.date(2026, 3, 1), branch=b, minutes=60, trainers=[b_staff[0]])
    completer(s3, b_staff[6])
    add_responses(make_survey(s3), 100, 100)

    staff(c, 3, hire_date=dt.date(2025, 10, 1))
    EmployeeFactory(branch=c, hire_date=dt.date(2025, 10, 1), leave_date=dt.date(2025, 11, 1))

    wide = session_at(dt.date(2026, 3, 2), branch=None, minutes=120, trainers=[a_staff[2]])
    completer(wide, a_staff[8])
    add_responses(make_survey(wide), 10, 10, 10)
    return {"a": a, "b": b, "c": c, "r2": r2, "hq": hq}


def rows_by_code(overview):
    return {row.branch.code: row for row in overview.rows}


def test_hand_worked_figures(world):
    overview = hq_overview(period=Q1, today=TODAY)
    assert overview.as_of == dt.date(2026, 3, 31)
    rows = rows_by_code(overview)
    assert set(rows) == {"A01", "B01", "C01"}  # not the head office
    a, b, c = rows["A01"], rows["B01"], rows["C01"]
    assert (a.staff, a.trainers, a.signup_rate) == (20, 3, Decimal("15.0"))
    assert (a.sessions, a.hours) == (2, Decimal("3.0"))
    assert (a.responses, a.shown_satisfaction) == (4, Decimal("75.00"))
    assert (a.coverage_trained, a.coverage_staff, a.coverage) == (4, 20, Decimal("20.0"))
    assert a.retention is None  # no hire in the last two years
    assert (b.staff, b.trainers, b.signup_rate) == (10, 5, Decimal("50.0"))
    assert (b.sessions, b.hours, b.responses) == (1, Decimal("1.0"), 2)
    assert b.shown_satisfaction is None  # 2 responses
    assert b.coverage == Decimal("10.0")
    assert (c.staff, c.trainers, c.signup_rate) == (3, 0, Decimal("0.0"))
    assert (c.retention_retained, c.retention_eligible, c.retention) == (3, 4, Decimal("75.0"))
    assert c.retention_cohort == dt.date(2025, 10, 1)
    total = overview.total
    assert (total.staff, total.trainers, total.signup_rate) == (33, 8, Decimal("24.2"))
    assert (total.sessions, total.hours) == (3, Decimal("4.0"))
    assert (total.responses, total.shown_satisfaction) == (6, Decimal("83.33"))
    assert total.coverage == Decimal("15.2")
    assert (overview.signup_baseline, overview.signup_target) == (Decimal(15), Decimal(45))


def test_signup_trend_by_quarter(world):
    overview = hq_overview(period=Q1, today=TODAY)
    trend = {point.period.key: point for point in overview.trend}
    assert list(trend)[-1] == "2026Q1" and len(trend) == 8
    assert (trend["2025Q2"].staff, trend["2025Q2"].trainers) == (31, 0)
    # Q3 2025: A01's 3 trainers and the later leaver, among A01 21 + B01 10 staff
    assert (trend["2025Q3"].staff, trend["2025Q3"].trainers) == (31, 4)
    assert trend["2025Q3"].rate == Decimal("12.9")
    # Q4 2025: the leaver left on 12-31, C01's three remaining hires joined
    assert (trend["2025Q4"].staff, trend["2025Q4"].trainers) == (33, 3)
    assert (trend["2026Q1"].trainers, trend["2026Q1"].rate) == (8, Decimal("24.2"))


def test_default_sort_is_satisfaction_descending(world):
    overview = hq_overview(period=Q1, today=TODAY)
    assert overview.sort == "satisfaction"
    assert [(r.branch.code, r.rank) for r in overview.rows] == [
        ("A01", 1),
        ("B01", None),  # not shown → no rank, listed after the ranked
        ("C01", None),
    ]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("signup", [("B01", 1), ("A01", 2), ("C01", 3)]),
        ("staff", [("A01", 1), ("B01", 2), ("C01", 3)]),
        ("retention", [("C01", 1), ("A01", None), ("B01", None)]),
        ("branch", [("A01", 1), ("B01", 2), ("C01", 3)]),
        ("nonsense", [("A01", 1), ("B01", None), ("C01", None)]),
    ],
)
def test_sort_and_rank(world, sort, expected):
    overview = hq_overview(period=Q1, sort=sort, today=TODAY)
    assert [(r.branch.code, r.rank) for r in overview.rows] == expected


def test_ties_share_a_rank():
    rows = [
        OverviewRow(branch=BranchFactory(code=code), staff=n)
        for code, n in (("X1", 10), ("X2", 5), ("X3", 10))
    ]
    assert [(r.branch.code, r.rank) for r in ranked(rows, "staff")] == [
        ("X1", 1),
        ("X3", 1),
        ("X2", 3),
    ]


def test_region_filter(world):
    overview = hq_overview(period=Q1, region="R2", today=TODAY)
    assert [r.branch.code for r in overview.rows] == ["C01"]
    assert overview.total.staff == 3
    assert len(hq_overview(period=Q1, region="nowhere", today=TODAY).rows) == 3


def test_page(client, world):
    lead = EmployeeFactory(branch=world["hq"])
    grant(lead, Role.TRAINING_LEAD)
    client.force_login(lead.user)
    response = client.get(reverse("reports:overview"), {"period": "2026Q1", "sort": "signup"})
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("reports:branch", args=[world["a"].pk]) in page
    assert "15.0 %" in page and "50.0 %" in page and "24.2 %" in page
    assert "75.00" in page and "83.33" in page
    assert 'data-testid="company-row"' in page
    assert 'data-chart="chart-trend"' in page and 'id="chart-trend"' in page
    assert 'data-testid="sort-satisfaction"' in page  # the other columns link to their sort


@pytest.mark.parametrize(
    ("who", "status"),
    [("learner", 403), ("trainer", 403), ("manager", 403), ("lead", 200), ("hq", 200)],
)
def test_who_may_open_it(client, world, who, status):
    a = world["a"]
    person = {
        "learner": lambda: EmployeeFactory(branch=a),
        "trainer": lambda: make_trainer(branch=a),
        "manager": lambda: make_manager(a),
        "lead": lambda: EmployeeFactory(branch=world["hq"]),
        "hq": lambda: EmployeeFactory(branch=world["hq"]),
    }[who]()
    if who == "lead":
        grant(person, Role.TRAINING_LEAD)
    if who == "hq":
        grant(person, Role.HQ_ADMIN)
    client.force_login(person.user)
    assert client.get(reverse("reports:overview")).status_code == status
    assert client.get(reverse("reports:overview"), {"export": "xlsx"}).status_code == status


def test_superuser_may_open_it(client, world, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw-12345")
    client.force_login(admin)
    assert client.get(reverse("reports:overview")).status_code == 200


def test_exports_parse(client, world):
    hq = EmployeeFactory(branch=world["hq"])
    grant(hq, Role.HQ_ADMIN)
    client.force_login(hq.user)
    url = reverse("reports:overview")
    response = client.get(url, {"period": "2026Q1", "sort": "signup", "export": "xlsx"})
    assert response.status_code == 200
    branches, trend = load_workbook(io.BytesIO(response.content)).worksheets
    rows = list(branches.iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[1]) for r in rows[:3]] == [(1, "B01"), (2, "A01"), (3, "C01")]
    a = rows[1]
    assert (a[4], a[17], a[11]) == (20, 15.0, 75.0)
    assert rows[3][2] == "Company" and rows[3][4] == 33 and rows[3][17] == 24.2
    assert [r[0] for r in trend.iter_rows(min_row=3, values_only=True)][-1] == "2026 Q1"
    csv = client.get(url, {"period": "2026Q1", "export": "csv"})
    assert csv.status_code == 200 and "24.2" in csv.content.decode("utf-8-sig")


def _branches(count):
    region = RegionFactory()
    for index in range(count):
        branch = BranchFactory(region=region)
        people = staff(branch, 3)
        trainers(people[:1], dt.date(2026, 1, 5))
        session = session_at(
            dt.date(2026, 2, 1) + dt.timedelta(days=index), branch=branch, minutes=60
        )
        completer(session, people[1])
        add_responses(make_survey(session), 70, 80, 90)
        EmployeeFactory(branch=branch, hire_date=dt.date(2025, 9, 1))
    return region


def _count(client, region):
    client.force_login(hq_user().user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reports:overview"), {"period": "2026Q1", "region": region})
    assert response.status_code == 200
    return len(queries)


def hq_user():
    person = EmployeeFactory(branch=BranchFactory(code="HQ", is_hq=True))
    grant(person, Role.HQ_ADMIN)
    return person


def test_query_count_does_not_grow_with_branches(client):
    three = _branches(3)
    twelve = _branches(12)
    assert _count(client, three.code) == _count(client, twelve.code)
    assert _count(client, "") == _count(client, three.code)
