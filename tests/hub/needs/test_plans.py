"""hub.needs plans: who drafts, edits and approves; progress computed from sessions and
attendance."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from hub.needs import selectors, services
from hub.needs.models import TrainingNeed, TrainingPlan
from hub.organisation.models import PositionCategory
from hub.sessions.models import Session
from tests.factories import BranchFactory, EmployeeFactory, make_manager
from tests.hub.needs.helpers import attend, make_need, make_session, make_trainer


@pytest.fixture(autouse=True)
def _english():
    """These tests match the services' English messages (the default language is Chinese)."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db

Q1 = {"period_start": dt.date(2026, 10, 1), "period_end": dt.date(2026, 12, 31)}


def branch_plan(actor, branch, **kwargs):
    return services.plan_create(
        actor=actor.user,
        title="第四季度门店销售提升计划",
        scope=TrainingPlan.Scope.BRANCH,
        branch=branch,
        **{**Q1, **kwargs},
    )


def hq_plan(actor, **kwargs):
    return services.plan_create(
        actor=actor.user,
        title="2026年新员工入职培训计划",
        scope=TrainingPlan.Scope.HQ,
        **{**Q1, **kwargs},
    )


# --- create / update / approve -------------------------------------------------------------


def test_hq_creates_hq_wide_and_branch_plans(hq_admin, branch):
    plan = hq_plan(hq_admin, target_categories=["new_hire"])
    assert plan.status == TrainingPlan.Status.DRAFT
    assert plan.branch is None
    assert plan.created_by == hq_admin
    assert branch_plan(hq_admin, branch).branch == branch


def test_manager_drafts_plan_for_own_branch_only(manager, branch):
    plan = branch_plan(manager, branch)
    assert plan.status == TrainingPlan.Status.DRAFT
    with pytest.raises(PermissionDenied):
        branch_plan(manager, BranchFactory())
    with pytest.raises(PermissionDenied):
        hq_plan(manager)
    assert TrainingPlan.objects.count() == 1


def test_manager_cannot_target_other_branches(manager, branch):
    with pytest.raises(PermissionDenied):
        branch_plan(manager, branch, target_branches=[BranchFactory()])


@pytest.mark.parametrize("who", ["learner", "trainer"])
def test_learners_and_trainers_cannot_create_plans(who, learner, branch):
    actor = learner if who == "learner" else make_trainer(branch)
    with pytest.raises(PermissionDenied):
        branch_plan(actor, branch)


def test_plan_period_must_be_ordered(hq_admin):
    with pytest.raises(ValidationError):
        hq_plan(hq_admin, period_start=dt.date(2026, 12, 1), period_end=dt.date(2026, 11, 1))


def test_unknown_category_refused(hq_admin):
    with pytest.raises(ValidationError):
        hq_plan(hq_admin, target_categories=["ceo"])


def test_only_hq_approves(manager, branch, hq_admin):
    plan = branch_plan(manager, branch)
    with pytest.raises(PermissionDenied, match="Only HQ may approve"):
        services.plan_approve(plan=plan, actor=manager.user)
    plan.refresh_from_db()
    assert plan.status == TrainingPlan.Status.DRAFT
    services.plan_approve(plan=plan, actor=hq_admin.user)
    plan.refresh_from_db()
    assert plan.status == TrainingPlan.Status.APPROVED
    assert plan.approved_by == hq_admin
    assert plan.approved_at is not None


def test_approving_twice_is_refused(hq_admin):
    plan = hq_plan(hq_admin)
    services.plan_approve(plan=plan, actor=hq_admin.user)
    first = TrainingPlan.objects.get(pk=plan.pk).approved_at
    with pytest.raises(ValidationError):
        services.plan_approve(plan=plan, actor=hq_admin.user)
    assert TrainingPlan.objects.get(pk=plan.pk).approved_at == first


def test_manager_edits_draft_but_not_approved_plan(manager, branch, hq_admin):
    plan = branch_plan(manager, branch)
    services.plan_update(plan=plan, actor=manager.user, title="改名后的计划", **Q1)
    assert TrainingPlan.objects.get(pk=plan.pk).title == "改名后的计划"
    services.plan_approve(plan=plan, actor=hq_admin.user)
    plan.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.plan_update(plan=plan, actor=manager.user, title="再改", **Q1)
    services.plan_update(plan=plan, actor=hq_admin.user, title="HQ 调整", **Q1)
    assert TrainingPlan.objects.get(pk=plan.pk).title == "HQ 调整"


def test_other_branch_manager_cannot_edit(manager, branch):
    plan = branch_plan(manager, branch)
    stranger = make_manager(BranchFactory())
    with pytest.raises(PermissionDenied):
        services.plan_update(plan=plan, actor=stranger.user, title="x", **Q1)


