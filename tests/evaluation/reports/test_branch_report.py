"""The branch effectiveness report (evaluation.reports.branch, /reports/branches/<id>/).

Hand-built world, today = 2026-12-03, period 2026 Q4: branch A (region R) with an onboarding
programme (a need on 3-month retention whose first session ended on 2025-07-01) and a
cross-selling programme (session on 2026-06-15, before 22 → after 26); branches C, D, E of the
same region are untrained peers.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluation.metrics import rules
from evaluation.metrics.models import MetricDefinition
from evaluation.metrics.selectors import lift_for
from evaluation.reports.branch import AFTER, BEFORE, branch_report
from evaluation.reports.periods import quarter
from hub.organisation.models import Role
from hub.sessions.models import Session
from tests.evaluation.metrics.helpers import link, make_metric, monthly, session_on
from tests.evaluation.surveys.helpers import add_responses, make_survey
from tests.factories import (
    BranchFactory,
    EmployeeFactory,
    RegionFactory,
    grant,
    make_manager,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 3)
PERIOD = quarter(2026, 4)
PIVOT = dt.date(2025, 7, 1)


def hires(branch, day: dt.date, count: int, leavers: int) -> None:
    """``count`` people hired on ``day``, the first ``leavers`` leaving on day 40."""
    for index in range(count):
        EmployeeFactory(
            branch=branch,
            hire_date=day,
            leave_date=day + dt.timedelta(days=40) if index < leavers else None,
        )


@pytest.fixture
def world():
    region = RegionFactory()
    a = BranchFactory(region=region)
    peers = [BranchFactory(region=region) for _ in range(3)]
    other = BranchFactory(region=region)
    hq = BranchFactory(code="HQ", is_hq=True)
    retention = make_metric(code="retention_3m", name_zh="三个月新员工留存率", source="computed")
    onboarding = session_on(PIVOT, branch=a)
    link(onboarding, retention, a)
    # cohorts: 2025 Q2 3 of 5, Q3 6 of 7, Q4 6 of 7 (quarters); one hire of 2026 Q1 is outside
    hires(a, dt.date(2025, 4, 10), 5, 2)
    hires(a, dt.date(2025, 7, 10), 7, 1)
    hires(a, dt.date(2025, 10, 10), 7, 1)
    hires(a, dt.date(2026, 2, 10), 1, 1)
    users = {
        "manager_a": make_manager(a).user,
        "manager_other": make_manager(other).user,
        "trainer": _with_role(EmployeeFactory(branch=a), Role.TRAINER),
        "learner": EmployeeFactory(branch=a).user,
        "lead": _with_role(EmployeeFactory(branch=hq), Role.TRAINING_LEAD),
        "hq": _with_role(EmployeeFactory(branch=hq), Role.HQ_ADMIN),
    }
    return {"a": a, "peers": peers, "users": users, "retention": retention}


def _with_role(employee, role):
    grant(employee, role)
    return employee.user


def cross_selling(world, *, day=dt.date(2026, 6, 15)):
    """A cross-selling need at A: 22 → 26 around ``day``; peers 100 → 105, 50 → 55, 100 → 97."""
    metric = MetricDefinition.objects.filter(code="cross_sell").first() or make_metric(unit="%")
    need = link(session_on(day, branch=world["a"]), metric, world["a"])
    start = dt.date(2026, 3, 1)
    monthly(metric, world["a"], start, [22, 22, 22, None, 26, 26, 26])
    for peer, (before, after) in zip(
        world["peers"], [(100, 105), (50, 55), (100, 97)], strict=True
    ):
        monthly(metric, peer, start, [before] * 3 + [None] + [after] * 3)
    return need, metric


def test_retention_cohorts_pooled_before_and_after_the_programme(world):
    report = branch_report(branch=world["a"], period=PERIOD, cohort="quarter", today=TODAY)
    assert report.pivot.starts_at.date() == PIVOT
    sides = {c.start: (c.eligible, c.retained, c.side) for c in report.cohorts}
    assert sides[dt.date(2025, 4, 1)] == (5, 3, BEFORE)
    assert sides[dt.date(2025, 7, 1)] == (7, 6, AFTER)
    assert sides[dt.date(2025, 10, 1)] == (7, 6, AFTER)
    assert sides[dt.date(2026, 1, 1)] == (1, 0, "")  # beyond the six months after
    assert (report.before.eligible, report.before.retained) == (5, 3)
    assert (report.after.eligible, report.after.retained) == (14, 12)
    assert report.before.rate == 60
    assert report.after.rate.quantize(Decimal("0.1")) == Decimal("85.7")
    # by month: the same people, the same pooled rates
    monthly_report = branch_report(branch=world["a"], period=PERIOD, cohort="month", today=TODAY)
    assert monthly_report.before == report.before and monthly_report.after == report.after
    # the onboarding programme's row shows the pooled rates as its before → after
    (row,) = [p for p in report.programmes if p.is_retention]
    assert row.lift.before == 60 and row.lift.lift.quantize(Decimal("0.1")) == Decimal("42.9")


def test_a_cohort_containing_the_pivot_counts_on_neither_side(world):
    Session.objects.filter(starts_at__date=PIVOT).update(
        starts_at=dt.datetime(2025, 8, 15, 2, tzinfo=dt.UTC),
        ends_at=dt.datetime(2025, 8, 15, 4, tzinfo=dt.UTC),
    )
    report = branch_report(branch=world["a"], period=PERIOD, cohort="quarter", today=TODAY)
    sides = {c.start: c.side for c in report.cohorts}
    assert sides[dt.date(2025, 7, 1)] == "pivot"
    assert sides[dt.date(2025, 4, 1)] == BEFORE
    assert sides[dt.date(2025, 10, 1)] == AFTER


def test_without_an_onboarding_session_there_is_no_pivot(world):
    Session.objects.update(status=Session.Status.SCHEDULED)
    report = branch_report(branch=world["a"], period=PERIOD, cohort="quarter", today=TODAY)
    assert report.pivot is None
    assert report.before.rate is None and report.after.rate is None
    assert {c.side for c in report.cohorts} == {""}


def test_a_need_lift_matches_lift_for_with_its_comparison_group(world, client):
    need, metric = cross_selling(world)
    report = branch_report(branch=world["a"], period=PERIOD, today=TODAY)
    (programme,) = [p for p in report.programmes if p.need == need]
    figure = programme.lift
    assert (figure.before, figure.after) == (Decimal(22), Decimal(26))
    assert figure.lift_display == Decimal("18.2")
    # peers +5 %, +10 %, -3 % → mean +4 %; net = 18.18 - 4 = 14.2
    assert figure.comparison_units == 3 and not figure.small_sample
    assert figure.net_lift_display == Decimal("14.2")
    expected = lift_for(metric=metric, branch=world["a"], day=dt.date(2026, 6, 15))
    assert figure == expected
    # the headline: every metric of the branch around the first programme session, the same
    assert report.headline_session == programme.first_session
    assert report.headline == ((metric, expected),)

    client.force_login(world["users"]["manager_a"])
    html = client.get(f"/reports/branches/{world['a'].pk}/?period=2026Q4").content.decode()
    assert "+18.2 %" in html and "+14.2 %" in html
    assert "22.0 → " in html and "26.0" in html


def test_an_undefined_lift_says_why(world):
    metric = make_metric(code="handling", name_zh="客诉正确处理率")
    need = link(session_on(dt.date(2026, 11, 20), branch=world["a"]), metric, world["a"])
    report = branch_report(branch=world["a"], period=PERIOD, today=TODAY)
    (programme,) = [p for p in report.programmes if p.need == need]
    assert programme.lift.lift is None
    assert programme.lift.reason == str(rules.REASON_NO_BEFORE)


def test_satisfaction_needs_three_responses(world, client):
    a = world["a"]
    session = session_on(dt.date(2026, 10, 20), branch=a)
    survey = make_survey(session)
    add_responses(survey, 80, 90)
    client.force_login(world["users"]["manager_a"])
    url = f"/reports/branches/{a.pk}/?period=2026Q4"
    response = client.get(url)
    assert response.context["rows"]["satisfaction"] is None
    assert b'data-testid="branch-satisfaction-hidden"' in response.content
    add_responses(survey, 100)
    response = client.get(url)
    assert response.context["rows"]["satisfaction"] == Decimal("90.00")
    assert response.context["report"].satisfaction.count == 3
    assert response.context["report"].sessions_delivered == 1
    assert response.context["report"].hours_delivered == Decimal("0.0")  # no completer


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager_a", 200),
        ("manager_other", 403),
        ("trainer", 403),
        ("learner", 403),
        ("lead", 200),
        ("hq", 200),
    ],
)
@pytest.mark.parametrize("export", ["", "csv", "xlsx"])
def test_who_may_open_the_page_and_its_exports(world, client, role, status, export):
    client.force_login(world["users"][role])
    query = f"?export={export}" if export else ""
    response = client.get(f"/reports/branches/{world['a'].pk}/{query}")
    assert response.status_code == status


def test_unknown_branch_is_404(world, client):
    client.force_login(world["users"]["hq"])
    assert client.get("/reports/branches/999999/").status_code == 404


def test_exports_hold_the_page_figures(world, client):
    cross_selling(world)
    client.force_login(world["users"]["hq"])
    url = f"/reports/branches/{world['a'].pk}/?period=2026Q4&cohort=quarter"
    response = client.get(url + "&export=xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    programmes = list(book.worksheets[0].iter_rows(min_row=3, values_only=True))
    cross = next(r for r in programmes if r[2] == "连带销售率")
    assert (cross[7], cross[9], cross[10], cross[12], cross[13]) == (22, 26, 18.2, 14.2, 3)
    pooled = list(book.worksheets[4].iter_rows(min_row=3, values_only=True))
    assert [(r[2], r[3], r[4]) for r in pooled] == [(5, 3, 60), (14, 12, 85.7)]
    headline = list(book.worksheets[2].iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[4], r[6], r[7], r[9]) for r in headline] == [
        ("连带销售率", 22, 26, 18.2, 14.2)
    ]
    cohorts = list(book.worksheets[3].iter_rows(min_row=3, values_only=True))
    assert [r[3:7] for r in cohorts][:3] == [(5, 5, 3, 60), (7, 7, 6, 85.7), (7, 7, 6, 85.7)]
    csv = client.get(url + "&export=csv")
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "85.7" in text and "18.2" in text


def test_the_page_shows_the_retention_story_and_charts(world, client):
    cross_selling(world)
    client.force_login(world["users"]["manager_a"])
    response = client.get(f"/reports/branches/{world['a'].pk}/?period=2026Q4&cohort=quarter")
    html = response.content.decode()
    assert "60.0 %" in html and "85.7 %" in html
    assert 'data-chart="branch-cohort-chart"' in html and 'id="branch-cohort-chart"' in html
    trend = response.context["rows"]["trends"][0]
    # the 12 months up to 2026-12: January to December; values from March
    assert [m.month for m in response.context["report"].months] == list(range(1, 13))
    assert trend["values"][2:9] == [Decimal(22)] * 3 + [None] + [Decimal(26)] * 3
    # the peers' mean: (100 + 50 + 100) / 3 = 83.3 before
    assert trend["peer_values"][2] == Decimal("83.3") and trend["peers"] == 3
    assert "<script>" not in html.replace('<script src="', "")  # no inline scripts


def _grow(world, n: int) -> None:
    """``n`` more needs with sessions, metrics and cohorts at A."""
    for index in range(n):
        metric = make_metric(code=f"m{index}", name_zh=f"指标{index}")
        day = dt.date(2026, 5, 1) + dt.timedelta(days=index)
        link(session_on(day, branch=world["a"]), metric, world["a"])
        monthly(metric, world["a"], dt.date(2026, 1, 1), [10 + index] * 11)
        monthly(metric, world["peers"][index % 3], dt.date(2026, 1, 1), [10] * 11)
        hires(world["a"], dt.date(2024, 1 + index, 5), 2, 1)
        survey = make_survey(session_on(dt.date(2026, 10, 1 + index), branch=world["a"]))
        add_responses(survey, 70, 80, 90)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_data(world, client):
    client.force_login(world["users"]["manager_a"])
    url = f"/reports/branches/{world['a'].pk}/?period=2026Q4"
    _grow(world, 2)
    small = _count(client, url)
    small_export = _count(client, url + "&export=xlsx")
    _grow_more = 6
    for index in range(2, 2 + _grow_more):
        metric = make_metric(code=f"n{index}", name_zh=f"指标N{index}")
        link(session_on(dt.date(2026, 5, 1 + index), branch=world["a"]), metric, world["a"])
        monthly(metric, world["a"], dt.date(2026, 1, 1), [20] * 11)
        hires(world["a"], dt.date(2024, 1 + index, 5), 2, 1)
        survey = make_survey(session_on(dt.date(2026, 10, 1 + index), branch=world["a"]))
        add_responses(survey, 70, 80)
    large = _count(client, url)
    assert small == large
    assert _count(client, url + "&export=xlsx") == small_export


def test_the_seeded_demo_branch_reads_60_to_85_7(client):
    from django.utils import timezone

    from hub.organisation.models import RoleGrant
    from hub.seeding import demo_seed

    demo_seed(seed=1)
    manager = RoleGrant.objects.get(role=Role.BRANCH_MANAGER, employee__user__username="manager")
    client.force_login(manager.employee.user)
    response = client.get(f"/reports/branches/{manager.branch_id}/?cohort=quarter")
    assert response.status_code == 200
    report = response.context["report"]
    rows = response.context["rows"]
    assert [p["rate"] for p in rows["pooled"]] == [Decimal("60.0"), Decimal("85.7")]
    assert (report.before.retained, report.before.eligible) == (3, 5)
    assert (report.after.retained, report.after.eligible) == (12, 14)
    # the demo's metrics: team performance +12 %, cross-selling +18 %, handling 70 → 90
    trends = {t.metric.code: t for t in report.trends}
    assert {"team_performance", "cross_sell", "correct_handling"} <= set(trends)
    values = [v for v in trends["correct_handling"].values if v is not None]
    assert round(values[0]) == 70 and round(values[-1]) == 90
    assert trends["cross_sell"].peers >= 1
    measured = [p for p in report.programmes if p.lift is not None and p.lift.lift is not None]
    assert measured  # the complaint-rate programme and the onboarding programme
    # the headline around the first programme session: +12 %, +18 %, 70 → 90
    headline = {metric.code: lift for metric, lift in report.headline}
    assert abs(headline["team_performance"].lift - 12) < 1
    assert abs(headline["cross_sell"].lift - 18) < 1
    handling = headline["correct_handling"]
    assert (round(handling.before), round(handling.after)) == (70, 90)
    assert handling.net_lift is not None and handling.comparison_units >= 1
    assert b'data-testid="headline-row"' in response.content
    assert len(report.coverage) == 4 and report.as_of == timezone.localdate()
    assert client.get(response.request["PATH_INFO"] + "?export=xlsx").status_code == 200
