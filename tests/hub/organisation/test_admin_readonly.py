"""The Django admin cannot bypass the role and audit services: role grants and audit events
are read-only there (a grant made in the admin would skip the group and the audit event)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from hub.organisation.models import AuditEvent, Role, RoleGrant
from hub.organisation.services import audit_record
from tests.factories import EmployeeFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client():
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-Lectern-1")
    client = Client()
    client.force_login(user)
    return client


def test_role_grants_are_read_only_in_the_django_admin(superuser_client):
    employee = EmployeeFactory()
    other = EmployeeFactory()
    held = grant(employee, Role.TRAINER)
    base = "/django-admin/hub/rolegrant/"
    assert superuser_client.get(base).status_code == 200
    assert superuser_client.get(f"{base}{held.pk}/change/").status_code == 200  # may look
    add = superuser_client.post(f"{base}add/", {"employee": other.pk, "role": Role.HQ_ADMIN})
    assert add.status_code == 403
    change = superuser_client.post(
        f"{base}{held.pk}/change/", {"employee": employee.pk, "role": Role.HQ_ADMIN}
    )
    assert change.status_code == 403
    delete = superuser_client.post(f"{base}{held.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    assert list(RoleGrant.objects.values_list("employee_id", "role")) == [
        (employee.pk, Role.TRAINER)
    ]
    assert not AuditEvent.objects.exists()


def test_audit_events_are_read_only_in_the_django_admin(superuser_client):
    event = audit_record(actor=None, action=AuditEvent.Action.ROLE_GRANTED, summary="原记录")
    base = "/django-admin/hub/auditevent/"
    assert superuser_client.get(base).status_code == 200
    add = superuser_client.post(
        f"{base}add/", {"action": AuditEvent.Action.ROLE_REVOKED, "summary": "伪造"}
    )
    assert add.status_code == 403
    change = superuser_client.post(
        f"{base}{event.pk}/change/", {"action": event.action, "summary": "改写"}
    )
    assert change.status_code == 403
    assert superuser_client.post(f"{base}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert list(AuditEvent.objects.values_list("summary", flat=True)) == ["原记录"]
