"""Demo outcome metrics (seed steps 15 and 65): the metric definitions, monthly values per
branch for the last 12 complete months, the demo needs' metrics, and hire/leave dates that give one
branch's new-hire cohorts 60 % retention before its onboarding programme and 85.7 % (6 of 7)
in the two cohorts after it.

The demo branch is the one the ``manager`` login manages (else the first branch). Its values
show team performance +12 %, cross-selling +18 % and correct handling 70 % → 90 % after the
pivot day (its first ended session on a need with a demo metric, else 120 days ago); the other
branches drift by a few percent, which is what the comparison group (net lift) sees.

Idempotent: existing values are kept (only missing keys are written), definitions are looked
up by code, and the retention cohorts are only rewritten when they do not already hold.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from evaluation.metrics import rules
from evaluation.metrics.models import MetricDefinition, MetricValue, NeedMetric
from evaluation.metrics.selectors import retention_cohorts
from evaluation.metrics.services import refresh_session_lifts
from hub.needs.models import TrainingNeed
from hub.organisation.models import Branch, Employee, PositionCategory, RoleGrant
from hub.organisation.roles import Role
from hub.registry import seed_step
from hub.sessions.models import Session

MONTHS = 12
BATCH_SIZE = 2000
PIVOT_FALLBACK = dt.timedelta(days=120)
MOVE_OUT = dt.timedelta(days=730)
FULL_YEAR = 4  # graded in each of the last four quarters

# code, zh, en, unit, direction, source, base value (per branch ± 10 %), demo factor
DEFINITIONS = [
    ("team_performance", "团队业绩", "Team performance", "万元", "higher", "imported", 120, "1.12"),
    ("cross_sell", "连带销售率", "Cross-selling rate", "%", "higher", "imported", 22, "1.18"),
    (
        "correct_handling",
        "客诉正确处理率",
        "Correct handling rate",
        "%",
        "higher",
        "imported",
        70,
        None,
    ),
    ("complaint_rate", "客户投诉率", "Complaint rate", "%", "lower", "imported", 8, "0.8"),
    (
        "retention_3m",
        "三个月新员工留存率",
        "3-month new-hire retention",
        "%",
        "higher",
        "computed",
        0,
        None,
    ),
    ("training_coverage", "培训覆盖率", "Training coverage", "%", "higher", "computed", 0, None),
]
NEED_METRICS = {"连带销售率": "cross_sell", "客户投诉率": "complaint_rate"}
HANDLING_BEFORE, HANDLING_AFTER = Decimal(70), Decimal(90)
# quarter offset before today's quarter → (hires, leavers within 90 days)
COHORTS = {6: (5, 2), 5: (7, 1), 4: (7, 1)}


def _definitions() -> dict[str, MetricDefinition]:
    result = {}
    for code, zh, en, unit, direction, source, *_rest in DEFINITIONS:
        result[code], _created = MetricDefinition.objects.get_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "unit": unit,
                "direction": direction,
                "source": source,
                "level": MetricDefinition.Level.BRANCH,
            },
        )
    return result


def _demo_branch() -> Branch | None:
    grant = (
        RoleGrant.objects.filter(role=Role.BRANCH_MANAGER, employee__user__username="manager")
        .select_related("branch")
        .first()
    )
    return grant.branch if grant else Branch.objects.filter(is_hq=False).order_by("code").first()


def _months(today: dt.date) -> list[dt.date]:
    first = rules.month_start(today)
    months = []
    for _index in range(MONTHS):
        first = rules.month_start(first - dt.timedelta(days=1))
        months.append(first)
    return months[::-1]


def _pivot(branch: Branch, today: dt.date) -> dt.date:
    session = (
        Session.objects.filter(
            status=Session.Status.ENDED,
            training_needs__branch=branch,
            training_needs__metric_name__in=NEED_METRICS,
        )
        .order_by("starts_at")
        .first()
    )
    return timezone.localdate(session.starts_at) if session else today - PIVOT_FALLBACK


def _values(seed: int, today: dt.date, metrics: dict, demo: Branch | None) -> list[MetricValue]:
    rng = random.Random(f"metrics-{seed}")  # noqa: S311 - demo data
    pivot = _pivot(demo, today) if demo else today
    values = []
    for branch in Branch.objects.filter(is_hq=False).order_by("code"):
        for code, *_names, source, base, factor in DEFINITIONS:
            if source != "imported":
                continue
            level = Decimal(base) * Decimal(rng.uniform(0.9, 1.1))
            drift = Decimal(rng.uniform(0.0, 0.004))  # a few percent a year: the comparison
            for index, month in enumerate(_months(today)):
                end = rules.month_end(month)
                noise = Decimal(rng.uniform(-0.01, 0.01))
                value = level * (1 + drift * index + noise)
                if branch == demo:
                    value = _demo_value(code, level, factor, month, end, pivot, noise)
                values.append(
                    MetricValue(
                        metric=metrics[code],
                        branch=branch,
                        period_start=month,
                        period_end=end,
                        value=value.quantize(Decimal("0.01")),
                        source=MetricValue.Source.SEEDED,
                    )
                )
    return values


def _demo_value(code, level, factor, start, end, pivot, noise) -> Decimal:
    """Before the pivot the branch's level, after it the level x factor (70 → 90 for correct
    handling); the pivot's own month halfway."""
    if code == "correct_handling":
        before, after = HANDLING_BEFORE, HANDLING_AFTER
    else:
        before, after = level, level * Decimal(factor)
    if end < pivot:
        return before * (1 + noise / 10)
    if start > pivot:
        return after * (1 + noise / 10)
    return (before + after) / 2


