"""The demo follow-up seed: sessions ended ≥ N days ago get follow-ups for their completers,
some answered and (for recent ones) some still open; idempotent."""

import pytest

from evaluation.followups import selectors
from evaluation.followups.models import FollowUp
from evaluation.followups.seeding import seed_followups
from hub.registry import discover_seed_steps
from tests.evaluation.followups.helpers import completer, ended_session
from tests.factories import BranchFactory, make_manager

pytestmark = pytest.mark.django_db


def test_seed_writes_follow_ups_once_with_answered_and_open_ones():
    branch, lonely = BranchFactory(), BranchFactory()
    manager = make_manager(branch)
    old = [ended_session(days_ago=120 + i) for i in range(6)]
    recent = [ended_session(days_ago=35 + i) for i in range(6)]
    too_recent = ended_session(days_ago=29)
    for session in [*old, *recent, too_recent]:
        for _ in range(5):
            completer(session, branch=branch)
    completer(old[0], branch=lonely)  # nobody to ask
    created = seed_followups(seed=5)
    assert created["manager follow-ups"] == FollowUp.objects.count() == 12 * 5 + 1
    assert not FollowUp.objects.filter(session=too_recent).exists()
    assert FollowUp.objects.filter(sent_at__isnull=True).count() == 1
    answered = FollowUp.objects.filter(answered_at__isnull=False)
    assert created["follow-up answers"] == answered.count() > 0
    assert not answered.exclude(answered_by=manager).exists()
    assert selectors.followups_open_for(manager).exists()  # recent ones still open
    assert FollowUp.objects.filter(session__in=old, closed_at__isnull=False).exists()
    unanswered_old = FollowUp.objects.filter(
        session__in=old, sent_at__isnull=False, answered_at__isnull=True
    )
    assert not unanswered_old.filter(closed_at=None).exists()  # closed when their time ran out
    figures = selectors.followup_by_session(sessions=old)
    assert figures[old[0].pk].no_manager == 1
    assert seed_followups(seed=5) == {"manager follow-ups": 0, "follow-up answers": 0}


def test_the_seed_step_runs_after_surveys_and_before_metrics():
    steps = {step.name: step.order for step in discover_seed_steps()}
    assert steps["surveys"] < steps["manager follow-ups"] == 64 < steps["outcome metrics"]


def test_demo_seed_gives_managers_answered_and_waiting_follow_ups():
    from hub.seeding import demo_seed
    from hub.seeding.shape import SeedScale

    tiny = SeedScale("tiny", branches=3, employees=40, hq_employees=10, trainers=3)
    result = demo_seed(seed=3, scale=tiny)
    assert result.created["manager follow-ups"] == FollowUp.objects.count() > 0
    assert result.created["follow-up answers"] > 0
    waiting = FollowUp.objects.filter(
        sent_at__isnull=False, answered_at__isnull=True, closed_at__isnull=True
    )
    assert waiting.exists()
