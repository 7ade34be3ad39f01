"""The trainer evaluation report (evaluation.reports.trainer and its page): H, S and L for a
period on a hand-worked example, who may open it, its export and its query count.

The example, trainer T (branch A) in 2026 Q1:

- S1 2026-02-10, 120 min delivered, one completer, responses 80, 70, 60; its need's metric at
  A goes 100 → 110 (+10 %);
- S2 2026-02-20, co-trained with U (branch B), scheduled 90 min but ended after 60, one
  completer, one response of 90; its metric at B goes 100 → 130 (+30 %);
- S3 2026-03-01, 45 min delivered, a learner enrolled but nobody completed: 0 h;
- S4 2026-03-05 cancelled: 0 h; S5 2026-04-02 ended: outside the period.

H = (120 + 60) / 60 = 3.0 h; S = (80 + 70 + 60 + 90) / 4 = 75.00 (pooled; S2's single
response is never shown on its own); L = (10 + 30) / 2 = 20.0 %. U's H = 1.0 h (in full).
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

from evaluation import selectors as evaluation_selectors
from evaluation.metrics.services import refresh_session_lifts
from evaluation.reports.periods import quarter
from evaluation.reports.trainer import trainer_report
from hub.organisation.models import Role
from hub.sessions.models import Session
from tests.evaluation.helpers import enrol, make_trainer
from tests.evaluation.metrics.helpers import link, make_metric, monthly
from tests.evaluation.surveys.helpers import add_responses, completer, make_survey
from tests.factories import BranchFactory, EmployeeFactory, RegionFactory, grant, make_manager

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client, settings):
    """Pages and exports in English (the default is Chinese; one test checks it)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


Q1 = quarter(2026, 1)


def session_at(day, *, trainers, minutes=120, delivered=None, status="ended", branch=None):
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    session = Session.objects.create(
        title=f"课程{day:%m%d}",
        branch=branch,
        mode=Session.Mode.IN_PERSON,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=minutes),
        capacity=20,
        status=status,
        delivered_minutes=(minutes if delivered is None else delivered)
        if status == "ended"
        else None,
    )
    session.trainers.set(trainers)
    return session


@pytest.fixture
def world():
    region = RegionFactory()
    a, b = BranchFactory(region=region), BranchFactory(region=region)
    t = make_trainer(branch=a)
    u = make_trainer(branch=b)
    metric = make_metric()
    monthly(metric, a, dt.date(2025, 11, 1), [100, 100, 100, None, 110, 110, 110])
    monthly(metric, b, dt.date(2025, 11, 1), [100, 100, 100, None, 130, 130, 130])

    s1 = session_at(dt.date(2026, 2, 10), trainers=[t], branch=a)
    completer(s1)
    add_responses(make_survey(s1), 80, 70, 60)
    link(s1, metric, a)

    s2 = session_at(dt.date(2026, 2, 20), trainers=[t, u], minutes=90, delivered=60)
    completer(s2)
    add_responses(make_survey(s2), 90)
    link(s2, metric, b)

    s3 = session_at(dt.date(2026, 3, 1), trainers=[t], minutes=45)
    enrol(s3, EmployeeFactory())  # enrolled, never completed
    s4 = session_at(dt.date(2026, 3, 5), trainers=[t], status="cancelled")
    s5 = session_at(dt.date(2026, 4, 2), trainers=[t])
    completer(s5)
    refresh_session_lifts()  # lift reads come from the stored snapshots
    return {"a": a, "b": b, "t": t, "u": u, "s1": s1, "s2": s2, "s3": s3, "s4": s4, "s5": s5}


def test_hand_worked_figures(world):
    report = trainer_report(trainer=world["t"], period=Q1)
    assert report.teaching_hours == Decimal("3.0")
    assert report.credited_minutes == 180
    assert report.satisfaction.count == 4
    assert report.satisfaction.mean == Decimal("75.00")
    assert report.satisfaction_shown
    assert report.lift.lift == Decimal(20)
    assert report.lift.sessions == 2
    rows = {r.session_id: r for r in report.sessions}
    assert set(rows) == {world[k].pk for k in ("s1", "s2", "s3", "s4")}
    s1, s2, s3, s4 = (rows[world[k].pk] for k in ("s1", "s2", "s3", "s4"))
    assert (s1.delivered_hours, s1.credited_hours, s1.completers) == (Decimal("2.00"),) * 2 + (1,)
    assert s1.shown_satisfaction == Decimal("70.00") and s1.measured_lift == Decimal("10.0")
    assert s2.co_trained and s2.delivered_minutes == 60 and s2.credited_minutes == 60
    assert s2.responses == 1 and s2.shown_satisfaction is None  # 1 response: never shown alone
    assert s2.measured_lift == Decimal("30.0")
    assert s3.no_completer and s3.delivered_minutes == 45 and s3.credited_minutes == 0
    assert s3.lift is None
    assert not s4.ended and s4.credited_minutes == 0 and s4.satisfaction is None
    assert [r.session_id for r in report.no_completer_sessions] == [world["s3"].pk]


def test_lift_is_the_figure_tiers_reads(world):
    """L on the page is evaluation.selectors.trainer_lift's figure."""
    report = trainer_report(trainer=world["t"], period=Q1)
    stable = evaluation_selectors.trainer_lift(trainer=world["t"], start=Q1.start, end=Q1.end)
    assert (report.lift.lift, report.lift.sessions) == (stable.lift, stable.sessions)
    assert report.lift.net_lift == stable.net_lift


