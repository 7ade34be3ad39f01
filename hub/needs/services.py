"""Writes to the needs pool and training plans: one entry point per state change.

Every need transition locks the need row, checks the actor's role and the current status, and
writes the new status with one ``NeedEvent`` in the same transaction; a refused transition
raises (``PermissionDenied`` for the wrong person, ``NeedStateError`` for the wrong status) and
changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.needs.models import NeedEvent, TrainingNeed, TrainingPlan
from hub.organisation import scoping
from hub.organisation.models import Branch, Employee, PositionCategory, Role
from hub.organisation.permissions import access_for, employee_for
from hub.sessions.models import Attendance, Session
from hub.sessions.rules import can_run_session

Status = TrainingNeed.Status

MSG_SUBMIT_OWN_BRANCH = _("Only a manager of this branch may submit its training needs.")
MSG_CLAIM_TRAINERS_ONLY = _("Only a trainer may claim a training need.")
MSG_CLAIMER_OR_HQ = _("Only the trainer who claimed this need, or HQ, may do this.")
MSG_EVALUATE_SUBMITTER_OR_HQ = _(
    "Only the manager who submitted this need, or HQ, may evaluate it."
)
MSG_WITHDRAW_SUBMITTER_OR_HQ = _(
    "Only the manager who submitted this need, or HQ, may withdraw it."
)
MSG_WRONG_STATUS = _("This need is “%(status)s”; that step is not possible now.")
MSG_NO_SESSION = _("Link at least one session before starting delivery.")
MSG_SESSION_CANCELLED = _("A cancelled session cannot be linked.")
MSG_SESSION_NOT_YOURS = _("You can only link sessions you teach.")
MSG_AFTER_REQUIRED = _("Enter the metric's value after the training.")
MSG_TARGET_SAME = _("The target must differ from the current value.")
MSG_TARGET_DIRECTION = _("The target must be an improvement on the current value.")
MSG_PLAN_NOT_ALLOWED = _(
    "Only HQ, or a manager of the plan's branch while it is a draft, may do this."
)
MSG_PLAN_APPROVE_HQ = _("Only HQ may approve a training plan.")
MSG_PLAN_ALREADY_APPROVED = _("This plan is already approved.")
MSG_PLAN_NEED_OTHER_BRANCH = _("A branch plan can only link needs of its own branch.")
MSG_PLAN_NEED_WITHDRAWN = _("A withdrawn need cannot be linked to a plan.")
MSG_PLAN_SESSION_OTHER_BRANCH = _(
    "A branch plan can only link sessions of its own branch or company-wide ones."
)


class NeedStateError(ValidationError):
    """The need is not in a status that allows the requested step."""

    def __init__(self, need: TrainingNeed):
        super().__init__(
            MSG_WRONG_STATUS, code="wrong_status", params={"status": need.get_status_display()}
        )


def _is_claimer_or_hq(user, need: TrainingNeed) -> bool:
    return scoping.can_change(user, need)


def _locked(need: TrainingNeed) -> TrainingNeed:
    return TrainingNeed.objects.select_for_update().get(pk=need.pk)


def _move(
    need: TrainingNeed, *, to: str, actor_employee: Employee | None, note: str = ""
) -> NeedEvent:
    event = NeedEvent.objects.create(
        need=need, from_status=need.status, to_status=to, actor=actor_employee, note=note[:300]
    )
    need.status = to
    return event


def _check_metric_direction(*, before: Decimal, target: Decimal, higher_is_better: bool) -> None:
    if target == before:
        raise ValidationError({"metric_target": MSG_TARGET_SAME})
    if (target > before) != higher_is_better:
        raise ValidationError({"metric_target": MSG_TARGET_DIRECTION})


def need_submit(
    *,
    actor,
    branch: Branch,
    title: str,
    problem: str,
    audience: str,
    metric_name: str,
    metric_before: Decimal,
    metric_target: Decimal,
    due_date: dt.date,
    unit: str = "",
    higher_is_better: bool = True,
    urgency: str = TrainingNeed.Urgency.NORMAL,
) -> TrainingNeed:
    """A branch manager puts a need into the pool for one of the branches they manage.

    Writes the need (status open) and its first ``NeedEvent`` (∅ → open).
    """
    access = access_for(actor)
    if not access.manages(branch.pk):
        raise PermissionDenied(MSG_SUBMIT_OWN_BRANCH)
    _check_metric_direction(
        before=metric_before, target=metric_target, higher_is_better=higher_is_better
    )
    submitter = employee_for(actor)
    need = TrainingNeed(
        branch=branch,
        submitted_by=submitter,
        title=title,
        problem=problem,
        audience=audience,
        metric_name=metric_name,
        metric_before=metric_before,
        metric_target=metric_target,
        unit=unit,
        higher_is_better=higher_is_better,
        urgency=urgency,
        due_date=due_date,
    )
    need.full_clean()
    with transaction.atomic():
        need.save()
        NeedEvent.objects.create(need=need, to_status=Status.OPEN, actor=submitter)
    return need


def need_withdraw(*, need: TrainingNeed, actor, note: str = "") -> TrainingNeed:
    """The submitting manager (or HQ) takes back a need nobody has claimed yet: open → withdrawn."""
    access = access_for(actor)
    with transaction.atomic():
        need = _locked(need)
        if not (access.is_hq_admin or need.submitted_by_id == access.employee_id):
            raise PermissionDenied(MSG_WITHDRAW_SUBMITTER_OR_HQ)
        if need.status != Status.OPEN:
            raise NeedStateError(need)
        _move(need, to=Status.WITHDRAWN, actor_employee=employee_for(actor), note=note)
        need.save(update_fields=["status", "updated_at"])
    return need


def need_claim(*, need: TrainingNeed, actor) -> TrainingNeed:
    """A trainer takes an open need: open → claimed, ``claimed_by`` = the trainer.

    Locks the row, so two trainers claiming at once cannot both win.
    """
    access = access_for(actor)
    if Role.TRAINER not in access.roles or access.employee_id is None:
        raise PermissionDenied(MSG_CLAIM_TRAINERS_ONLY)
    with transaction.atomic():
        need = _locked(need)
        if need.status != Status.OPEN:
            raise NeedStateError(need)
        trainer = employee_for(actor)
        need.claimed_by = trainer
        _move(need, to=Status.CLAIMED, actor_employee=trainer)
        need.save(update_fields=["status", "claimed_by", "updated_at"])
    return need


def need_link_course(*, need: TrainingNeed, actor, course) -> TrainingNeed:
    """The claiming trainer (or HQ) names the library course that answers the need
    (``course`` None clears it). Allowed while claimed or in delivery; no status change."""
    with transaction.atomic():
        need = _locked(need)
        if not _is_claimer_or_hq(actor, need):
            raise PermissionDenied(MSG_CLAIMER_OR_HQ)
        if need.status not in {Status.CLAIMED, Status.IN_DELIVERY}:
            raise NeedStateError(need)
        need.course = course
        need.save(update_fields=["course", "updated_at"])
    return need


def need_link_session(
    *, need: TrainingNeed, actor, session: Session, unlink: bool = False
) -> TrainingNeed:
    """The claiming trainer (or HQ) links (or unlinks) a session delivering the need.

    Allowed while claimed or in delivery; a trainer may only link sessions they teach, and a
    cancelled session is refused. When the need has no course yet, it takes the session's.
    """
    with transaction.atomic():
        need = _locked(need)
        if not _is_claimer_or_hq(actor, need):
            raise PermissionDenied(MSG_CLAIMER_OR_HQ)
        if need.status not in {Status.CLAIMED, Status.IN_DELIVERY}:
            raise NeedStateError(need)
        if unlink:
            need.sessions.remove(session)
            return need
        if session.status == Session.Status.CANCELLED:
            raise ValidationError(MSG_SESSION_CANCELLED, code="cancelled")
        if not can_run_session(actor, session):
            raise PermissionDenied(MSG_SESSION_NOT_YOURS)
        need.sessions.add(session)
        if need.course_id is None and session.course_id is not None:
            need.course_id = session.course_id
            need.save(update_fields=["course", "updated_at"])
    return need


def need_start_delivery(*, need: TrainingNeed, actor, note: str = "") -> TrainingNeed:
    """claimed → in delivery, by the claiming trainer or HQ, once a session is linked."""
    with transaction.atomic():
        need = _locked(need)
        if not _is_claimer_or_hq(actor, need):
            raise PermissionDenied(MSG_CLAIMER_OR_HQ)
        if need.status != Status.CLAIMED:
            raise NeedStateError(need)
        if not need.sessions.exclude(status=Session.Status.CANCELLED).exists():
            raise ValidationError(MSG_NO_SESSION, code="no_session")
        _move(need, to=Status.IN_DELIVERY, actor_employee=employee_for(actor), note=note)
        need.save(update_fields=["status", "updated_at"])
    return need


def need_mark_delivered(*, need: TrainingNeed, actor, note: str = "") -> TrainingNeed:
    """in delivery → delivered, by the claiming trainer or HQ (``needs_deliver_for_session``
    does the same automatically when a linked session ends)."""
    with transaction.atomic():
        need = _locked(need)
        if not _is_claimer_or_hq(actor, need):
            raise PermissionDenied(MSG_CLAIMER_OR_HQ)
        if need.status != Status.IN_DELIVERY:
            raise NeedStateError(need)
        _move(need, to=Status.DELIVERED, actor_employee=employee_for(actor), note=note)
        need.save(update_fields=["status", "updated_at"])
    return need


def needs_deliver_for_session(*, session: Session) -> int:
    """System step run (on ``session_delivered``) once ``session`` has ended (and again when
    a learner completes it later): when at least one learner completed it, every need in
    delivery linked to it becomes delivered (actor: none, i.e. the system). A session nobody
    completed delivers nothing (it credits 0 h). Idempotent; returns how many moved."""
    if session.status != Session.Status.ENDED:
        return 0
    if not Attendance.objects.completed().filter(enrolment__session=session).exists():
        return 0
    moved = 0
    with transaction.atomic():
        needs = TrainingNeed.objects.select_for_update().filter(
            sessions=session, status=Status.IN_DELIVERY
        )
        for need in needs:
            _move(need, to=Status.DELIVERED, actor_employee=None, note=str(session)[:300])
            need.save(update_fields=["status", "updated_at"])
            moved += 1
    return moved


def need_evaluate(
    *, need: TrainingNeed, actor, metric_after: Decimal | None, note: str = ""
) -> TrainingNeed:
    """delivered → evaluated, by the submitting manager or HQ, recording the metric's value
    after the training (the lift is derived from it, never stored)."""
    access = access_for(actor)
    with transaction.atomic():
        need = _locked(need)
        if not (access.is_hq_admin or need.submitted_by_id == access.employee_id):
            raise PermissionDenied(MSG_EVALUATE_SUBMITTER_OR_HQ)
        if need.status != Status.DELIVERED:
            raise NeedStateError(need)
        if metric_after is None:
            raise ValidationError({"metric_after": MSG_AFTER_REQUIRED})
        need.metric_after = metric_after
        _move(need, to=Status.EVALUATED, actor_employee=employee_for(actor), note=note)
        need.full_clean()
        need.save(update_fields=["status", "metric_after", "updated_at"])
    return need


def need_evaluate_measured(*, need: TrainingNeed, metric_after: Decimal, note: str = "") -> bool:
    """System step (no actor): delivered → evaluated with the value the outcome metric was
    measured at after the training (``evaluation`` calls it once the need's lift is
    measurable). Rounded half-up to the field's 2 decimals. Writes the status, ``metric_after``
    and one ``NeedEvent`` (``note``: how it was measured) in one transaction; a need no longer
    delivered (evaluated by hand meanwhile, withdrawn) is left alone. Returns whether it
    moved."""
    with transaction.atomic():
        need = _locked(need)
        if need.status != Status.DELIVERED:
            return False
        need.metric_after = Decimal(metric_after).quantize(Decimal("0.01"), ROUND_HALF_UP)
        _move(need, to=Status.EVALUATED, actor_employee=None, note=note)
        need.full_clean()
        need.save(update_fields=["status", "metric_after", "updated_at"])
    return True


# --- plans ---------------------------------------------------------------------------------


def _check_plan_scope(user, *, scope: str, branch: Branch | None) -> None:
    access = access_for(user)
    if access.is_hq_admin:
        return
    if scope != TrainingPlan.Scope.BRANCH or branch is None:
        raise PermissionDenied(MSG_PLAN_NOT_ALLOWED)
    if not access.manages(branch.pk):
        raise PermissionDenied(MSG_PLAN_NOT_ALLOWED)


def _clean_categories(categories: Iterable[str]) -> list[str]:
    values = sorted(set(categories))
    unknown = [v for v in values if v not in PositionCategory.values]
    if unknown:
        raise ValidationError({"target_categories": _("Unknown position category.")})
    return values


def plan_create(
    *,
    actor,
    title: str,
    scope: str,
    period_start: dt.date,
    period_end: dt.date,
    branch: Branch | None = None,
    objectives: str = "",
    target_categories: Iterable[str] = (),
    target_branches: Iterable[Branch] = (),
    targeted_learners: int | None = None,
) -> TrainingPlan:
    """HQ drafts any plan; a branch manager drafts a plan for a branch they manage.

    Writes a draft plan and its target branches.
    """
    if scope == TrainingPlan.Scope.HQ:
        branch = None
    _check_plan_scope(actor, scope=scope, branch=branch)
    plan = TrainingPlan(
        title=title,
        scope=scope,
        branch=branch,
        period_start=period_start,
        period_end=period_end,
        objectives=objectives,
        target_categories=_clean_categories(target_categories),
        targeted_learners=targeted_learners,
        created_by=employee_for(actor),
    )
    plan.full_clean()
    _check_target_branches(actor, plan, target_branches)
    with transaction.atomic():
        plan.save()
        plan.target_branches.set(list(target_branches))
    return plan


def _check_target_branches(user, plan: TrainingPlan, branches: Iterable[Branch]) -> None:
    access = access_for(user)
    if access.is_hq_admin:
        return
    if not all(access.manages(b.pk) for b in branches):
        raise PermissionDenied(MSG_PLAN_NOT_ALLOWED)


def plan_update(
    *,
    plan: TrainingPlan,
    actor,
    title: str,
    period_start: dt.date,
    period_end: dt.date,
    objectives: str = "",
    target_categories: Iterable[str] = (),
    target_branches: Iterable[Branch] = (),
    targeted_learners: int | None = None,
) -> TrainingPlan:
    """Change a plan's text, period and audience: HQ at any time, the branch's manager while
    it is a draft. Scope and branch stay as created."""
    if not scoping.can_change(actor, plan):
        raise PermissionDenied(MSG_PLAN_NOT_ALLOWED)
    _check_target_branches(actor, plan, target_branches)
    plan.title = title
    plan.period_start = period_start
    plan.period_end = period_end
    plan.objectives = objectives
    plan.target_categories = _clean_categories(target_categories)
    plan.targeted_learners = targeted_learners
    plan.full_clean()
    with transaction.atomic():
        plan.save()
        plan.target_branches.set(list(target_branches))
    return plan


def plan_approve(*, plan: TrainingPlan, actor) -> TrainingPlan:
    """draft → approved, by HQ only; records who approved it and when."""
    if not access_for(actor).is_hq_admin:
        raise PermissionDenied(MSG_PLAN_APPROVE_HQ)
    with transaction.atomic():
        plan = TrainingPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != TrainingPlan.Status.DRAFT:
            raise ValidationError(MSG_PLAN_ALREADY_APPROVED, code="approved")
        plan.status = TrainingPlan.Status.APPROVED
        plan.approved_by = employee_for(actor)
        plan.approved_at = timezone.now()
        plan.save(update_fields=["status", "approved_by", "approved_at"])
    return plan


def plan_link_need(
    *, plan: TrainingPlan, actor, need: TrainingNeed, unlink: bool = False
) -> TrainingPlan:
    """Link (or unlink) a need; a branch plan only takes needs of its own branch, and a
    withdrawn need is refused (unlinking is always allowed)."""
    if not scoping.can_change(actor, plan):
        raise PermissionDenied(MSG_PLAN_NOT_ALLOWED)
    if unlink:
        plan.needs.remove(need)
        return plan
    if plan.scope == TrainingPlan.Scope.BRANCH and need.branch_id != plan.branch_id:
        raise ValidationError(MSG_PLAN_NEED_OTHER_BRANCH, code="other_branch")
    if need.status == Status.WITHDRAWN:
        raise ValidationError(MSG_PLAN_NEED_WITHDRAWN, code="withdrawn")
    plan.needs.add(need)
    return plan


def plan_link_session(
    *, plan: TrainingPlan, actor, session: Session, unlink: bool = False
) -> TrainingPlan:
    """Link (or unlink) a session counted in the plan's progress. Cancelled sessions are
    refused; a branch plan only takes its branch's sessions and company-wide ones."""
    if not scoping.can_change(actor, plan):
        raise PermissionDenied(MSG_PLAN_NOT_ALLOWED)
    if unlink:
        plan.sessions.remove(session)
        return plan
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(MSG_SESSION_CANCELLED, code="cancelled")
    if (
        plan.scope == TrainingPlan.Scope.BRANCH
        and session.branch_id is not None
        and session.branch_id != plan.branch_id
    ):
        raise ValidationError(MSG_PLAN_SESSION_OTHER_BRANCH, code="other_branch")
    plan.sessions.add(session)
    return plan
