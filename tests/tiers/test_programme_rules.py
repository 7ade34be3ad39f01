"""The mentor programme's rules change only through the audited service, by an HQ admin; they
are no longer a Wagtail setting (its edit view wrote them without an audit event)."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from hub.organisation.models import AuditEvent, Role
from tests.factories import EmployeeFactory, grant
from tiers.models import MentorProgrammeSettings

pytestmark = pytest.mark.django_db

RULES = {
    "mentee_limit": "4",
    "outstanding_min_hours": "36.5",
    "outstanding_min_rating": "88",
    "outstanding_min_mentees": "1",
    "outstanding_max_mentees": "4",
}


def test_hq_admin_changes_every_rule_with_one_audit_event(client_for, hq_admin):
    response = client_for(hq_admin).post(reverse("tiers:programme_update"), RULES)
    assert response.status_code == 302
    rules = MentorProgrammeSettings.load()
    assert rules.mentee_limit == 4
    assert rules.outstanding_min_hours == Decimal("36.5")
    assert rules.outstanding_min_rating == Decimal(88)
    assert (rules.outstanding_min_mentees, rules.outstanding_max_mentees) == (1, 4)
    event = AuditEvent.objects.get(action=AuditEvent.Action.MENTOR_RULES_CHANGED)
    assert event.actor == hq_admin.user
    assert event.data == {
        "mentee_limit": [3, 4],
        "outstanding_min_hours": ["40.00", "36.5"],
        "outstanding_min_rating": ["90.00", "88"],
        "outstanding_min_mentees": [2, 1],
        "outstanding_max_mentees": [3, 4],
    }


def test_fewest_above_most_mentees_is_refused(client_for, hq_admin):
    data = {"mentee_limit": "3", "outstanding_min_mentees": "4", "outstanding_max_mentees": "3"}
    client_for(hq_admin).post(reverse("tiers:programme_update"), data)
    assert MentorProgrammeSettings.load().outstanding_min_mentees == 2
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("role", [Role.TRAINING_LEAD, Role.TRAINER])
def test_lead_and_trainer_cannot_change_the_rules(client_for, role):
    person = EmployeeFactory()
    grant(person, role)
    response = client_for(person).post(reverse("tiers:programme_update"), RULES)
    assert response.status_code == 403
    assert MentorProgrammeSettings.load().mentee_limit == 3
    assert not AuditEvent.objects.exists()


def test_not_editable_as_a_wagtail_setting(db):
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw-Lectern-1")
    client = Client()
    client.force_login(root)
    rules = MentorProgrammeSettings.load()
    for url in (
        "/cms/settings/tiers/mentorprogrammesettings/",
        f"/cms/settings/tiers/mentorprogrammesettings/{rules.pk}/",
    ):
        assert client.post(url, {"mentee_limit": "9"}).status_code == 404
    assert MentorProgrammeSettings.load().mentee_limit == 3
