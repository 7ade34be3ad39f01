"""Writes of the ROI inputs: who may, validation (nothing stored on refusal), audit."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evaluation.roi import services
from evaluation.roi.models import MetricBenefitBasis, RoiSettings, SessionCost
from hub.organisation.models import AuditEvent, Role
from tests.evaluation.metrics.helpers import make_metric
from tests.evaluation.roi.helpers import roi_session
from tests.factories import BranchFactory, EmployeeFactory, grant, make_hq_admin, make_manager
from tests.hub.needs.helpers import make_trainer

pytestmark = pytest.mark.django_db
D = Decimal
DAY = dt.date(2026, 1, 1)


def save_settings(actor, **kwargs):
    values = {
        "effective_from": DAY,
        "trainer_hourly_cost": D(300),
        "learner_hourly_cost": D(80),
        "horizon_months": 12,
    }
    return services.roi_settings_save(actor=actor, **{**values, **kwargs})


def test_settings_change_is_audited_with_old_and_new():
    admin = make_hq_admin().user
    save_settings(admin)
    save_settings(admin, trainer_hourly_cost=D(350))
    row = RoiSettings.objects.get()
    assert row.trainer_hourly_cost == D(350) and row.updated_by == admin
    events = AuditEvent.objects.filter(action=services.AUDIT_SETTINGS).order_by("pk")
    assert events.count() == 2
    last = events.last()
    assert last.actor == admin and last.summary.startswith("roi 2026-01-01")
    assert last.data["roi"] == {"trainer_hourly_cost": ["300.00", "350"]}


def test_same_values_write_no_audit():
    admin = make_hq_admin().user
    save_settings(admin)
    save_settings(admin)
    assert AuditEvent.objects.filter(action=services.AUDIT_SETTINGS).count() == 1


def test_a_new_date_adds_a_row_and_keeps_the_old():
    admin = make_hq_admin().user
    save_settings(admin)
    save_settings(admin, effective_from=dt.date(2026, 7, 1), learner_hourly_cost=D(90))
    rows = RoiSettings.objects.order_by("effective_from")
    assert list(rows.values_list("learner_hourly_cost", flat=True)) == [D(80), D(90)]


@pytest.mark.parametrize(
    "bad",
    [{"trainer_hourly_cost": D(-1)}, {"learner_hourly_cost": D("-0.01")}, {"horizon_months": 0}],
)
def test_invalid_settings_are_refused_and_nothing_stored(bad):
    with pytest.raises(ValidationError):
        save_settings(make_hq_admin().user, **bad)
    assert not RoiSettings.objects.exists() and not AuditEvent.objects.exists()


def test_only_hq_admins_write_settings_and_metric_values():
    lead = EmployeeFactory()
    grant(lead, Role.TRAINING_LEAD)
    for actor in (lead.user, make_manager(BranchFactory()).user, make_trainer().user):
        with pytest.raises(PermissionDenied):
            save_settings(actor)
        with pytest.raises(PermissionDenied):
            services.metric_benefit_set(
                metric=make_metric(code=f"m{actor.pk}"), actor=actor, value_per_unit=D(1)
            )
    assert not RoiSettings.objects.exists() and not MetricBenefitBasis.objects.exists()


def test_metric_value_per_unit_and_basis_audited():
    admin = make_hq_admin().user
    metric = make_metric()
    services.metric_benefit_set(
        metric=metric,
        actor=admin,
        value_per_unit=D(200),
        affected_volume=D(500),
        volume_note="笔交易",
        recurrence="monthly",
    )
    metric.refresh_from_db()
    assert metric.value_per_unit == D(200)
    assert metric.benefit_basis.affected_volume == D(500)
    event = AuditEvent.objects.get(action=services.AUDIT_METRIC)
    assert event.data["roi"]["value_per_unit"] == ["None", "200"]
    with pytest.raises(ValidationError):
        services.metric_benefit_set(
            metric=metric, actor=admin, value_per_unit=D(1), affected_volume=D(-5)
        )
    metric.refresh_from_db()
    assert metric.value_per_unit == D(200)  # the refused change stored nothing
    assert AuditEvent.objects.filter(action=services.AUDIT_METRIC).count() == 1


def test_session_cost_by_its_trainer_and_hq_admin():
    branch = BranchFactory()
    trainer = make_trainer(branch)
    session = roi_session(branch, trainers=[trainer], cost=False)
    services.session_cost_set(session=session, actor=trainer.user, venue=D(500), materials=D(0))
    services.session_cost_set(
        session=session, actor=make_hq_admin().user, venue=D(600), materials=D(20)
    )
    cost = SessionCost.objects.get(session=session)
    assert (cost.venue, cost.materials) == (D(600), D(20))


def test_session_cost_refused_for_others():
    branch = BranchFactory()
    session = roi_session(branch, cost=False)
    lead = EmployeeFactory()
    grant(lead, Role.TRAINING_LEAD)
    for actor in (make_trainer(branch).user, make_manager(branch).user, lead.user):
        with pytest.raises(PermissionDenied):
            services.session_cost_set(session=session, actor=actor, venue=D(1), materials=D(1))
    assert not SessionCost.objects.exists()


@pytest.mark.parametrize("venue, materials", [(D(-1), D(0)), (D(0), D("-0.01"))])
def test_negative_costs_refused_and_nothing_stored(venue, materials):
    branch = BranchFactory()
    session = roi_session(branch, cost=False)
    admin = make_hq_admin().user
    with pytest.raises(ValidationError):
        services.session_cost_set(session=session, actor=admin, venue=venue, materials=materials)
    assert not SessionCost.objects.exists()
    services.session_cost_set(session=session, actor=admin, venue=D(10), materials=D(10))
    with pytest.raises(ValidationError):
        services.session_cost_set(session=session, actor=admin, venue=venue, materials=materials)
    assert SessionCost.objects.get().venue == D(10)  # the stored row is unchanged