def test_branch_plan_links_only_own_branch_needs(manager, branch):
    plan = branch_plan(manager, branch)
    own = make_need(branch=branch, submitted_by=manager)
    other_branch = BranchFactory()
    foreign = make_need(branch=other_branch, submitted_by=make_manager(other_branch))
    services.plan_link_need(plan=plan, actor=manager.user, need=own)
    with pytest.raises(ValidationError):
        services.plan_link_need(plan=plan, actor=manager.user, need=foreign)
    assert list(plan.needs.all()) == [own]
    services.plan_link_need(plan=plan, actor=manager.user, need=own, unlink=True)
    assert not plan.needs.exists()


def test_plan_refuses_withdrawn_need_but_may_unlink_it(manager, branch):
    plan = branch_plan(manager, branch)
    open_need = make_need(branch=branch, submitted_by=manager)
    withdrawn = make_need(branch=branch, submitted_by=manager, status=TrainingNeed.Status.WITHDRAWN)
    services.plan_link_need(plan=plan, actor=manager.user, need=open_need)
    with pytest.raises(ValidationError) as refused:
        services.plan_link_need(plan=plan, actor=manager.user, need=withdrawn)
    assert refused.value.messages == [str(services.MSG_PLAN_NEED_WITHDRAWN)]
    assert list(plan.needs.all()) == [open_need]
    # A need withdrawn after linking can still be taken off the plan.
    plan.needs.add(withdrawn)
    services.plan_link_need(plan=plan, actor=manager.user, need=withdrawn, unlink=True)
    assert list(plan.needs.all()) == [open_need]


def test_branch_plan_links_own_and_company_wide_sessions_only(manager, branch):
    plan = branch_plan(manager, branch)
    own = make_session(branch=branch)
    company_wide = make_session(branch=None)
    foreign = make_session(branch=BranchFactory())
    services.plan_link_session(plan=plan, actor=manager.user, session=own)
    services.plan_link_session(plan=plan, actor=manager.user, session=company_wide)
    with pytest.raises(ValidationError) as refused:
        services.plan_link_session(plan=plan, actor=manager.user, session=foreign)
    assert refused.value.messages == [str(services.MSG_PLAN_SESSION_OTHER_BRANCH)]
    assert set(plan.sessions.all()) == {own, company_wide}


def test_hq_plan_links_sessions_of_any_branch(hq_admin):
    plan = hq_plan(hq_admin)
    session = make_session(branch=BranchFactory())
    services.plan_link_session(plan=plan, actor=hq_admin.user, session=session)
    assert list(plan.sessions.all()) == [session]


def test_link_sessions_refuses_cancelled(hq_admin):
    plan = hq_plan(hq_admin)
    services.plan_link_session(plan=plan, actor=hq_admin.user, session=make_session())
    with pytest.raises(ValidationError):
        services.plan_link_session(
            plan=plan, actor=hq_admin.user, session=make_session(status=Session.Status.CANCELLED)
        )
    assert plan.sessions.count() == 1


# --- progress ------------------------------------------------------------------------------


@pytest.fixture
def progress_plan(hq_admin, branch):
    """A branch plan with known numbers:

    sessions: A ended, B ended, C scheduled, D cancelled → delivered 2 / planned 3;
    attendance: A: L1 present, L2 late, L3 absent, L4 partial; B: L1 present, L5 excused;
    C: L6 enrolled; an unlinked ended session E: L7 present → trained 2 (L1, L2).
    """
    plan = branch_plan(hq_admin, branch, target_categories=[PositionCategory.BACKBONE])
    learners = [EmployeeFactory(branch=branch) for _ in range(7)]
    a = make_session(status=Session.Status.ENDED, starts_in=dt.timedelta(days=-10))
    b = make_session(status=Session.Status.ENDED, starts_in=dt.timedelta(days=-5))
    c = make_session()
    d = make_session(status=Session.Status.CANCELLED)
    e = make_session(status=Session.Status.ENDED, starts_in=dt.timedelta(days=-3))
    for session in (a, b, c):
        services.plan_link_session(plan=plan, actor=hq_admin.user, session=session)
    plan.sessions.add(d)  # cancelled after linking
    attend(a, learners[0], "present")
    attend(a, learners[1], "late")
    attend(a, learners[2], "absent")
    attend(a, learners[3], "partial")
    attend(b, learners[0], "present")
    attend(b, learners[4], "excused")
    attend(c, learners[5], None)
    attend(e, learners[6], "present")
    return plan


def progress(plan):
    return selectors.attach_targets(plans=[selectors.plan_base().get(pk=plan.pk)])[0]


def test_progress_sessions_and_learners_trained(progress_plan):
    plan = progress(progress_plan)
    assert (plan.sessions_delivered, plan.sessions_planned) == (2, 3)
    assert plan.sessions_percent == 67
    assert plan.learners_trained == 2


