"""Demo ROI inputs (seed step 67, after the outcome metrics): the hourly costs, what one unit
of the demo metrics is worth, and venue and materials costs for the demo's ended sessions, so
the session, course, need and branch figures show a return — the demo branch's sessions well
above 2 : 1 (cross-selling +18 %, complaints down 20 %), the other branches' (a drift of a few
percent) below it, some negative.

Idempotent: the settings row is created only when there is none, a metric's value is set only
when empty, and sessions that already have costs keep them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from evaluation.metrics.models import MetricDefinition
from evaluation.roi.models import MetricBenefitBasis, RoiSettings, SessionCost
from hub.registry import seed_step
from hub.sessions.models import Session

TRAINER_HOURLY, LEARNER_HOURLY, HORIZON = Decimal(300), Decimal(80), 12
# metric code → (CNY one unit of improvement is worth per month, affected volume, what it counts)
VALUES = {
    "team_performance": (Decimal(1500), None, ""),  # margin on 1 万元 of monthly sales
    "cross_sell": (Decimal(250), None, ""),  # one percentage point, per branch and month
    "correct_handling": (Decimal(150), None, ""),
    "complaint_rate": (Decimal(2), Decimal(600), "客户投诉工单 / 月"),  # per pp x monthly tickets
}
BATCH_SIZE = 1000


def _settings(today: dt.date) -> int:
    if RoiSettings.objects.exists():
        return 0
    RoiSettings.objects.create(
        effective_from=dt.date(today.year - 1, 1, 1),
        trainer_hourly_cost=TRAINER_HOURLY,
        learner_hourly_cost=LEARNER_HOURLY,
        horizon_months=HORIZON,
    )
    return 1


def _metric_values() -> int:
    metrics = MetricDefinition.objects.filter(code__in=VALUES, value_per_unit__isnull=True)
    changed = []
    for metric in metrics:
        metric.value_per_unit = VALUES[metric.code][0]
        changed.append(metric)
    MetricDefinition.objects.bulk_update(changed, ["value_per_unit"])
    have = set(MetricBenefitBasis.objects.values_list("metric_id", flat=True))
    MetricBenefitBasis.objects.bulk_create(
        [
            MetricBenefitBasis(
                metric=metric,
                affected_volume=VALUES[metric.code][1],
                volume_note=VALUES[metric.code][2],
            )
            for metric in MetricDefinition.objects.filter(code__in=VALUES).exclude(pk__in=have)
        ]
    )
    return len(changed)


def _costs(seed: int) -> int:
    rng = random.Random(f"roi-{seed}")  # noqa: S311 - demo data
    sessions = (
        Session.objects.filter(status=Session.Status.ENDED, roi_cost__isnull=True)
        .order_by("pk")
        .values_list("pk", "mode")
    )
    costs = [
        SessionCost(
            session_id=pk,
            venue=Decimal(rng.randrange(300, 1500, 50)) if mode == Session.Mode.IN_PERSON else 0,
            materials=Decimal(rng.randrange(50, 400, 10)),
        )
        for pk, mode in sessions
    ]
    return len(SessionCost.objects.bulk_create(costs, batch_size=BATCH_SIZE))


def seed_roi(*, seed: int, today: dt.date) -> Counter[str]:
    created: Counter[str] = Counter()
    with transaction.atomic():
        created["ROI settings"] = _settings(today)
        created["metric values per unit"] = _metric_values()
        created["session costs"] = _costs(seed)
    return created


@seed_step(order=67, name="return on training")
def seed_roi_step(*, seed: int, today: dt.date | None = None, **kwargs) -> Counter[str]:
    return seed_roi(seed=seed, today=today or timezone.localdate())
