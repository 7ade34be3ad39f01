"""Scoping helpers: HQ sees all, a manager their branches, everyone else only themselves."""

import pytest

from hub.organisation import permissions
from hub.organisation.models import Role
from tests.factories import BranchFactory, EmployeeFactory, grant, make_hq_admin, make_manager

pytestmark = pytest.mark.django_db


def test_hq_admin_sees_every_branch_and_employee():
    admin = make_hq_admin()
    branches = BranchFactory.create_batch(3)
    other = EmployeeFactory(branch=branches[2])
    assert set(permissions.visible_branches(admin.user)) >= set(branches)
    assert permissions.can_view_employee(admin.user, other)
    assert permissions.home_kind(admin.user) == "hq"
    assert permissions.is_hq_admin(admin.user)


def test_training_lead_sees_all_but_is_not_admin():
    lead = EmployeeFactory()
    grant(lead, Role.TRAINING_LEAD)
    other = EmployeeFactory()
    assert permissions.is_hq(lead.user)
    assert not permissions.is_hq_admin(lead.user)
    assert permissions.can_view_employee(lead.user, other)


def test_manager_is_limited_to_managed_branches():
    own, second, foreign = BranchFactory.create_batch(3)
    manager = make_manager(own)
    grant(manager, Role.BRANCH_MANAGER, second)
    inside = EmployeeFactory(branch=second)
    outside = EmployeeFactory(branch=foreign)
    assert set(permissions.visible_branches(manager.user)) == {own, second}
    assert permissions.can_view_employee(manager.user, inside)
    assert not permissions.can_view_employee(manager.user, outside)
    assert outside not in permissions.visible_employees(manager.user)
    assert permissions.home_kind(manager.user) == "manager"


def test_learner_sees_only_themselves():
    learner = EmployeeFactory()
    colleague = EmployeeFactory(branch=learner.branch)
    assert list(permissions.visible_employees(learner.user)) == [learner]
    assert not permissions.visible_branches(learner.user).exists()
    assert permissions.can_view_employee(learner.user, learner)
    assert not permissions.can_view_employee(learner.user, colleague)
    assert not permissions.can_browse_people(learner.user)
    assert permissions.home_kind(learner.user) == "learner"


def test_trainer_home_and_cms_access():
    trainer = EmployeeFactory()
    grant(trainer, Role.TRAINER)
    assert permissions.home_kind(trainer.user) == "trainer"
    assert permissions.can_use_cms(trainer.user)
    assert not permissions.can_browse_people(trainer.user)


def test_access_is_computed_once_per_user_object(django_assert_num_queries):
    manager = make_manager(BranchFactory())
    user = type(manager.user).objects.get(pk=manager.user.pk)
    with django_assert_num_queries(2):
        permissions.visible_branches(user)
        permissions.can_view_employee(user, manager)
        permissions.home_kind(user)
