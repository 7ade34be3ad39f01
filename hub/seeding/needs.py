"""Demo needs pool and training plans: needs in every status across the branches, with their
history, and HQ-wide and branch plans (draft and approved) linked to needs and to whatever
sessions already exist.

Deterministic for a seed; idempotent: a need's natural key is (branch, title), a plan's is
(title, branch), and a re-run writes nothing for keys that exist. Sessions are linked only when
a need or plan is created, so run this after the sessions seed to get linked sessions.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from hub.needs.models import NeedEvent, TrainingNeed, TrainingPlan
from hub.organisation.models import Branch, Employee, PositionCategory, Role, RoleGrant
from hub.seeding.shape import BATCH_SIZE, SeedScale
from hub.sessions.models import Session

Status = TrainingNeed.Status
NEW_HIRE, BACKBONE, MANAGER = (
    PositionCategory.NEW_HIRE,
    PositionCategory.BACKBONE,
    PositionCategory.MANAGER,
)


@dataclass(frozen=True)
class NeedIdea:
    title: str
    problem: str
    audience: str
    metric: str
    before: str
    target: str
    unit: str = "%"
    higher_is_better: bool = True


NEED_IDEAS = [
    NeedIdea(
        "提升导购连带销售率",
        "顾客多数只买单件商品。导购很少主动推荐搭配商品。",
        BACKBONE,
        "连带销售率",
        "22",
        "30",
    ),
    NeedIdea(
        "降低客户投诉率",
        "近两个月投诉集中在退换货解释不清和等待时间过长。",
        BACKBONE,
        "客户投诉率",
        "3.2",
        "1.5",
        higher_is_better=False,
    ),
    NeedIdea(
        "新员工产品知识达标",
        "新入职员工对主推产品的卖点掌握不牢。上岗后首月考核通过率偏低。",
        NEW_HIRE,
        "产品知识考核通过率",
        "68",
        "90",
    ),
    NeedIdea(
        "提高会员复购率",
        "会员二次到店比例下降。缺少系统的会员维护方法。",
        BACKBONE,
        "会员复购率",
        "35",
        "45",
    ),
    NeedIdea(
        "缩短新员工独立上岗周期",
        "新员工平均要六周才能独立接待客户。带教方式不统一。",
        NEW_HIRE,
        "独立上岗天数",
        "42",
        "28",
        unit="天",
        higher_is_better=False,
    ),
    NeedIdea(
        "提升门店主管辅导能力",
        "主管日常辅导以布置任务为主。缺少现场教练和反馈的技巧。",
        MANAGER,
        "下属季度绩效达标率",
        "60",
        "75",
    ),
    NeedIdea(
        "提高新品首月转化率",
        "导购在需求挖掘环节提问不足。新品介绍过早。",
        BACKBONE,
        "新品首月转化率",
        "12",
        "18",
    ),
    NeedIdea(
        "降低收银差错率",
        "高峰时段收银差错较多。新员工对退款流程不熟悉。",
        NEW_HIRE,
        "收银差错率",
        "1.8",
        "0.8",
        unit="‰",
        higher_is_better=False,
    ),
    NeedIdea(
        "提升线上直播带货转化",
        "门店开始做直播。但主播话术和互动节奏缺少章法。",
        BACKBONE,
        "直播间下单转化率",
        "2.1",
        "3.5",
    ),
    NeedIdea(
        "新任店长经营分析能力",
        "新提拔店长看不懂经营报表。难以据此制定改进计划。",
        MANAGER,
        "经营分析报告合格率",
        "40",
        "80",
    ),
]

# The demo manager's branch shows every status; other branches cycle through them.
ALL_STATUSES = [
    Status.OPEN,
    Status.OPEN,
    Status.CLAIMED,
    Status.IN_DELIVERY,
    Status.DELIVERED,
    Status.EVALUATED,
    Status.EVALUATED,
    Status.WITHDRAWN,
]
NEEDS_PER_BRANCH = 3
# At the large scale only this many branches get needs and plans: the pool is a workflow,
# not benchmark history.
MAX_BRANCHES = 40

PATH = {
    Status.OPEN: [Status.OPEN],
    Status.WITHDRAWN: [Status.OPEN, Status.WITHDRAWN],
    Status.CLAIMED: [Status.OPEN, Status.CLAIMED],
    Status.IN_DELIVERY: [Status.OPEN, Status.CLAIMED, Status.IN_DELIVERY],
    Status.DELIVERED: [Status.OPEN, Status.CLAIMED, Status.IN_DELIVERY, Status.DELIVERED],
    Status.EVALUATED: [
        Status.OPEN,
        Status.CLAIMED,
        Status.IN_DELIVERY,
        Status.DELIVERED,
        Status.EVALUATED,
    ],
}
NOTES = {
    Status.WITHDRAWN: "门店已通过内部带教解决",
    Status.IN_DELIVERY: "已排课并通知学员",
    Status.EVALUATED: "对比培训前后一个月数据",
}


def quarter_bounds(today: dt.date) -> tuple[dt.date, dt.date]:
    first_month = 3 * ((today.month - 1) // 3) + 1
    start = dt.date(today.year, first_month, 1)
    end_month = first_month + 2
    next_start = (
        dt.date(today.year + 1, 1, 1) if end_month == 12 else dt.date(today.year, end_month + 1, 1)
    )
    return start, next_start - dt.timedelta(days=1)


def seed_needs(*, seed: int, scale: SeedScale, today: dt.date | None = None) -> Counter[str]:
    """Write the demo needs (with their ``NeedEvent`` history) and plans; returns what was
    added by kind ("training needs", "need events", "training plans"). Needs the organisation
    seeded first; does nothing without branch managers."""
    today = today or timezone.localdate()
    created: Counter[str] = Counter()
    with transaction.atomic():
        branches = list(
            Branch.objects.filter(is_hq=False).order_by("code")[: min(scale.branches, MAX_BRANCHES)]
        )
        managers = _branch_managers()
        trainers = list(
            Employee.objects.filter(role_grants__role=Role.TRAINER)
            .order_by("employee_no")
            .values_list("pk", flat=True)
        )
        demo_trainer = _by_username("trainer")
        demo_manager = _by_username("manager")
        hq_admin = _by_username("hq") or (
            Employee.objects.filter(role_grants__role=Role.HQ_ADMIN).order_by("pk").first()
        )
        if not branches or not trainers or not managers:
            return created
        if demo_trainer is not None:
            trainers = [demo_trainer.pk, *[t for t in trainers if t != demo_trainer.pk]]
        _write_needs(
            f"needs-{seed}-{scale.name}",
            today,
            branches,
            managers,
            trainers,
            demo_manager,
            demo_trainer,
            created,
        )
        _write_plans(today, branches, managers, hq_admin, created)
    return created


def _by_username(username: str) -> Employee | None:
    user = get_user_model().objects.filter(username=username).first()
    return Employee.objects.filter(user=user).first() if user else None


def _branch_managers() -> dict[int, int]:
    """Branch id → the employee id of its (first) manager."""
    managers: dict[int, int] = {}
    grants = RoleGrant.objects.filter(role=Role.BRANCH_MANAGER).order_by("employee__employee_no")
    for branch_id, employee_id in grants.values_list("branch_id", "employee_id"):
        managers.setdefault(branch_id, employee_id)
    return managers


def _sessions_by_branch() -> dict[int | None, list[tuple[int, str, int | None, set[int]]]]:
    """Existing non-cancelled sessions: branch id (None: company-wide) → (pk, status, course
    id, trainer ids), oldest first."""
    result: dict[int | None, list[tuple[int, str, int | None, set[int]]]] = {}
    trainers: dict[int, set[int]] = {}
    through = Session.trainers.through
    for session_id, employee_id in through.objects.values_list("session_id", "employee_id"):
        trainers.setdefault(session_id, set()).add(employee_id)
    rows = (
        Session.objects.exclude(status=Session.Status.CANCELLED)
        .order_by("starts_at", "pk")
        .values_list("pk", "branch_id", "status", "course_id")
    )
    for pk, branch_id, status, course_id in rows.iterator(chunk_size=BATCH_SIZE):
        result.setdefault(branch_id, []).append((pk, status, course_id, trainers.get(pk, set())))
    return result


def _pick_session(
    sessions: dict, branch_id: int, trainer_id: int, ended: bool, used: set[int]
) -> tuple[int, int | None] | None:
    """A session for a need in delivery (any) or delivered (ended): the branch's own or a
    company-wide one, the claimer's first."""
    candidates = [*sessions.get(branch_id, []), *sessions.get(None, [])]
    candidates = [c for c in candidates if (c[1] == Session.Status.ENDED) == ended]
    candidates.sort(key=lambda c: (trainer_id not in c[3], c[0] in used))
    if not candidates:
        return None
    pk, _status, course_id, _trainers = candidates[0]
    used.add(pk)
    return pk, course_id