def _link_needs(metrics: dict) -> int:
    linked = set(NeedMetric.objects.values_list("need_id", flat=True))
    new = [
        NeedMetric(need_id=pk, metric=metrics[NEED_METRICS[name]])
        for pk, name in TrainingNeed.objects.filter(metric_name__in=NEED_METRICS).values_list(
            "pk", "metric_name"
        )
        if pk not in linked
    ]
    return len(NeedMetric.objects.bulk_create(new))


def _quarter(today: dt.date, back: int) -> tuple[dt.date, dt.date]:
    start = rules.quarter_start(today)
    for _index in range(back):
        start = rules.quarter_start(start - dt.timedelta(days=1))
    return start, rules.quarter_end(start)


def _cohorts_hold(branch: Branch, today: dt.date) -> bool:
    first, _end = _quarter(today, max(COHORTS))
    _start, last = _quarter(today, min(COHORTS))
    rows = retention_cohorts(
        as_of=today, start=first, end=last, cohort="quarter", branch_ids=[branch.pk]
    )
    got = {row["cohort"]: (row["eligible"], row["eligible"] - row["retained"]) for row in rows}
    return got == {_quarter(today, back)[0]: target for back, target in COHORTS.items()}


def _in(day: dt.date, today: dt.date, back: int) -> bool:
    start, end = _quarter(today, back)
    return start <= day <= end


