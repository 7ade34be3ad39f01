"""tiers.seeding.seed_tiers through the demo seed: every nomination state, mentor pairs with
confirmed and waiting logs and ratings, within the rules, and nothing added on a re-run."""

import datetime as dt
from collections import Counter

import pytest
from django.db.models import Count

from hub.organisation.models import Employee, Role, RoleGrant
from hub.seeding import SMALL, SeedScale, demo_seed
from tiers.models import MentoringLog, MentorPairing, MentorRating, TrainerNomination
from tiers.seeding import seed_tiers
from tiers.selectors import mentor_year_totals, nomination_panel

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)
TINY = SeedScale("tiny", branches=3, employees=60, hq_employees=5, trainers=8)


@pytest.fixture
def seeded():
    return demo_seed(seed=1, scale=TINY, today=TODAY)


def test_nominations_in_every_state(seeded):
    states = Counter(TrainerNomination.objects.values_list("status", flat=True))
    assert set(states) == set(TrainerNomination.Status.values)
    assert seeded.created["trainer nominations"] == sum(states.values())
    trainers = set(RoleGrant.objects.filter(role=Role.TRAINER).values_list("employee", flat=True))
    for nomination in TrainerNomination.objects.all():
        assert nomination.branch_id == nomination.nominee.branch_id
        assert nomination.created_at.year == TODAY.year
        assert RoleGrant.objects.filter(
            employee=nomination.nominated_by, role=Role.BRANCH_MANAGER, branch=nomination.branch
        ).exists()
        if nomination.status == TrainerNomination.Status.APPROVED:
            assert nomination.nominee_id in trainers
        else:
            assert nomination.nominee_id not in trainers
        if nomination.status == TrainerNomination.Status.DECLINED:
            assert nomination.decision_reason


def test_mentor_pairs_follow_the_rules(seeded):
    assert MentorPairing.objects.exists()
    busiest = MentorPairing.objects.active().values("mentor").annotate(n=Count("pk")).order_by("-n")
    assert busiest[0]["n"] <= 3
    demo = MentorPairing.objects.active().get(mentee__user__username="learner")
    assert demo.mentor.user.username == "trainer"
    assert MentoringLog.objects.filter(confirmed_at__isnull=False).exists()
    assert MentoringLog.objects.filter(confirmed_at__isnull=True).exists()
    assert not MentoringLog.objects.filter(date__gt=TODAY).exists()
    assert MentorRating.objects.exists()
    assert not MentorRating.objects.filter(period_start__gte=dt.date(2026, 10, 1)).exists()
    totals = mentor_year_totals(year=2026)
    assert totals and all(row.confirmed_hours > 0 for row in totals)


def test_rerun_adds_nothing(seeded):
    counts = [
        m.objects.count() for m in (TrainerNomination, MentorPairing, MentoringLog, MentorRating)
    ]
    again = seed_tiers(seed=1, today=TODAY)
    assert not any(again.values())
    assert counts == [
        m.objects.count() for m in (TrainerNomination, MentorPairing, MentoringLog, MentorRating)
    ]


def test_lost_logs_come_back(seeded):
    total = MentoringLog.objects.count()
    MentoringLog.objects.filter(pk__in=MentoringLog.objects.values("pk")[:5]).delete()
    again = seed_tiers(seed=1, today=TODAY)
    assert again["mentoring sessions"] == 5
    assert MentoringLog.objects.count() == total


def test_the_small_demo_gives_every_manager_a_panel_and_hq_a_queue():
    demo_seed(seed=1, scale=SMALL, today=TODAY)
    manager = Employee.objects.get(user__username="manager")
    panel = nomination_panel(user=manager.user, year=TODAY.year)
    assert len(panel.nominations) >= 2
    assert TrainerNomination.objects.filter(status="pending").count() >= 12
    assert MentorPairing.objects.active().count() >= 10
    assert any(row.outstanding for row in mentor_year_totals(year=TODAY.year))