def test_presence_in_a_session_not_yet_ended_does_not_count(progress_plan, hq_admin, branch):
    live = make_session(status=Session.Status.LIVE, starts_in=dt.timedelta(hours=-1))
    services.plan_link_session(plan=progress_plan, actor=hq_admin.user, session=live)
    attend(live, EmployeeFactory(branch=branch), "present")
    plan = progress(progress_plan)
    assert (plan.sessions_delivered, plan.sessions_planned) == (2, 4)
    assert plan.learners_trained == 2


def test_targeted_counts_current_staff_of_branch_and_category(progress_plan, branch):
    # 7 backbone learners from the fixture + the manager (manager category) + hq elsewhere
    EmployeeFactory(branch=branch, position_category=PositionCategory.NEW_HIRE)
    EmployeeFactory(branch=branch, leave_date=dt.date(2023, 1, 1))  # left: not targeted
    EmployeeFactory(branch=BranchFactory())  # other branch: not targeted
    plan = progress(progress_plan)
    assert plan.learners_targeted == 7
    assert plan.learners_percent == round(2 * 100 / 7)


def test_stated_target_wins(progress_plan):
    progress_plan.targeted_learners = 40
    progress_plan.save()
    plan = progress(progress_plan)
    assert plan.learners_targeted == 40
    assert plan.learners_percent == 5


def test_hq_plan_targets_every_branch_or_its_target_branches(hq_admin):
    b1, b2, b3 = BranchFactory(), BranchFactory(), BranchFactory()
    for b in (b1, b2, b3):
        EmployeeFactory.create_batch(2, branch=b, position_category=PositionCategory.NEW_HIRE)
        EmployeeFactory(branch=b, position_category=PositionCategory.BACKBONE)
    everyone = hq_plan(hq_admin, target_categories=["new_hire"])
    two = hq_plan(hq_admin, target_categories=["new_hire"], target_branches=[b1, b2])
    all_categories = hq_plan(hq_admin, target_branches=[b3])
    plans = selectors.attach_targets(
        plans=list(selectors.plan_base().filter(pk__in=[everyone.pk, two.pk, all_categories.pk]))
    )
    by_pk = {p.pk: p.learners_targeted for p in plans}
    assert by_pk == {everyone.pk: 6, two.pk: 4, all_categories.pk: 3}


def test_only_learners_the_plan_targets_count_as_trained(hq_admin):
    """A plan for new hires linked to a session everyone attended: the others were trained
    too, but not by this plan (the demo showed "223 / 83 learners trained")."""
    b1, b2 = BranchFactory(), BranchFactory()
    new_hires = [EmployeeFactory(branch=b, position_category="new_hire") for b in (b1, b1, b2)]
    backbone = EmployeeFactory.create_batch(4, branch=b1, position_category="backbone")
    everywhere = hq_plan(hq_admin, target_categories=["new_hire"])
    in_b1 = hq_plan(hq_admin, target_categories=["new_hire"], target_branches=[b1])
    stated = hq_plan(hq_admin, target_categories=["new_hire"], targeted_learners=2)
    first = make_session(status=Session.Status.ENDED, starts_in=dt.timedelta(days=-3))
    second = make_session(status=Session.Status.ENDED, starts_in=dt.timedelta(days=-2))
    for plan in (everywhere, in_b1, stated):
        plan.sessions.add(first, second)
    for learner in [*new_hires, *backbone]:
        attend(first, learner, "present")
    attend(second, new_hires[0], "present")  # twice: still one learner

    plans = selectors.attach_targets(plans=list(selectors.plan_base()))
    by_pk = {p.pk: (p.learners_trained, p.learners_targeted) for p in plans}
    assert by_pk == {everywhere.pk: (3, 3), in_b1.pk: (2, 2), stated.pk: (3, 2)}
    assert all(p.learners_trained <= p.learners_targeted for p in plans if p.pk != stated.pk)


def test_empty_plan_progress_is_zero(hq_admin):
    plan = progress(hq_plan(hq_admin))
    assert (plan.sessions_delivered, plan.sessions_planned, plan.learners_trained) == (0, 0, 0)
    assert plan.sessions_percent is None


def test_progress_queries_do_not_grow_with_plans(hq_admin, django_assert_max_num_queries):
    branch = BranchFactory()

    def build(n):
        for _ in range(n):
            plan = hq_plan(hq_admin, target_branches=[branch])
            session = make_session(status=Session.Status.ENDED, starts_in=dt.timedelta(days=-1))
            plan.sessions.add(session)
            attend(session, EmployeeFactory(branch=branch), "present")

    build(2)
    with django_assert_max_num_queries(4):  # plans, target branches, trained, headcount
        plans = selectors.attach_targets(plans=list(selectors.plan_base()))
    assert len(plans) == 2
    build(10)
    with django_assert_max_num_queries(4):  # plans, target branches, trained, headcount
        plans = selectors.attach_targets(plans=list(selectors.plan_base()))
    assert len(plans) == 12
    assert all(p.learners_trained == 1 for p in plans)
