"""hub.seeding.needs: the demo needs pool and plans (counts, statuses, history, idempotency)."""

import datetime as dt

import pytest
from django.db.models import Count, F

from hub.needs.models import NeedEvent, TrainingNeed, TrainingPlan
from hub.organisation.models import Branch, Role, RoleGrant
from hub.seeding import SeedScale, demo_seed
from hub.seeding.needs import quarter_bounds, seed_needs
from hub.sessions.models import Session

pytestmark = pytest.mark.django_db

TINY = SeedScale("tiny", branches=3, employees=40, hq_employees=5, trainers=4)
TODAY = dt.date(2026, 11, 28)


@pytest.fixture
def company(db):
    return demo_seed(seed=1, scale=TINY, today=TODAY)


def test_seed_writes_needs_in_every_status(company):
    assert company.created["training needs"] == TrainingNeed.objects.count() > 0
    statuses = set(TrainingNeed.objects.values_list("status", flat=True))
    assert statuses == set(TrainingNeed.Status.values)


def test_demo_managers_branch_has_every_status_and_the_demo_trainer(company):
    branch = RoleGrant.objects.get(
        employee__user__username="manager", role=Role.BRANCH_MANAGER
    ).branch
    needs = TrainingNeed.objects.filter(branch=branch)
    assert set(needs.values_list("status", flat=True)) == set(TrainingNeed.Status.values)
    claimers = set(
        needs.exclude(claimed_by=None).values_list("claimed_by__user__username", flat=True)
    )
    assert claimers == {"trainer"}


def test_every_need_was_submitted_by_its_branch_manager(company):
    for need in TrainingNeed.objects.select_related("submitted_by"):
        assert RoleGrant.objects.filter(
            employee=need.submitted_by, role=Role.BRANCH_MANAGER, branch=need.branch
        ).exists()


def test_history_matches_each_status(company):
    for need in TrainingNeed.objects.prefetch_related("events"):
        steps = [e.to_status for e in need.events.all()]
        assert steps[0] == "open"
        assert steps[-1] == need.status
        assert [e.from_status for e in need.events.all()] == ["", *steps[:-1]]
        times = [e.at for e in need.events.all()]
        assert times == sorted(times)
    assert company.created["need events"] == NeedEvent.objects.count()


def test_evaluated_needs_have_after_values_and_claimed_have_trainers(company):
    evaluated = TrainingNeed.objects.filter(status="evaluated")
    assert evaluated.exists()
    assert all(n.metric_after is not None and n.lift is not None for n in evaluated)
    assert not TrainingNeed.objects.filter(status="open").exclude(claimed_by=None).exists()
    assert (
        not TrainingNeed.objects.exclude(status__in=["open", "withdrawn"])
        .filter(claimed_by=None)
        .exists()
    )


def test_plans_hq_wide_and_per_branch_draft_and_approved(company):
    plans = TrainingPlan.objects.all()
    assert set(plans.values_list("scope", flat=True)) == {"hq", "branch"}
    assert set(plans.values_list("status", flat=True)) == {"draft", "approved"}
    assert plans.filter(scope="branch").count() == Branch.objects.filter(is_hq=False).count()
    start, end = quarter_bounds(TODAY)
    assert (start, end) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert set(plans.values_list("period_start", "period_end")) == {(start, end)}
    approved = plans.filter(status="approved")
    assert not approved.filter(approved_by=None).exists()
    assert approved.filter(approved_by__user__username="hq").count() == approved.count()
    # branch plans link their own branch's needs
    linked = TrainingPlan.needs.through.objects.filter(trainingplan__scope="branch")
    assert linked.exists()
    assert not linked.exclude(trainingneed__branch=F("trainingplan__branch")).exists()


def test_rerun_adds_nothing(company):
    counts = (
        TrainingNeed.objects.count(),
        NeedEvent.objects.count(),
        TrainingPlan.objects.count(),
        TrainingPlan.needs.through.objects.count(),
    )
    again = demo_seed(seed=1, scale=TINY, today=TODAY)
    assert again.already_seeded
    assert seed_needs(seed=1, scale=TINY, today=TODAY) == {
        "training needs": 0,
        "need events": 0,
        "training plans": 0,
    }
    assert counts == (
        TrainingNeed.objects.count(),
        NeedEvent.objects.count(),
        TrainingPlan.objects.count(),
        TrainingPlan.needs.through.objects.count(),
    )


def test_deterministic(company):
    first = sorted(
        TrainingNeed.objects.values_list("branch__code", "title", "status", "metric_after")
    )
    TrainingPlan.objects.all().delete()
    TrainingNeed.objects.all().delete()
    seed_needs(seed=1, scale=TINY, today=TODAY)
    assert (
        sorted(TrainingNeed.objects.values_list("branch__code", "title", "status", "metric_after"))
        == first
    )


def test_links_existing_sessions(db):
    """The demo seed writes sessions first; needs link to them by their state."""
    demo_seed(seed=1, scale=TINY, today=TODAY)
    assert Session.objects.filter(status=Session.Status.ENDED).exists()
    delivered = TrainingNeed.objects.filter(status__in=["delivered", "evaluated"])
    assert delivered.filter(sessions__status=Session.Status.ENDED).exists()
    assert TrainingNeed.objects.filter(
        status="in_delivery", sessions__status=Session.Status.SCHEDULED
    ).exists()
    # no need is linked to an ended session while still in delivery
    assert not TrainingNeed.objects.filter(status="in_delivery", sessions__status="ended").exists()


def test_without_an_organisation_nothing_is_written(db):
    assert sum(seed_needs(seed=1, scale=TINY, today=TODAY).values()) == 0
    assert not TrainingNeed.objects.exists()


def test_status_spread_across_branches(company):
    per_branch = TrainingNeed.objects.values("branch").annotate(n=Count("pk"))
    assert len(per_branch) == Branch.objects.filter(is_hq=False).count()
