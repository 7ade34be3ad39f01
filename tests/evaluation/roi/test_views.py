"""The ROI pages: settings (HQ reads, admins write), metric value, session costs."""

from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation.roi.models import RoiSettings, SessionCost
from hub.organisation.models import AuditEvent, Role
from tests.evaluation.roi.helpers import cross_sell, make_settings, roi_session
from tests.factories import BranchFactory, EmployeeFactory, grant, make_hq_admin, make_manager
from tests.hub.needs.helpers import make_trainer

pytestmark = pytest.mark.django_db
SETTINGS = reverse("roi:settings")
FORM = {
    "effective_from": "2026-01-01",
    "trainer_hourly_cost": "300",
    "learner_hourly_cost": "80",
    "horizon_months": "12",
}


def test_hq_admin_saves_settings(client):
    client.force_login(make_hq_admin().user)
    assert client.get(SETTINGS).status_code == 200
    response = client.post(SETTINGS, FORM)
    assert response.status_code == 302
    assert RoiSettings.objects.get().trainer_hourly_cost == Decimal(300)
    assert AuditEvent.objects.count() == 1


def test_negative_rate_is_refused_on_the_page(client):
    client.force_login(make_hq_admin().user)
    response = client.post(SETTINGS, {**FORM, "learner_hourly_cost": "-5"})
    assert response.status_code == 200 and response.context["form"].errors
    assert not RoiSettings.objects.exists()


def test_lead_reads_settings_but_cannot_post(client):
    lead = EmployeeFactory()
    grant(lead, Role.TRAINING_LEAD)
    client.force_login(lead.user)
    response = client.get(SETTINGS)
    assert response.status_code == 200 and b'data-testid="read-only"' in response.content
    assert client.post(SETTINGS, FORM).status_code == 403
    assert not RoiSettings.objects.exists()


def test_managers_and_trainers_do_not_see_settings(client):
    for person in (make_manager(BranchFactory()), make_trainer()):
        client.force_login(person.user)
        assert client.get(SETTINGS).status_code == 403


def test_session_cost_page_shows_the_figure_and_its_assumptions(client):
    branch = BranchFactory()
    make_settings()
    trainer = make_trainer(branch)
    session = roi_session(branch, metric=cross_sell(branch), trainers=[trainer], cost=False)
    url = reverse("roi:session_costs", kwargs={"session_id": session.pk})
    client.force_login(trainer.user)
    page = client.get(url).content.decode()
    assert 'data-testid="roi-not-computable"' in page
    response = client.post(url, {"venue": "500", "materials": "200"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "3.31 : 1" in page and "231.0 %" in page and "CNY 2,900.00" in page
    assert 'data-testid="roi-assumptions"' in page and "300.00" in page


def test_session_cost_negative_refused_on_the_page(client):
    branch = BranchFactory()
    session = roi_session(branch, cost=False)
    client.force_login(make_hq_admin().user)
    url = reverse("roi:session_costs", kwargs={"session_id": session.pk})
    response = client.post(url, {"venue": "-1", "materials": "0"})
    assert response.status_code == 200 and "venue" in response.context["form"].errors
    assert not SessionCost.objects.exists()


def test_session_cost_roles(client):
    branch = BranchFactory()
    session = roi_session(branch, cost=False)
    url = reverse("roi:session_costs", kwargs={"session_id": session.pk})
    manager = make_manager(branch)  # may read the session's report, not type its costs
    client.force_login(manager.user)
    assert client.get(url).status_code == 200
    assert client.post(url, {"venue": "1", "materials": "1"}).status_code == 403
    client.force_login(make_trainer().user)  # another trainer
    assert client.get(url).status_code == 403
    client.force_login(EmployeeFactory(branch=branch).user)  # a learner
    assert client.get(url).status_code == 403
    assert not SessionCost.objects.exists()


def test_metric_value_page(client):
    branch = BranchFactory()
    metric = cross_sell(branch, value_per_unit=None)
    url = reverse("roi:metric", kwargs={"metric_id": metric.pk})
    client.force_login(make_hq_admin().user)
    response = client.post(
        url,
        {
            "value_per_unit": "250",
            "affected_volume": "",
            "volume_note": "",
            "recurrence": "monthly",
        },
    )
    assert response.status_code == 302
    metric.refresh_from_db()
    assert metric.value_per_unit == Decimal(250)
    page = client.get(SETTINGS).content.decode()
    assert "250.00" in page
