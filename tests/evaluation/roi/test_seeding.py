"""The demo shows returns on training, some above 2 : 1 and some below (seed step 67)."""

import pytest
from django.utils import timezone

from evaluation.roi.models import RoiSettings, SessionCost
from evaluation.roi.seeding import seed_roi
from evaluation.roi.selectors import roi_by_session
from hub.registry import discover_seed_steps
from hub.seeding import demo_seed
from hub.sessions.models import Session

pytestmark = pytest.mark.django_db


def test_demo_shows_returns_above_and_below_two_to_one():
    demo_seed(seed=1)
    ended = Session.objects.filter(status=Session.Status.ENDED)
    assert RoiSettings.objects.count() == 1
    assert SessionCost.objects.count() == ended.count() > 0
    figures = [f for f in roi_by_session(sessions=ended).values() if f.computable]
    ratios = sorted(f.ratio for f in figures)
    assert ratios and ratios[-1] >= 2 and ratios[0] < 2, ratios
    # idempotent: a second run adds nothing
    again = seed_roi(seed=1, today=timezone.localdate())
    assert sum(again.values()) == 0


def test_step_runs_after_the_outcome_metrics():
    steps = {s.name: s.order for s in discover_seed_steps()}
    assert steps["return on training"] == 67 > steps["outcome metrics"]
