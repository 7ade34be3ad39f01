"""tiers.services: nomination_create / nomination_approve / nomination_decline."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from hub.organisation.models import AuditEvent, Role, RoleGrant
from hub.organisation.permissions import is_trainer
from tests.factories import BranchFactory, EmployeeFactory, grant, make_manager
from tiers import services
from tiers.models import TrainerNomination

pytestmark = pytest.mark.django_db


def nominate(manager, nominee, reason="业务骨干、带教经验丰富"):
    return services.nomination_create(nominee=nominee, reason=reason, actor=manager.user)


def test_manager_nominates_an_employee_of_their_branch(manager, learner):
    nomination = nominate(manager, learner)
    assert nomination.status == TrainerNomination.Status.PENDING
    assert nomination.branch == learner.branch
    assert nomination.nominated_by == manager
    assert nomination.decided_at is None


def test_manager_of_another_branch_cannot_nominate(learner):
    other = make_manager(BranchFactory())
    with pytest.raises(PermissionDenied):
        nominate(other, learner)
    assert not TrainerNomination.objects.exists()


@pytest.mark.parametrize("role", [None, Role.TRAINER, Role.HQ_ADMIN])
def test_non_managers_cannot_nominate(learner, branch, role):
    actor = EmployeeFactory(branch=branch)
    if role:
        grant(actor, role)
    with pytest.raises(PermissionDenied):
        nominate(actor, learner)


def test_a_reason_is_required(manager, learner):
    with pytest.raises(ValidationError) as refused:
        nominate(manager, learner, reason="   ")
    assert services.MSG_REASON_REQUIRED in refused.value.messages


def test_a_leaver_cannot_be_nominated(manager, branch):
    leaver = EmployeeFactory(branch=branch, leave_date=timezone.localdate())
    with pytest.raises(ValidationError) as refused:
        nominate(manager, leaver)
    assert services.MSG_HAS_LEFT in refused.value.messages


def test_a_trainer_cannot_be_nominated(manager, learner):
    grant(learner, Role.TRAINER)
    with pytest.raises(ValidationError) as refused:
        nominate(manager, learner)
    assert services.MSG_ALREADY_TRAINER in refused.value.messages


def test_a_manager_cannot_nominate_themselves(manager):
    with pytest.raises(ValidationError) as refused:
        nominate(manager, manager)
    assert services.MSG_SELF_NOMINATION in refused.value.messages
    assert not TrainerNomination.objects.exists()


def test_a_second_pending_nomination_is_refused(manager, learner):
    nominate(manager, learner)
    with pytest.raises(ValidationError) as refused:
        nominate(manager, learner)
    assert services.MSG_ALREADY_PENDING in refused.value.messages
    assert TrainerNomination.objects.count() == 1


def test_after_a_decline_the_employee_can_be_nominated_again(manager, learner, hq_admin):
    first = nominate(manager, learner)
    services.nomination_decline(nomination=first, reason="再积累半年", actor=hq_admin.user)
    second = nominate(manager, learner)
    assert second.pk != first.pk
    assert TrainerNomination.objects.filter(nominee=learner).count() == 2


def test_hq_approval_grants_the_trainer_role_and_is_audited(manager, learner, hq_admin):
    nomination = nominate(manager, learner)
    services.nomination_approve(nomination=nomination, actor=hq_admin.user)
    nomination.refresh_from_db()
    assert nomination.status == TrainerNomination.Status.APPROVED
    assert nomination.decided_by == hq_admin.user
    assert nomination.decided_at is not None
    assert RoleGrant.objects.filter(employee=learner, role=Role.TRAINER).exists()
    assert is_trainer(learner.user)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {AuditEvent.Action.ROLE_GRANTED, AuditEvent.Action.NOMINATION_APPROVED} <= actions
    approved = AuditEvent.objects.get(action=AuditEvent.Action.NOMINATION_APPROVED)
    assert approved.actor == hq_admin.user
    assert approved.data["employee_no"] == learner.employee_no


def test_approval_and_grant_are_one_transaction(manager, learner, hq_admin, monkeypatch):
    nomination = nominate(manager, learner)

    def broken_grant(**kwargs):
        raise RuntimeError("grant failed")

    monkeypatch.setattr(services, "role_grant", broken_grant)
    with pytest.raises(RuntimeError):
        services.nomination_approve(nomination=nomination, actor=hq_admin.user)
    nomination.refresh_from_db()
    assert nomination.is_pending
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.NOMINATION_APPROVED).exists()


@pytest.mark.parametrize("role", [Role.TRAINER, Role.TRAINING_LEAD, Role.BRANCH_MANAGER])
def test_only_hq_admin_decides(manager, learner, branch, role):
    nomination = nominate(manager, learner)
    actor = EmployeeFactory(branch=branch)
    grant(actor, role, branch if role == Role.BRANCH_MANAGER else None)
    with pytest.raises(PermissionDenied):
        services.nomination_approve(nomination=nomination, actor=actor.user)
    with pytest.raises(PermissionDenied):
        services.nomination_decline(nomination=nomination, reason="不合适", actor=actor.user)
    nomination.refresh_from_db()
    assert nomination.is_pending
    assert not RoleGrant.objects.filter(employee=learner, role=Role.TRAINER).exists()


def test_the_nominating_manager_cannot_approve(manager, learner):
    nomination = nominate(manager, learner)
    with pytest.raises(PermissionDenied):
        services.nomination_approve(nomination=nomination, actor=manager.user)


def test_decline_needs_a_reason(manager, learner, hq_admin):
    nomination = nominate(manager, learner)
    with pytest.raises(ValidationError) as refused:
        services.nomination_decline(nomination=nomination, reason=" ", actor=hq_admin.user)
    assert services.MSG_REASON_REQUIRED in refused.value.messages
    nomination.refresh_from_db()
    assert nomination.is_pending


def test_decline_records_the_reason_and_is_audited(manager, learner, hq_admin):
    nomination = nominate(manager, learner)
    services.nomination_decline(nomination=nomination, reason="授课经验不足", actor=hq_admin.user)
    nomination.refresh_from_db()
    assert nomination.status == TrainerNomination.Status.DECLINED
    assert nomination.decision_reason == "授课经验不足"
    assert not RoleGrant.objects.filter(employee=learner, role=Role.TRAINER).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.NOMINATION_DECLINED).count() == 1


@pytest.mark.parametrize("first", ["approve", "decline"])
def test_a_decided_nomination_cannot_be_decided_again(manager, learner, hq_admin, first):
    nomination = nominate(manager, learner)
    if first == "approve":
        services.nomination_approve(nomination=nomination, actor=hq_admin.user)
    else:
        services.nomination_decline(nomination=nomination, reason="暂缓", actor=hq_admin.user)
    with pytest.raises(ValidationError) as refused:
        services.nomination_approve(nomination=nomination, actor=hq_admin.user)
    assert services.MSG_NOT_PENDING in refused.value.messages
    with pytest.raises(ValidationError):
        services.nomination_decline(nomination=nomination, reason="再议", actor=hq_admin.user)


def test_a_nominee_who_left_meanwhile_is_not_made_trainer(manager, learner, hq_admin):
    nomination = nominate(manager, learner)
    learner.leave_date = timezone.localdate() - dt.timedelta(days=1)
    learner.save()
    with pytest.raises(ValidationError):
        services.nomination_approve(nomination=nomination, actor=hq_admin.user)
    assert not RoleGrant.objects.filter(employee=learner, role=Role.TRAINER).exists()