def _seed_retention(branch: Branch, today: dt.date) -> int:
    """Re-date hires of ``branch`` so its quarterly cohorts are ``COHORTS``; returns the
    number of people re-dated (0 when the cohorts already hold or the branch is too small).

    Consistent with the rest of the demo without deleting anything: the early leavers are
    people not graded yet (recent hires; their position category becomes backbone, as a
    new-hire category belongs to the last six months), the hires who stayed are people graded
    in each of the last four quarters, and people hired in the cohorts' quarters before move
    out of them (two years earlier, or to the next quarter when not graded for all four).
    """
    if _cohorts_hold(branch, today):
        return 0
    locked = set(
        RoleGrant.objects.filter(employee__branch=branch).values_list("employee_id", flat=True)
    )
    people = list(
        Employee.objects.filter(branch=branch)
        .select_related("user")
        .annotate(grades_n=Count("grades"))
        .order_by("employee_no")
    )
    locked |= {p.pk for p in people if p.user.username != p.employee_no}
    window_start, _end = _quarter(today, max(COHORTS))
    _start, window_end = _quarter(today, min(COHORTS))
    in_window = [p for p in people if window_start <= p.hire_date <= window_end]
    # logins and role holders hired then stay where they are, as hires who stayed
    kept = {
        back: [p for p in in_window if p.pk in locked and _in(p.hire_date, today, back)]
        for back in COHORTS
    }
    if any(len(kept[back]) > hires - gone for back, (hires, gone) in COHORTS.items()):
        return 0
    free = [p for p in people if p.pk not in locked and p.leave_date is None]
    leavers = [p for p in free if p.grades_n == 0]
    stayers = [p for p in free if p.grades_n == FULL_YEAR and p not in in_window]
    stayers_needed = sum(h - g - len(kept[b]) for b, (h, g) in COHORTS.items())
    leavers_needed = sum(gone for _h, gone in COHORTS.values())
    if len(stayers) < stayers_needed or len(leavers) < leavers_needed:
        return 0
    changed: dict[int, Employee] = {}
    next_quarter, _end = _quarter(today, min(COHORTS) - 1)
    for person in in_window:
        if person.pk in locked:
            continue
        if person.grades_n == FULL_YEAR or person.leave_date is not None:
            person.hire_date -= MOVE_OUT
        else:
            person.hire_date = next_quarter
        changed[person.pk] = person
    leaver_iter, stayer_iter = iter(leavers), iter(stayers)
    for back, (hires, leaving) in COHORTS.items():
        start, end = _quarter(today, back)
        span = (end - start).days
        for index in range(hires - len(kept[back])):
            person = next(leaver_iter) if index < leaving else next(stayer_iter)
            person.hire_date = start + dt.timedelta(days=span * index // hires)
            if index < leaving:
                person.leave_date = person.hire_date + dt.timedelta(days=40 + 10 * index)
                person.position_category = PositionCategory.BACKBONE
            changed[person.pk] = person
    Employee.objects.bulk_update(
        list(changed.values()), ["hire_date", "leave_date", "position_category"]
    )
    return len(changed)


def seed_retention(*, today: dt.date) -> Counter[str]:
    """Runs before the sessions are seeded, so the early leavers are never enrolled."""
    created: Counter[str] = Counter()
    with transaction.atomic():
        demo = _demo_branch()
        if demo is not None:
            created["people re-dated for retention"] = _seed_retention(demo, today)
    return created


def seed_metrics(*, seed: int, today: dt.date) -> Counter[str]:
    created: Counter[str] = Counter()
    with transaction.atomic():
        metrics = _definitions()
        demo = _demo_branch()
        if demo is None:
            return created
        created["need metrics"] = _link_needs(metrics)
        existing = set(
            MetricValue.objects.filter(branch__isnull=False).values_list(
                "metric_id", "branch_id", "period_start", "period_end"
            )
        )
        new = [
            v
            for v in _values(seed, today, metrics, demo)
            if (v.metric.pk, v.branch.pk, v.period_start, v.period_end) not in existing
        ]
        created["metric values"] = len(MetricValue.objects.bulk_create(new, batch_size=BATCH_SIZE))
    return created


@seed_step(order=15, name="new-hire retention")
def seed_retention_step(*, seed: int, today: dt.date | None = None, **kwargs) -> Counter[str]:
    return seed_retention(today=today or timezone.localdate())


@seed_step(order=65, name="outcome metrics")
def seed_metrics_step(*, seed: int, today: dt.date | None = None, **kwargs) -> Counter[str]:
    return seed_metrics(seed=seed, today=today or timezone.localdate())


@seed_step(order=66, name="refresh lifts")
def seed_lifts_step(*, seed: int, today: dt.date | None = None, **kwargs) -> Counter[str]:
    """The stored session lifts the reports read (and the demo needs whose lift is measured
    become evaluated): a full refresh, as ``manage.py refresh_lifts`` does."""
    counts = refresh_session_lifts(today=today or timezone.localdate())
    return Counter(
        # New snapshots only: a re-run of the seed refreshes them all and adds nothing.
        {"session lifts": counts["created"], "needs evaluated": counts["needs evaluated"]}
    )