def _write_needs(
    seed_key: str,
    today: dt.date,
    branches: list[Branch],
    managers: dict[int, int],
    trainers: list[int],
    demo_manager: Employee | None,
    demo_trainer: Employee | None,
    created: Counter[str],
) -> None:
    existing = set(TrainingNeed.objects.values_list("branch_id", "title"))
    sessions = _sessions_by_branch()
    used_sessions: set[int] = set()
    demo_branch_ids = set()
    if demo_manager is not None:
        demo_branch_ids = set(
            RoleGrant.objects.filter(employee=demo_manager, role=Role.BRANCH_MANAGER).values_list(
                "branch_id", flat=True
            )
        )
    noon = dt.datetime.combine(today, dt.time(10), tzinfo=timezone.get_current_timezone())
    planned: list[tuple[TrainingNeed, list[str], list[dt.datetime], int | None]] = []
    status_cursor = 0
    for index, branch in enumerate(branches):
        manager_id = managers.get(branch.pk)
        if manager_id is None:
            continue
        if branch.pk in demo_branch_ids:
            statuses = list(ALL_STATUSES)
        else:
            statuses = [
                ALL_STATUSES[(status_cursor + k) % len(ALL_STATUSES)]
                for k in range(NEEDS_PER_BRANCH)
            ]
            status_cursor += NEEDS_PER_BRANCH
        # One stream per branch, every draw made before the existence check: a re-run (or
        # a branch added later) draws exactly the same values.
        branch_rng = random.Random(f"{seed_key}-{branch.code}")  # noqa: S311 - demo data
        ideas = branch_rng.sample(NEED_IDEAS, len(statuses))
        for position, (status, idea) in enumerate(zip(statuses, ideas, strict=True)):
            rng = random.Random(branch_rng.random())  # noqa: S311 - demo data
            path = PATH[status]
            age = rng.randint(5 * len(path), 15 * len(path) + 10)
            # oldest first, the last step at least a few days ago
            times = [
                noon
                - dt.timedelta(days=age * (len(path) - step) // len(path), hours=rng.randint(0, 6))
                for step in range(len(path))
            ]
            claimer = None
            if len(path) > 1 and status != Status.WITHDRAWN:
                claimer = (
                    demo_trainer.pk
                    if demo_trainer is not None and branch.pk in demo_branch_ids
                    else trainers[(index * NEEDS_PER_BRANCH + position) % len(trainers)]
                )
            before, target = Decimal(idea.before), Decimal(idea.target)
            after = None
            if status == Status.EVALUATED:
                # between 40 % and 120 % of the way to the target
                share = Decimal(rng.randint(40, 120)) / 100
                after = (before + (target - before) * share).quantize(Decimal("0.1"))
            if (branch.pk, idea.title) in existing:
                continue
            need = TrainingNeed(
                branch_id=branch.pk,
                submitted_by_id=manager_id,
                title=idea.title,
                problem=idea.problem,
                audience=idea.audience,
                metric_name=idea.metric,
                metric_before=before,
                metric_target=target,
                metric_after=after,
                unit=idea.unit,
                higher_is_better=idea.higher_is_better,
                urgency=rng.choice(list(TrainingNeed.Urgency.values)),
                due_date=today + dt.timedelta(days=rng.randint(-20, 90)),
                status=status,
                claimed_by_id=claimer,
                created_at=times[0],
            )
            planned.append((need, path, times, claimer))
    needs = TrainingNeed.objects.bulk_create([p[0] for p in planned], batch_size=BATCH_SIZE)
    created["training needs"] = len(needs)
    events, links = [], []
    through = TrainingNeed.sessions.through
    for need, (_n, path, times, claimer) in zip(needs, planned, strict=True):
        previous = ""
        for status, at in zip(path, times, strict=True):
            actor = need.submitted_by_id
            if status in {Status.CLAIMED, Status.IN_DELIVERY, Status.DELIVERED}:
                actor = claimer
            events.append(
                NeedEvent(
                    need_id=need.pk,
                    from_status=previous,
                    to_status=status,
                    actor_id=actor,
                    note=NOTES.get(status, ""),
                    at=at,
                )
            )
            previous = status
        if need.status in {Status.IN_DELIVERY, Status.DELIVERED, Status.EVALUATED}:
            ended = need.status != Status.IN_DELIVERY
            picked = _pick_session(sessions, need.branch_id, claimer, ended, used_sessions)
            if picked is not None:
                links.append(through(trainingneed_id=need.pk, session_id=picked[0]))
                if picked[1] is not None:
                    need.course_id = picked[1]
    NeedEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
    created["need events"] = len(events)
    through.objects.bulk_create(links, batch_size=BATCH_SIZE)
    with_course = [n for n in needs if n.course_id is not None]
    TrainingNeed.objects.bulk_update(with_course, ["course"], batch_size=BATCH_SIZE)


PLAN_HQ = [
    (
        "{year}年第{q}季度新员工入职培训计划",
        "新员工入职三十天内完成产品知识和服务规范培训。考核通过率达到90%。",
        [NEW_HIRE],
        True,
    ),
    (
        "{year}年第{q}季度门店主管任职培训计划",
        "新任主管完成辅导技巧与经营分析两门课程。",
        [MANAGER],
        False,
    ),
]
PLAN_BRANCH = "{branch}{year}年第{q}季度业务提升计划"
PLAN_BRANCH_OBJECTIVES = "围绕本季度培训需求安排专项课程。骨干员工全员参训。"


def _write_plans(
    today: dt.date,
    branches: list[Branch],
    managers: dict[int, int],
    hq_admin: Employee | None,
    created: Counter[str],
) -> None:
    start, end = quarter_bounds(today)
    q = (start.month - 1) // 3 + 1
    existing = set(TrainingPlan.objects.values_list("title", "branch_id"))
    approved_at = dt.datetime.combine(
        start + dt.timedelta(days=3), dt.time(9), tzinfo=timezone.get_current_timezone()
    )
    new: list[TrainingPlan] = []
    for title, objectives, categories, approved in PLAN_HQ:
        title = title.format(year=start.year, q=q)
        if (title, None) in existing:
            continue
        new.append(
            TrainingPlan(
                title=title,
                scope=TrainingPlan.Scope.HQ,
                period_start=start,
                period_end=end,
                objectives=objectives,
                target_categories=categories,
                status=TrainingPlan.Status.APPROVED if approved else TrainingPlan.Status.DRAFT,
                created_by=hq_admin,
                approved_by=hq_admin if approved else None,
                approved_at=approved_at if approved else None,
            )
        )
    for index, branch in enumerate(branches):
        title = PLAN_BRANCH.format(branch=branch.name, year=start.year, q=q)
        if (title, branch.pk) in existing:
            continue
        approved = index % 3 != 2
        new.append(
            TrainingPlan(
                title=title,
                scope=TrainingPlan.Scope.BRANCH,
                branch=branch,
                period_start=start,
                period_end=end,
                objectives=PLAN_BRANCH_OBJECTIVES,
                target_categories=[BACKBONE, NEW_HIRE],
                status=TrainingPlan.Status.APPROVED if approved else TrainingPlan.Status.DRAFT,
                created_by_id=managers.get(branch.pk),
                approved_by=hq_admin if approved else None,
                approved_at=approved_at if approved else None,
            )
        )
    plans = TrainingPlan.objects.bulk_create(new, batch_size=BATCH_SIZE)
    created["training plans"] = len(plans)
    if not plans:
        return
    need_links, session_links = [], []
    need_through, session_through = TrainingPlan.needs.through, TrainingPlan.sessions.through
    period_sessions = Session.objects.exclude(status=Session.Status.CANCELLED).filter(
        starts_at__date__gte=start, starts_at__date__lte=end
    )
    for plan in plans:
        if plan.scope == TrainingPlan.Scope.BRANCH:
            need_ids = TrainingNeed.objects.filter(branch=plan.branch).exclude(
                status=Status.WITHDRAWN
            )
            session_ids = period_sessions.filter(branch=plan.branch)
        else:
            need_ids = TrainingNeed.objects.filter(audience__in=plan.target_categories).exclude(
                status=Status.WITHDRAWN
            )
            session_ids = period_sessions.filter(branch__isnull=True)
        need_links += [
            need_through(trainingplan_id=plan.pk, trainingneed_id=pk)
            for pk in need_ids.order_by("pk").values_list("pk", flat=True)[:12]
        ]
        session_links += [
            session_through(trainingplan_id=plan.pk, session_id=pk)
            for pk in session_ids.order_by("starts_at", "pk").values_list("pk", flat=True)[:20]
        ]
    need_through.objects.bulk_create(need_links, batch_size=BATCH_SIZE)
    session_through.objects.bulk_create(session_links, batch_size=BATCH_SIZE)
