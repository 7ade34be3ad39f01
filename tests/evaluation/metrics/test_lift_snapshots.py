"""Stored session lifts (``SessionLift``): equal to the live ``session_lift`` on the hand-worked
examples, refreshed idempotently and by the events that change them, read in a constant number
of queries, and a delivered need with a measurable lift becomes evaluated."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluation import selectors as evaluation_selectors
from evaluation.metrics import services
from evaluation.metrics.models import MetricValue, NeedMetric, SessionLift
from hub.needs.models import NeedEvent, TrainingNeed
from hub.sessions.signals import session_delivered
from tests.evaluation.metrics.helpers import link, make_metric, monthly, session_on
from tests.factories import BranchFactory, RegionFactory, TeamFactory, make_hq_admin
from tests.hub.needs.helpers import make_trainer

pytestmark = pytest.mark.django_db

MARCH_15 = dt.date(2026, 3, 15)
DEC = dt.date(2025, 12, 1)


def _branches(n):
    region = RegionFactory()
    return [BranchFactory(region=region) for _ in range(n)]


# Each builder makes one of the hand-worked examples of test_selectors / docs/evaluation.md
# and returns (session, the expected plain lift or None).


def _windows():
    [branch] = _branches(1)
    metric = make_metric()
    monthly(metric, branch, dt.date(2025, 11, 1), [50, 20, 20, 20, 99, 25, 25, 25, 50])
    session = session_on(MARCH_15)
    link(session, metric, branch)
    return session, Decimal(25)


def _lower_is_better():
    [branch] = _branches(1)
    metric = make_metric(code="complaints", direction="lower")
    monthly(metric, branch, DEC, [8, 8, 8, None, 6, 6, 6])
    session = session_on(MARCH_15)
    link(session, metric, branch)
    return session, Decimal(25)


def _zero_before():
    [branch] = _branches(1)
    metric = make_metric()
    monthly(metric, branch, DEC, [0, 0, 0, None, 5, 5, 5])
    session = session_on(MARCH_15)
    link(session, metric, branch)
    return session, None


def _not_measured_yet():
    [branch] = _branches(1)
    metric = make_metric()
    monthly(metric, branch, DEC, [20, 20, 20])
    session = session_on(MARCH_15)
    link(session, metric, branch)
    return session, None


def _net_lift():
    trained, peer1, peer2, peer3 = _branches(4)
    metric = make_metric()
    monthly(metric, trained, DEC, [100, 100, 100, None, 120, 120, 120])
    monthly(metric, peer1, DEC, [100, 100, 100, None, 105, 105, 105])
    monthly(metric, peer2, DEC, [50, 50, 50, None, 55, 55, 55])
    monthly(metric, peer3, DEC, [100, 100, 100, None, 97, 97, 97])
    session = session_on(MARCH_15)
    link(session, metric, trained)
    return session, Decimal(20)


def _team_level_repeating_decimal():
    [branch] = _branches(1)
    teams = [TeamFactory(branch=branch), TeamFactory(branch=branch)]
    metric = make_metric(code="team_perf", level="team")
    for team, (before, after) in zip(teams, ((100, 110), (200, 230)), strict=True):
        for month, value in ((dt.date(2026, 1, 1), before), (dt.date(2026, 4, 1), after)):
            MetricValue.objects.create(
                metric=metric,
                team=team,
                period_start=month,
                period_end=month.replace(day=28),
                value=value,
            )
    session = session_on(MARCH_15)
    link(session, metric, branch)
    return session, Decimal(20) / Decimal(150) * 100  # 13.333…


EXAMPLES = [
    _windows,
    _lower_is_better,
    _zero_before,
    _not_measured_yet,
    _net_lift,
    _team_level_repeating_decimal,
]


@pytest.mark.parametrize("build", EXAMPLES, ids=lambda f: f.__name__.strip("_"))
def test_stored_lift_equals_the_live_session_lift(build):
    session, expected = build()
    services.refresh_session_lifts()
    live = evaluation_selectors.session_lift(session=session)
    stored = evaluation_selectors.lift_by_session(sessions=[session])[session.pk]
    assert stored == live  # every field, to the last digit (as_of is not compared)
    assert stored.lift == expected
    assert live.as_of is None and stored.as_of == SessionLift.objects.get().computed_at
    assert stored.reason == live.reason and stored.lift_display == live.lift_display


def test_net_lift_is_stored_with_its_comparison_group():
    session, _ = _net_lift()
    services.refresh_session_lifts(sessions=[session])
    figure = evaluation_selectors.lift_by_session(sessions=[session])[session.pk]
    assert (figure.lift, figure.comparison_lift, figure.net_lift) == (
        Decimal(20),
        Decimal(4),
        Decimal(16),
    )
    assert figure.comparison_units == 3 and figure.small_sample is False


def test_refresh_is_idempotent_and_only_ended_linked_sessions_are_stored():
    session, _ = _windows()
    session_on(MARCH_15)  # no linked metric
    need = NeedMetric.objects.get().need
    scheduled = session_on(MARCH_15, status="scheduled")
    need.sessions.add(scheduled)
    first = services.refresh_session_lifts()
    rows = list(SessionLift.objects.values())
    second = services.refresh_session_lifts()
    assert first == {"refreshed": 1, "created": 1, "deleted": 0, "needs evaluated": 0}
    assert second == {**first, "created": 0}  # refreshed again, nothing new
    assert [r["session_id"] for r in rows] == [session.pk]
    again = list(SessionLift.objects.values())
    assert [{**r, "computed_at": None} for r in again] == [{**r, "computed_at": None} for r in rows]


def test_snapshot_is_deleted_when_the_session_loses_its_metric():
    session, _ = _windows()
    services.refresh_session_lifts()
    NeedMetric.objects.all().delete()
    assert services.refresh_session_lifts(sessions=[session])["deleted"] == 1
    assert evaluation_selectors.lift_by_session(sessions=[session]) == {}


def _csv_upload(text):
    return SimpleUploadedFile("values.csv", text.encode("utf-8"), content_type="text/csv")


def test_import_apply_refreshes_the_lifts_of_its_metric(django_capture_on_commit_callbacks):
    [branch] = _branches(1)
    branch.code = "SH01"
    branch.save()
    metric = make_metric()
    monthly(metric, branch, DEC, [20, 20, 20, None, 25, 25, 25])
    session = session_on(MARCH_15)
    link(session, metric, branch)
    services.refresh_session_lifts()
    assert evaluation_selectors.lift_by_session(sessions=[session])[session.pk].lift == 25
    admin = make_hq_admin().user
    # April and May move from 25 to 28: after = (28 + 28 + 25) / 3 = 27 → lift +35 %
    batch = services.metric_import_create(
        upload=_csv_upload(
            "指标编码,范围编码,期间,数值\ncross_sell,SH01,2026-04,28\ncross_sell,SH01,2026-05,28\n"
        ),
        actor=admin,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.metric_import_apply(batch=batch, actor=admin)
    figure = evaluation_selectors.lift_by_session(sessions=[session])[session.pk]
    assert (figure.after, figure.lift) == (Decimal(27), Decimal(35))
    assert figure == evaluation_selectors.session_lift(session=session)


def test_hq_value_edit_refreshes_the_lift(django_capture_on_commit_callbacks):
    [branch] = _branches(1)
    metric = make_metric()
    values = monthly(metric, branch, DEC, [20, 20, 20, None, 25, 25, 25])
    session = session_on(MARCH_15)
    link(session, metric, branch)
    services.refresh_session_lifts()
    with django_capture_on_commit_callbacks(execute=True):
        services.metric_value_set(
            value=values[0], new_value=Decimal(14), actor=make_hq_admin().user
        )
    # before = (14 + 20 + 20) / 3 = 18 → (25 - 18) / 18 = 38.88…
    figure = evaluation_selectors.lift_by_session(sessions=[session])[session.pk]
    assert figure.before == Decimal(18)
    assert figure == evaluation_selectors.session_lift(session=session)


def test_delivery_stores_the_lift(django_capture_on_commit_callbacks):
    session, _ = _windows()
    assert not SessionLift.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        session_delivered.send(sender=type(session), session=session)
    assert evaluation_selectors.lift_by_session(sessions=[session])[session.pk].lift == 25


def test_linking_a_metric_stores_the_lift(django_capture_on_commit_callbacks):
    [branch] = _branches(1)
    metric = make_metric()
    monthly(metric, branch, DEC, [20, 20, 20, None, 25, 25, 25])
    session = session_on(MARCH_15)
    with django_capture_on_commit_callbacks(execute=True):
        need = link(session, metric, branch)
    assert SessionLift.objects.get().session_id == session.pk
    with django_capture_on_commit_callbacks(execute=True):
        need.sessions.remove(session)
    assert not SessionLift.objects.exists()


def test_refresh_lifts_command(capsys):
    _windows()
    call_command("refresh_lifts")
    assert "refreshed 1 session lift(s)" in capsys.readouterr().out
    assert SessionLift.objects.count() == 1


def _trainer_with_sessions(n):
    branches = _branches(n)
    metric = make_metric()
    trainer = make_trainer()
    sessions = []
    for index, branch in enumerate(branches):
        monthly(metric, branch, DEC, [100, 100, 100, None, 100 + index, 100 + index])
        session = session_on(MARCH_15, trainers=[trainer])
        link(session, metric, branch)
        sessions.append(session)
    services.refresh_session_lifts()
    return trainer, sessions


def _queries(read) -> int:
    with CaptureQueriesContext(connection) as captured:
        read()
    return len(captured.captured_queries)


@pytest.mark.parametrize("n", [2, 10])
def test_lift_by_session_is_one_query(n):
    _trainer, sessions = _trainer_with_sessions(n)
    result = {}
    assert _queries(lambda: result.update(evaluation_selectors.lift_by_session(sessions=sessions)))
    assert _queries(lambda: evaluation_selectors.lift_by_session(sessions=sessions)) == 1
    assert len(result) == n
    ids = type(sessions[0]).objects.filter(pk__in=[s.pk for s in sessions])
    assert _queries(lambda: evaluation_selectors.lift_by_session(sessions=ids)) == 1


@pytest.mark.parametrize("n", [2, 10])
def test_trainer_lift_is_one_query(n):
    trainer, sessions = _trainer_with_sessions(n)
    period = {"trainer": trainer, "start": dt.date(2026, 1, 1), "end": dt.date(2026, 3, 31)}
    assert _queries(lambda: evaluation_selectors.trainer_lift(**period)) == 1
    figure = evaluation_selectors.trainer_lift(**period)
    # lifts 0, 1, …, n-1 % → mean (n - 1) / 2
    assert figure.lift == Decimal(n - 1) / 2 and figure.sessions == n
    assert figure.session_ids == [s.pk for s in sessions]
    assert figure.as_of == SessionLift.objects.order_by("computed_at").first().computed_at


def test_trainer_lift_with_other_windows_is_computed_now():
    trainer, _sessions = _trainer_with_sessions(2)
    figure = evaluation_selectors.trainer_lift(
        trainer=trainer, start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31), days=60
    )
    assert figure.lift == Decimal("0.5") and figure.as_of is None


# --- a need moves to evaluated with its measured lift --------------------------------------


def _delivered_need():
    [branch] = _branches(1)
    metric = make_metric()
    monthly(metric, branch, DEC, [20, 20, 20, None, 25, 25, 25])
    session = session_on(MARCH_15)
    need = link(session, metric, branch)
    TrainingNeed.objects.filter(pk=need.pk).update(
        status=TrainingNeed.Status.DELIVERED, claimed_by=make_trainer()
    )
    return need, session


def test_need_is_evaluated_once_its_after_window_has_passed():
    need, _session = _delivered_need()
    # the after window of 15 March ends on 13 June: on that day it is still open
    assert services.refresh_session_lifts(today=dt.date(2026, 6, 13))["needs evaluated"] == 0
    need.refresh_from_db()
    assert need.status == TrainingNeed.Status.DELIVERED
    assert services.refresh_session_lifts(today=dt.date(2026, 6, 14))["needs evaluated"] == 1
    need.refresh_from_db()
    assert need.status == TrainingNeed.Status.EVALUATED
    assert need.metric_after == Decimal("25.00")
    assert need.lift_percent == Decimal("13.6")  # the manager's 22 → measured 25
    event = NeedEvent.objects.get(need=need, to_status=TrainingNeed.Status.EVALUATED)
    assert event.actor is None
    assert "20 → 25" in event.note and "+25.0 %" in event.note
    # a second refresh changes nothing
    assert services.refresh_session_lifts(today=dt.date(2026, 7, 1))["needs evaluated"] == 0
    assert NeedEvent.objects.filter(need=need, to_status="evaluated").count() == 1


def test_need_without_a_measurable_lift_stays_delivered():
    need, _session = _delivered_need()
    MetricValue.objects.filter(period_start__gte=dt.date(2026, 4, 1)).delete()
    assert services.refresh_session_lifts(today=dt.date(2026, 9, 1))["needs evaluated"] == 0
    need.refresh_from_db()
    assert need.status == TrainingNeed.Status.DELIVERED and need.metric_after is None


def test_need_not_delivered_is_not_evaluated():
    [branch] = _branches(1)
    metric = make_metric()
    monthly(metric, branch, DEC, [20, 20, 20, None, 25, 25, 25])
    need = link(session_on(MARCH_15), metric, branch)  # still open
    services.refresh_session_lifts(today=dt.date(2026, 9, 1))
    need.refresh_from_db()
    assert need.status == TrainingNeed.Status.OPEN