def test_co_trainer_counts_the_session_in_full(world):
    report = trainer_report(trainer=world["u"], period=Q1)
    assert report.teaching_hours == Decimal("1.0")
    assert report.satisfaction.count == 1  # S is defined (no minimum) …
    assert report.satisfaction.mean == Decimal("90.00")
    assert not report.satisfaction_shown  # … but a pool of 1 response is not printed
    assert report.lift.lift == Decimal(30)


def test_page_shows_the_figures_with_their_inputs(client, world):
    client.force_login(world["t"].user)
    response = client.get(reverse("reports:trainer", args=[world["t"].pk]), {"period": "2026Q1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "3.0 h" in page
    assert "75.00" in page
    assert "20.0 %" in page
    assert "70.00" in page
    assert "90.00" not in page  # S2's single response
    assert reverse("reports:session", args=[world["s1"].pk]) in page
    assert 'data-testid="flag-no-completer"' in page
    assert 'data-chart="chart-hours"' in page and 'id="chart-hours"' in page


def test_page_withholds_s_of_fewer_than_three_responses(client, world):
    client.force_login(world["u"].user)
    page = client.get(
        reverse("reports:trainer", args=[world["u"].pk]), {"period": "2026Q1"}
    ).content.decode()
    assert "90.00" not in page
    assert "1.0 h" in page and "30.0 %" in page


def test_unknown_components_say_unknown(client):
    trainer = make_trainer()
    session_at(dt.date(2026, 2, 3), trainers=[trainer])  # no completer, survey or metric
    report = trainer_report(trainer=trainer, period=Q1)
    assert report.teaching_hours == Decimal("0.0")
    assert report.satisfaction.mean is None and report.lift.lift is None
    client.force_login(trainer.user)
    page = client.get(
        reverse("reports:trainer", args=[trainer.pk]), {"period": "2026Q1"}
    ).content.decode()
    assert page.count("unknown") >= 2


def test_period_picker_lists_periods_and_falls_back(client, world):
    client.force_login(world["t"].user)
    url = reverse("reports:trainer", args=[world["t"].pk])
    page = client.get(url, {"period": "2026"}).content.decode()
    assert 'value="2026Q1"' in page and 'value="2026" selected' in page
    # the year holds S5 as well: 5 h
    assert "5.0 h" in page
    assert client.get(url, {"period": "garbage"}).status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("t", 200),
        ("learner_self", 200),
        ("learner_other", 403),
        ("manager_a", 200),
        ("manager_b", 403),
        ("lead", 200),
        ("hq", 200),
        ("u", 403),
    ],
)
def test_who_may_open_it(client, world, who, status):
    hq_branch = BranchFactory(code="HQ", is_hq=True)
    learner = EmployeeFactory(branch=world["a"])
    people = {
        "t": world["t"],
        "u": world["u"],
        "learner_self": learner,
        "learner_other": learner,
        "manager_a": make_manager(world["a"]),
        "manager_b": make_manager(world["b"]),
        "lead": EmployeeFactory(branch=hq_branch),
        "hq": EmployeeFactory(branch=hq_branch),
    }
    grant(people["lead"], Role.TRAINING_LEAD)
    grant(people["hq"], Role.HQ_ADMIN)
    target = learner if who == "learner_self" else world["t"]
    client.force_login(people[who].user)
    response = client.get(reverse("reports:trainer", args=[target.pk]))
    assert response.status_code == status
    export = client.get(reverse("reports:trainer", args=[target.pk]), {"export": "csv"})
    assert export.status_code == status


def test_unknown_employee_is_404(client, world):
    client.force_login(world["t"].user)
    assert client.get(reverse("reports:trainer", args=[999999])).status_code == 404


def test_exports_hold_the_page_figures(client, world):
    client.force_login(world["t"].user)
    url = reverse("reports:trainer", args=[world["t"].pk])
    response = client.get(url, {"period": "2026Q1", "export": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    inputs, sessions, _l3 = book.worksheets
    figures = {row[0]: row[1] for row in inputs.iter_rows(min_row=3, values_only=True)}
    assert figures == {
        "Teaching hours H (h)": 3.0,
        "Satisfaction S (0-100)": 75.0,
        "Lift L (%)": 20.0,
    }
    rows = list(sessions.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 4
    by_title = {r[1]: r for r in rows}
    assert by_title[world["s1"].title][8] == 70.0
    assert by_title[world["s2"].title][8] is None  # one response: not exported either
    assert by_title[world["s2"].title][5] == 1.0
    csv = client.get(url, {"period": "2026Q1", "export": "csv"})
    assert csv.status_code == 200
    text = csv.content.decode("utf-8-sig")
    assert "75.00" in text and "90.00" not in text


def _build(trainer, count):
    metric = make_metric(code=f"m{trainer.pk}")
    monthly(metric, trainer.branch, dt.date(2025, 11, 1), [100, 100, 100, None, 110, 110, 110])
    for index in range(count):
        session = session_at(dt.date(2026, 1, 5) + dt.timedelta(days=index), trainers=[trainer])
        completer(session)
        add_responses(make_survey(session), 80, 90, 70)
        link(session, metric, trainer.branch)
    refresh_session_lifts()


def _count_page(client, trainer):
    client.force_login(trainer.user)
    url = reverse("reports:trainer", args=[trainer.pk])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"period": "2026Q1"}).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_sessions(client):
    small, large = make_trainer(), make_trainer()
    _build(small, 2)
    _build(large, 6)
    assert _count_page(client, small) == _count_page(client, large)


def test_page_is_chinese_by_default(client, settings):
    trainer = make_trainer()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(trainer.user)
    page = client.get(reverse("reports:trainer", args=[trainer.pk])).content.decode()
    assert "授课时长 H" in page and "未知" in page
