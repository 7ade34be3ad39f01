"""In the content admin the training lead reads and writes nothing: no H5P or video upload, no
change to HQ's H5P allow-list (trainers and HQ admins keep what they had)."""

import pytest
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import policy_registry

from hub.organisation.models import Role
from library.h5p.models import H5PAllowedLibrary, H5PContent
from library.video.models import Video
from library.video.services import can_delete_video, can_upload_video
from tests.factories import EmployeeFactory, grant

pytestmark = pytest.mark.django_db


def person(role):
    employee = EmployeeFactory()
    grant(employee, role)
    return employee.user


def policy(model) -> BasePermissionPolicy:
    return policy_registry.get_by_type(model)


def test_lead_reads_the_snippets_but_changes_none():
    lead = person(Role.TRAINING_LEAD)
    for model in (H5PContent, H5PAllowedLibrary, Video):
        assert policy(model).user_has_permission(lead, "view"), model
        for action in ("add", "change", "delete"):
            assert not policy(model).user_has_permission(lead, action), (model, action)
    assert not can_upload_video(lead)
    assert not can_delete_video(lead)


def test_trainer_and_hq_admin_keep_their_rights():
    trainer, hq = person(Role.TRAINER), person(Role.HQ_ADMIN)
    assert policy(H5PContent).user_has_permission(trainer, "add")
    assert policy(Video).user_has_permission(trainer, "change")
    assert not policy(H5PAllowedLibrary).user_has_permission(trainer, "add")
    assert policy(H5PAllowedLibrary).user_has_permission(hq, "add")
    assert policy(Video).user_has_permission(hq, "delete")
    assert can_upload_video(trainer) and can_delete_video(hq)
    adders = policy(H5PAllowedLibrary).users_with_any_permission(["add"])
    assert list(adders) == [hq]
