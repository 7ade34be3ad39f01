# ruff: noqa: S311 - demo data (not secrets); natural Chinese demo text uses full-width commas
"""Demo data of the tiers app: trainer nominations in every state and mentor pairs with logs
(confirmed and waiting) and quarterly ratings, written in bulk on top of the demo company.

Deterministic for a seed and a day, and idempotent: a branch that already has nominations is
left alone, and pairings, logs and ratings are only added under missing natural keys
((mentor, mentee, start), (pairing, date, topic), (pairing, period)).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from hub.organisation.models import (
    Branch,
    Employee,
    PerformanceGrade,
    PositionCategory,
    Role,
    RoleGrant,
)
from hub.registry import seed_step
from tiers.models import MentoringLog, MentorPairing, MentorRating, TrainerNomination
from tiers.rules import quarter_start

BATCH_SIZE = 2000
GRADE_WEIGHT = {"A": 5, "B": 4, "C": 2, "D": 1, "": 1, None: 1}
NOMINATION_REASONS = [
    "连续四个季度业绩领先，客户转介绍率高，善于把经验总结成方法，愿意带新人。",
    "熟悉主推商品的卖点和搭配，擅长异议处理，曾在分部晨会上做过多次分享。",
    "企业团购经验丰富，流程掌握扎实，团队里的新人遇到问题都先找他请教。",
    "客户满意度常年排名前列，投诉处理思路清晰，适合讲授服务类课程。",
    "表达能力强，做过两期新人带教，带教对象三个月留存全部达标。",
    "合规意识强，熟悉收银规范和防损要求，可以承担门店运营类内训。",
]
DECLINE_REASONS = [
    "近两个季度绩效有所下滑，建议稳定业绩后下半年再提名。",
    "入职时间较短，建议先参加一期内训师基础培训。",
    "本季度该分部已有两名候选人在培养中，建议错开批次。",
]
APPROVAL_NOTES = ["同意，纳入本年度内训师培养计划。", "同意，安排参加初级内训师认证。", ""]
MENTORING_TOPICS = [
    "客户需求挖掘与提问技巧",
    "商品搭配讲解演练",
    "连带销售话术复盘",
    "客户异议处理案例讨论",
    "企业团购接待流程与常见问题",
    "投诉处理与情绪安抚",
    "月度业绩复盘与目标拆解",
    "收银合规与防损要点",
    "晨会分享准备与演练",
    "职业发展规划交流",
]
LOG_HOURS = [Decimal(1), Decimal("1.5"), Decimal("1.5"), Decimal(2), Decimal("2.5"), Decimal(3)]
PENDING_DAYS = 14  # logs of the last two weeks still wait for the mentee's confirmation


def seed_tiers(*, seed: int, today: dt.date | None = None) -> Counter[str]:
    """Nominations and the mentor programme for the demo company already in the database."""
    today = today or timezone.localdate()
    created: Counter[str] = Counter()
    with transaction.atomic():
        org = _Org.load(today)
        _seed_nominations(seed, today, org, created)
        _seed_mentoring(random.Random(f"tiers:{seed}:mentoring"), today, org, created)
    return created


class _Org:
    """The company as the seed needs it, read in a handful of queries."""

    def __init__(self) -> None:
        self.branches: list[Branch] = []
        self.staff: dict[int, list[Employee]] = defaultdict(list)  # branch → current staff
        self.trainers: set[int] = set()
        self.managers: dict[int, int] = {}  # branch → manager employee id
        self.latest_grade: dict[int, str] = {}
        self.hq_user_id: int | None = None

    @classmethod
    def load(cls, today: dt.date) -> _Org:
        org = cls()
        org.branches = list(Branch.objects.filter(is_hq=False).order_by("code"))
        for employee in (
            Employee.objects.current(today).select_related("user").order_by("employee_no")
        ):
            org.staff[employee.branch_id].append(employee)
        for employee_id, role, branch_id in RoleGrant.objects.order_by(
            "employee__employee_no"
        ).values_list("employee_id", "role", "branch_id"):
            if role == Role.TRAINER:
                org.trainers.add(employee_id)
            elif role == Role.BRANCH_MANAGER:
                org.managers.setdefault(branch_id, employee_id)
        for employee_id, grade in PerformanceGrade.objects.order_by(
            "employee_id", "period_start"
        ).values_list("employee_id", "grade"):
            org.latest_grade[employee_id] = grade
        org.hq_user_id = (
            Employee.objects.filter(user__username="hq").values_list("user_id", flat=True).first()
        )
        return org


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _weighted_pick(rng: random.Random, people: list[Employee], weights: list[int], k: int):
    """``k`` distinct people, favouring higher weights (Efraimidis-Spirakis keys)."""
    keyed = sorted(zip(people, weights, strict=True), key=lambda pw: rng.random() ** (1 / pw[1]))
    return [person for person, _w in keyed[len(keyed) - k :]] if k else []


def _seed_nominations(seed: int, today: dt.date, org: _Org, created: Counter) -> None:
    """Per branch: one approved nomination (of a trainer the branch already has: that is how
    they became one), one or two pending and sometimes a declined one, all this year."""
    done = set(TrainerNomination.objects.values_list("branch_id", flat=True).distinct())
    year_start = dt.date(today.year, 1, 1)
    span = max((today - year_start).days, 1)

    new: list[TrainerNomination] = []
    for branch in org.branches:
        if branch.pk in done:
            continue
        rng = random.Random(f"tiers:{seed}:nominations:{branch.code}")

        def this_year(low: int, high: int, rng=rng) -> dt.date:
            """A day ``low``..``high`` days ago, clamped into this year."""
            return max(today - dt.timedelta(days=rng.randint(low, high)), year_start)

        manager_id = org.managers.get(branch.pk)
        staff = org.staff.get(branch.pk, [])
        if manager_id is None or not staff:
            continue
        trainers = [e for e in staff if e.pk in org.trainers]
        candidates = [
            e
            for e in staff
            if e.pk not in org.trainers
            and e.pk != manager_id
            and e.position_category != PositionCategory.NEW_HIRE
            and e.user.username != "learner"
        ]
        weights = [GRADE_WEIGHT[org.latest_grade.get(e.pk)] for e in candidates]
        pending_count = rng.choice([1, 1, 2])
        declined_count = rng.choice([0, 1])
        picked = _weighted_pick(
            rng, candidates, weights, min(pending_count + declined_count, len(candidates))
        )
        approved = [rng.choice(trainers)] if trainers else []
        for nominee in approved:
            nominated = this_year(min(60, span), min(200, span))
            decided = min(nominated + dt.timedelta(days=rng.randint(3, 10)), today)
            new.append(
                TrainerNomination(
                    nominee=nominee,
                    branch=branch,
                    nominated_by_id=manager_id,
                    reason=rng.choice(NOMINATION_REASONS),
                    status=TrainerNomination.Status.APPROVED,
                    decided_by_id=org.hq_user_id,
                    decision_reason=rng.choice(APPROVAL_NOTES),
                    created_at=_at(nominated, 10),
                    decided_at=_at(decided, 16),
                )
            )
        for index, nominee in enumerate(picked):
            declined = index < declined_count
            nominated = this_year(40, 120) if declined else this_year(2, 25)
            nomination = TrainerNomination(
                nominee=nominee,
                branch=branch,
                nominated_by_id=manager_id,
                reason=rng.choice(NOMINATION_REASONS),
                created_at=_at(nominated, 9),
            )
            if declined:
                nomination.status = TrainerNomination.Status.DECLINED
                nomination.decided_by_id = org.hq_user_id
                nomination.decision_reason = rng.choice(DECLINE_REASONS)
                nomination.decided_at = _at(
                    min(nominated + dt.timedelta(days=rng.randint(2, 8)), today), 15
                )
            new.append(nomination)
    created["trainer nominations"] = len(
        TrainerNomination.objects.bulk_create(new, batch_size=BATCH_SIZE)
    )


def _seed_mentoring(rng: random.Random, today: dt.date, org: _Org, created: Counter) -> None:
    """About one trainer in four mentors two or three colleagues of their branch (the demo
    trainer mentors the demo learner); logs every one to three weeks since the pairing began,
    the last two weeks' still unconfirmed; one rating per completed quarter."""
    staff_by_id = {e.pk: e for people in org.staff.values() for e in people}
    mentors = [staff_by_id[pk] for pk in sorted(org.trainers) if pk in staff_by_id]
    mentors.sort(key=lambda e: e.employee_no)
    demo_trainer = next((e for e in mentors if e.user.username == "trainer"), None)
    count = max(1, min(len(mentors) // 4, 300))
    chosen = rng.sample(mentors, min(count, len(mentors)))
    if demo_trainer is not None and demo_trainer not in chosen:
        chosen[0] = demo_trainer
    chosen.sort(key=lambda e: e.employee_no)
    busy = set(org.trainers) | set(org.managers.values())
    demo_learner = next((e for e in staff_by_id.values() if e.user.username == "learner"), None)
    if demo_learner is not None and demo_trainer is not None:
        busy.add(demo_learner.pk)  # kept for the demo trainer
    used: set[int] = set()
    plans: list[tuple[Employee, Employee, dt.date, dt.date | None, int]] = []
    for mentor in chosen:
        pool = [
            e
            for e in org.staff[mentor.branch_id]
            if e.pk not in busy and e.pk not in used and e.pk != mentor.pk
        ]
        rng.shuffle(pool)
        if demo_learner is not None and mentor is demo_trainer:
            pool.insert(0, demo_learner)
        mentee_count = min(rng.choice([2, 2, 3, 3, 1]), len(pool))
        quality = rng.randint(84, 98)  # where this mentor's ratings hover
        early = rng.random() < 0.6  # paired early in the year: enough hours to stand out
        for mentee in pool[:mentee_count]:
            used.add(mentee.pk)
            days = rng.randint(200, 320) if early else rng.randint(60, 150)
            started = max(today - dt.timedelta(days=days), mentee.hire_date)
            plans.append((mentor, mentee, started, None, quality))
        if mentee_count and rng.random() < 0.25 and len(pool) > mentee_count:
            # one earlier mentee whose pairing has ended
            former = pool[mentee_count]
            used.add(former.pk)
            started = max(today - dt.timedelta(days=rng.randint(250, 330)), former.hire_date)
            ended = min(started + dt.timedelta(days=rng.randint(60, 120)), today)
            plans.append((mentor, former, started, ended, quality))

    existing = {(p.mentor_id, p.mentee_id, p.started_on): p for p in MentorPairing.objects.all()}
    active_mentees = set(MentorPairing.objects.active().values_list("mentee_id", flat=True))
    new_pairings = []
    for mentor, mentee, started, ended, _quality in plans:
        key = (mentor.pk, mentee.pk, started)
        if key in existing or (ended is None and mentee.pk in active_mentees):
            continue
        new_pairings.append(
            MentorPairing(
                mentor=mentor,
                mentee=mentee,
                started_on=started,
                ended_on=ended,
                created_by_id=org.hq_user_id,
                created_at=_at(started, 9),
            )
        )
    created["mentor pairings"] = len(
        MentorPairing.objects.bulk_create(new_pairings, batch_size=BATCH_SIZE)
    )
    pairings = {
        (p.mentor_id, p.mentee_id, p.started_on): p
        for p in MentorPairing.objects.filter(mentor_id__in=[m.pk for m in chosen])
    }
    log_keys = set(MentoringLog.objects.values_list("pairing_id", "date", "topic"))
    rating_keys = set(MentorRating.objects.values_list("pairing_id", "period_start"))
    logs, ratings = [], []
    current_quarter = quarter_start(today)
    for mentor, mentee, started, ended, quality in plans:
        pairing = pairings.get((mentor.pk, mentee.pk, started))
        if pairing is None:
            continue
        last = ended or today - dt.timedelta(days=1)
        day = started + dt.timedelta(days=rng.randint(2, 7))
        while day <= last:
            topic, hours = rng.choice(MENTORING_TOPICS), rng.choice(LOG_HOURS)
            confirmed_on = min(day + dt.timedelta(days=rng.randint(1, 3)), today)
            confirmed = (today - day).days > PENDING_DAYS or (ended is not None)
            if (pairing.pk, day, topic) not in log_keys:
                logs.append(
                    MentoringLog(
                        pairing=pairing,
                        date=day,
                        hours=hours,
                        topic=topic,
                        created_at=_at(day, 19),
                        confirmed_at=_at(confirmed_on, 21) if confirmed else None,
                    )
                )
            day += dt.timedelta(days=rng.randint(7, 21))
        period = quarter_start(started)
        while period < current_quarter and period <= last:
            score = max(0, min(100, quality + rng.randint(-4, 4)))
            if (pairing.pk, period) not in rating_keys:
                rated = _next_quarter(period)
                ratings.append(
                    MentorRating(
                        pairing=pairing,
                        period_start=period,
                        score=score,
                        created_at=_at(min(rated, today), 11),
                    )
                )
            period = _next_quarter(period)
    created["mentoring sessions"] = len(
        MentoringLog.objects.bulk_create(logs, batch_size=BATCH_SIZE)
    )
    created["mentor ratings"] = len(
        MentorRating.objects.bulk_create(ratings, batch_size=BATCH_SIZE)
    )


def _next_quarter(start: dt.date) -> dt.date:
    return dt.date(start.year + start.month // 10, (start.month + 2) % 12 + 1, 1)


@seed_step(order=70, name="tiers")
def seed_tiers_step(*, seed: int, today: dt.date | None = None, **kwargs) -> Counter[str]:
    return seed_tiers(seed=seed, today=today or timezone.localdate())
