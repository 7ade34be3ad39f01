"""The demo company: a deterministic Chinese organisation for demos, screenshots and benchmarks.

``demo_plan`` decides everything in memory from a seed (``random.Random`` and Faker ``zh_CN``
seeded alike), so one seed always yields the same people (for a given Faker version).
``demo_seed`` writes the plan with bulk inserts, adding only rows whose natural key (region or
branch code, (branch, team name), username, employee number, (employee, period start),
(employee, role, branch)) is missing: a re-run adds nothing, and later issues can add steps
that behave the same way.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from faker import Faker

from .models import (
    AuditEvent,
    Branch,
    Employee,
    PerformanceGrade,
    PositionCategory,
    Region,
    Role,
    RoleGrant,
    Team,
    pinyin_key,
)
from .services import role_group

DEMO_PASSWORD = "lectern-demo"  # noqa: S105 - published on purpose: README, `make demo`
BATCH_SIZE = 2000
HQ_CODE = "HQ"

MSG_CONFLICT = _(
    "This database already holds other data under the demo company's keys ({detail}): it was "
    "seeded with another --seed or --scale, or holds real data. Seed an empty database instead "
    "(for example after `manage.py flush`)."
)


@dataclass(frozen=True)
class SeedScale:
    """How big the demo company is. Later issues add their own counts here."""

    name: str
    branches: int  # besides HQ
    employees: int  # HQ included
    hq_employees: int
    trainers: int
    leaver_share: float = 0.03

    def __post_init__(self) -> None:
        if not 3 <= self.branches <= len(CITIES) * 99:
            raise ValueError("branches must be between 3 and 3960")
        if self.hq_employees < 3 or (self.employees - self.hq_employees) < 4 * self.branches:
            raise ValueError("too few employees for the well-known logins")
        if self.trainers < 1:
            raise ValueError("at least one trainer")


class SeedConflict(Exception):
    """The database holds different rows under the keys the seed would write."""


# --- the organisation's fixed shape --------------------------------------------------------

REGIONS = [("EAST", "华东"), ("NORTH", "华北"), ("SOUTH", "华南"), ("WEST", "西部")]
# (code, city, region). The small company uses the first twelve, three per region; the large one
# cycles through all forty, numbering the second and later branches of a city.
CITIES = [
    ("SH", "上海", "EAST"), ("HZ", "杭州", "EAST"), ("NJ", "南京", "EAST"),
    ("GZ", "广州", "SOUTH"), ("SZ", "深圳", "SOUTH"), ("DG", "东莞", "SOUTH"),
    ("BJ", "北京", "NORTH"), ("TJ", "天津", "NORTH"), ("SJ", "石家庄", "NORTH"),
    ("CD", "成都", "WEST"), ("CQ", "重庆", "WEST"), ("XA", "西安", "WEST"),
    ("SU", "苏州", "EAST"), ("NB", "宁波", "EAST"), ("HF", "合肥", "EAST"),
    ("JN", "济南", "EAST"), ("QD", "青岛", "EAST"), ("FZ", "福州", "EAST"),
    ("WX", "无锡", "EAST"), ("FS", "佛山", "SOUTH"), ("NN", "南宁", "SOUTH"),
    ("HK", "海口", "SOUTH"), ("ZH", "珠海", "SOUTH"), ("XM", "厦门", "SOUTH"),
    ("HU", "惠州", "SOUTH"), ("ZS", "中山", "SOUTH"), ("TY", "太原", "NORTH"),
    ("HH", "呼和浩特", "NORTH"), ("TS", "唐山", "NORTH"), ("BD", "保定", "NORTH"),
    ("SY", "沈阳", "NORTH"), ("DL", "大连", "NORTH"), ("HB", "哈尔滨", "NORTH"),
    ("KM", "昆明", "WEST"), ("GY", "贵阳", "WEST"), ("LZ", "兰州", "WEST"),
    ("UR", "乌鲁木齐", "WEST"), ("XN", "西宁", "WEST"), ("YC", "银川", "WEST"),
    ("LS", "拉萨", "WEST"),
]  # fmt: skip
HQ_TEAMS = ["培训发展部", "人力资源部", "运营管理部", "风险合规部"]
BRANCH_TEAMS = ["零售一组", "对公业务组", "客户服务组"]
OPTIONAL_TEAMS = ["零售二组", "运营支持组"]
_RETAIL = (("见习客户经理",), ("客户经理", "理财经理"), ("高级客户经理",), ("零售团队主管",))
# team → (new-hire, backbone, senior backbone (a core role), manager) job titles
TEAM_TITLES = {
    "零售一组": _RETAIL,
    "零售二组": _RETAIL,
    "对公业务组": (("对公业务助理",), ("对公客户经理",), ("高级对公客户经理",), ("对公业务主管",)),
    "客户服务组": (
        ("见习客服专员",),
        ("客服专员", "投诉处理专员"),
        ("资深客服专员",),
        ("客服主管",),
    ),
    "运营支持组": (("见习柜员",), ("柜员", "运营专员"), ("资深柜员",), ("运营主管",)),
    "培训发展部": (("培训助理",), ("培训专员", "课程设计师"), ("资深培训专员",), ("培训经理",)),
    "人力资源部": (("人事助理",), ("人力资源专员",), ("资深薪酬绩效专员",), ("人力资源经理",)),
    "运营管理部": (("运营助理",), ("运营分析师",), ("资深运营分析师",), ("运营管理经理",)),
    "风险合规部": (("合规助理",), ("合规专员", "风险分析师"), ("资深风险经理",), ("合规经理",)),
}
CATEGORY_WEIGHTS = {
    PositionCategory.NEW_HIRE: 20,
    PositionCategory.BACKBONE: 60,
    PositionCategory.MANAGER: 20,
}
GRADES = "ABCD"
GRADE_WEIGHTS = (15, 45, 30, 10)
GRADE_REDRAW = 0.35  # chance a quarter's grade is drawn afresh instead of repeating the last
# Score band per grade, in hundredths: the score always agrees with the grade.
GRADE_SCORES = {"A": (9000, 9950), "B": (8000, 8999), "C": (7000, 7999), "D": (5500, 6999)}
TRAINER_PICK_WEIGHT = (4, 3, 2, 1)  # by talent A..D: managers favour, but don't only pick, stars
SENIOR_SHARE = 0.25  # of backbone staff: senior titles, flagged as core roles


@dataclass(frozen=True, slots=True)
class _Fixed:
    """A person the plan places on purpose: a well-known login or a branch manager."""

    login: str | None
    role: str | None
    team: str | None
    title: str
    category: str
    hired_days_ago: tuple[int, int]


_MANAGER, _BACKBONE, _NEW_HIRE = (
    PositionCategory.MANAGER,
    PositionCategory.BACKBONE,
    PositionCategory.NEW_HIRE,
)
_HQ_FIXED = [
    _Fixed("hq", Role.HQ_ADMIN, "培训发展部", "培训经理", _MANAGER, (1500, 3000)),
    _Fixed("hq2", Role.HQ_ADMIN, "培训发展部", "培训专员", _BACKBONE, (400, 1200)),
    _Fixed("lead", Role.TRAINING_LEAD, "培训发展部", "内训师认证主管", _MANAGER, (2000, 3500)),
]
_TRAINER = _Fixed("trainer", Role.TRAINER, "零售一组", "高级客户经理", _BACKBONE, (900, 2200))
_LEARNER = _Fixed("learner", None, "零售一组", "见习客户经理", _NEW_HIRE, (30, 150))


@dataclass(slots=True)
class BranchPlan:
    code: str
    name: str
    region_code: str
    is_hq: bool
    teams: list[str]


@dataclass(slots=True)
class GradePlan:
    period_start: dt.date
    period_end: dt.date
    grade: str
    score: Decimal


@dataclass(slots=True)
class EmployeePlan:
    employee_no: str
    username: str
    name: str
    branch_code: str
    team: str | None
    job_title: str
    position_category: str
    is_core_role: bool
    hire_date: dt.date
    talent: int  # 0..3 = A..D, where this person's grades hover
    is_login: bool = False
    leave_date: dt.date | None = None
    roles: list[tuple[str, str | None]] = field(default_factory=list)  # (role, branch code)
    grades: list[GradePlan] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    role: str  # a Role value, "learner" or "superuser"
    name: str
    branches: tuple[str, ...]


@dataclass(slots=True)
class DemoPlan:
    seed: int
    scale: SeedScale
    regions: list[tuple[str, str]]
    branches: list[BranchPlan]
    employees: list[EmployeePlan]
    logins: list[DemoLogin]


@dataclass(frozen=True)
class SeedResult:
    plan: DemoPlan
    created: dict[str, int]  # what was added, by kind; all zero on a re-run

    @property
    def already_seeded(self) -> bool:
        return not any(self.created.values())


SMALL = SeedScale("small", branches=12, employees=400, hq_employees=30, trainers=30)
LARGE = SeedScale("large", branches=200, employees=20_000, hq_employees=200, trainers=2_000)
SCALES = {scale.name: scale for scale in (SMALL, LARGE)}

ROLE_LABELS = {
    **{role.value: role.label for role in Role},
    "learner": _("Learner"),
    "superuser": _("Superuser"),
}


# --- the plan: pure, deterministic ---------------------------------------------------------


def demo_plan(*, seed: int, scale: SeedScale = SMALL, today: dt.date | None = None) -> DemoPlan:
    """Everything the demo company holds, decided from ``seed`` alone (dates count from today)."""
    today = today or timezone.localdate()
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    branches = _plan_branches(rng, scale)
    base, extra = divmod(scale.employees - scale.hq_employees, scale.branches)
    employees: list[EmployeePlan] = []
    for index, branch in enumerate(branches):
        if branch.is_hq:
            fixed, headcount = list(_HQ_FIXED), scale.hq_employees
        else:
            login = {1: "manager", 2: "manager2"}.get(index)
            fixed = [_Fixed(login, Role.BRANCH_MANAGER, None, "分部经理", _MANAGER, (1100, 3600))]
            fixed += [_TRAINER, _LEARNER] if index == 1 else []
            headcount = base + (1 if index - 1 < extra else 0)
        for position in range(headcount):
            person = fixed[position] if position < len(fixed) else None
            employees.append(_plan_person(rng, fake, today, branch, person, len(employees) + 1))
    # manager2 also runs the third branch (acting manager): multi-branch scoping in the demo.
    next(e for e in employees if e.username == "manager2").roles.append(
        (Role.BRANCH_MANAGER, branches[3].code)
    )
    _pick_trainers(rng, today, scale, branches, employees)
    _pick_leavers(rng, today, scale, employees)
    quarters = last_quarters(today)
    for person in employees:
        _plan_grades(rng, person, quarters)
    return DemoPlan(seed, scale, list(REGIONS), branches, employees, _logins(branches, employees))


def last_quarters(today: dt.date, count: int = 4) -> list[tuple[dt.date, dt.date]]:
    """The last ``count`` complete calendar quarters before ``today``, oldest first."""
    start = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    quarters = []
    for _index in range(count):
        end = start - dt.timedelta(days=1)
        start = dt.date(end.year, end.month - 2, 1)
        quarters.append((start, end))
    return quarters[::-1]


def _zh_ordinal(number: int) -> str:
    digits = "零一二三四五六七八九"
    tens, ones = divmod(number, 10)
    if tens == 0:
        return digits[ones]
    return (digits[tens] if tens > 1 else "") + "十" + (digits[ones] if ones else "")


def _plan_branches(rng: random.Random, scale: SeedScale) -> list[BranchPlan]:
    branches = [BranchPlan(HQ_CODE, "总部", "EAST", True, list(HQ_TEAMS))]
    for index in range(scale.branches):
        code, city, region = CITIES[index % len(CITIES)]
        ordinal = index // len(CITIES) + 1
        name = f"{city}分部" if ordinal == 1 else f"{city}第{_zh_ordinal(ordinal)}分部"
        teams = list(BRANCH_TEAMS)
        if rng.random() < 0.5:
            teams.append(rng.choice(OPTIONAL_TEAMS))
        branches.append(BranchPlan(f"{code}{ordinal:02d}", name, region, False, teams))
    return branches


def _plan_person(
    rng: random.Random,
    fake: Faker,
    today: dt.date,
    branch: BranchPlan,
    fixed: _Fixed | None,
    number: int,
) -> EmployeePlan:
    employee_no = f"E{number:06d}"
    name = fake.name()
    talent = rng.choices(range(4), weights=GRADE_WEIGHTS)[0]
    if fixed is not None:
        category, team, title = fixed.category, fixed.team, fixed.title
        hired_days_ago = rng.randint(*fixed.hired_days_ago)
        is_core = category == PositionCategory.MANAGER or title.startswith(("高级", "资深"))
        if fixed.role == Role.TRAINER:
            talent = min(talent, 1)
    else:
        category = rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[0]
        team = rng.choice(branch.teams)
        new_hire, backbone, senior, managers = TEAM_TITLES[team]
        is_core = category == PositionCategory.MANAGER
        if category == PositionCategory.NEW_HIRE:
            title, hired_days_ago = rng.choice(new_hire), rng.randint(7, 180)
        elif category == PositionCategory.BACKBONE:
            is_core = rng.random() < SENIOR_SHARE
            title, hired_days_ago = (
                rng.choice(senior if is_core else backbone),
                rng.randint(181, 3650),
            )
        else:
            title, hired_days_ago = rng.choice(managers), rng.randint(730, 3650)
    person = EmployeePlan(
        employee_no=employee_no,
        username=fixed.login if fixed and fixed.login else employee_no,
        name=name,
        branch_code=branch.code,
        team=team,
        job_title=title,
        position_category=str(category),
        is_core_role=is_core,
        hire_date=today - dt.timedelta(days=hired_days_ago),
        talent=talent,
        is_login=bool(fixed and fixed.login),
    )
    if fixed is not None and fixed.role is not None:
        person.roles.append(
            (fixed.role, branch.code if fixed.role == Role.BRANCH_MANAGER else None)
        )
    return person


def _pick_trainers(
    rng: random.Random,
    today: dt.date,
    scale: SeedScale,
    branches: list[BranchPlan],
    employees: list[EmployeePlan],
) -> None:
    """Spread the trainers evenly over the branches, favouring (not only taking) high performers."""
    base, extra = divmod(scale.trainers, scale.branches)
    by_branch: dict[str, list[EmployeePlan]] = {}
    for person in employees:
        by_branch.setdefault(person.branch_code, []).append(person)
    one_year_ago = today - dt.timedelta(days=365)
    for index, branch in enumerate(branches[1:]):
        people = by_branch[branch.code]
        quota = base + (1 if index < extra else 0)
        quota -= sum(1 for p in people if (Role.TRAINER, None) in p.roles)
        candidates = [
            p
            for p in people
            if not p.roles
            and not p.is_login
            and p.position_category != PositionCategory.NEW_HIRE
            and p.hire_date <= one_year_ago
        ]
        # Weighted sampling without replacement (Efraimidis-Spirakis keys).
        keyed = sorted(
            candidates, key=lambda p: rng.random() ** (1 / TRAINER_PICK_WEIGHT[p.talent])
        )
        for person in keyed[len(keyed) - max(quota, 0) :]:
            person.roles.append((Role.TRAINER, None))


def _pick_leavers(
    rng: random.Random, today: dt.date, scale: SeedScale, employees: list[EmployeePlan]
) -> None:
    """About 3 % have left: never a login, never a role holder (a leaver cannot hold one)."""
    candidates = [
        p for p in employees if not p.is_login and not p.roles and (today - p.hire_date).days >= 60
    ]
    count = min(round(len(employees) * scale.leaver_share), len(candidates))
    for person in rng.sample(candidates, count):
        stayed = rng.randint(30, (today - person.hire_date).days - 1)
        person.leave_date = person.hire_date + dt.timedelta(days=stayed)


def _plan_grades(
    rng: random.Random, person: EmployeePlan, quarters: list[tuple[dt.date, dt.date]]
) -> None:
    """One grade per quarter the person was on staff for at least its last month.

    A person mostly keeps last quarter's grade and now and then gets a fresh draw, so a year
    of grades reads like one person's while grades overall keep the 15/45/30/10 weights.
    """
    level = person.talent
    for start, end in quarters:
        if rng.random() < GRADE_REDRAW:
            level = rng.choices(range(4), weights=GRADE_WEIGHTS)[0]
        hundredths = rng.randint(*GRADE_SCORES[GRADES[level]])
        on_staff = person.hire_date <= end - dt.timedelta(days=30) and (
            person.leave_date is None or person.leave_date > end
        )
        if on_staff:
            score = Decimal(hundredths).scaleb(-2)
            person.grades.append(GradePlan(start, end, GRADES[level], score))


def _logins(branches: list[BranchPlan], employees: list[EmployeePlan]) -> list[DemoLogin]:
    names = {branch.code: branch.name for branch in branches}
    logins = []
    for person in (p for p in employees if p.is_login):
        role = person.roles[0][0] if person.roles else "learner"
        managed = tuple(names[code] for _role, code in person.roles if code)
        logins.append(
            DemoLogin(person.username, role, person.name, managed or (names[person.branch_code],))
        )
    order = ["hq", "hq2", "lead", "manager", "manager2", "trainer", "learner"]
    logins.sort(key=lambda login: order.index(login.username))
    return [*logins, DemoLogin("admin", "superuser", "", ())]


# --- writing the plan ----------------------------------------------------------------------


def demo_seed(*, seed: int, scale: SeedScale = SMALL, today: dt.date | None = None) -> SeedResult:
    """Create the demo company for ``seed`` at ``scale``; rows that already exist are kept.

    Preconditions: an empty database, or one seeded before with the same seed and scale; any
    other row under a key the seed writes raises ``SeedConflict`` before anything is written.
    Writes regions, branches, teams, users (one shared hash of ``DEMO_PASSWORD``), employees,
    performance grades, role grants with their group memberships and one ``role.granted``
    audit event per new grant (as ``hub.services.role_grant`` does), all in one transaction.
    """
    plan = demo_plan(seed=seed, scale=scale, today=today)
    created: Counter[str] = Counter()
    with transaction.atomic():
        _check_compatible(plan)
        region_ids = _write_regions(plan, created)
        branch_ids = _write_branches(plan, region_ids, created)
        team_ids = _write_teams(plan, branch_ids, created)
        user_ids = _write_users(plan, created)
        employee_ids = _write_employees(plan, user_ids, branch_ids, team_ids, created)
        _write_grades(plan, employee_ids, created)
        _write_roles(plan, employee_ids, user_ids, branch_ids, created)
    return SeedResult(plan, dict(created))


def _check_compatible(plan: DemoPlan) -> None:
    def conflict(detail: str) -> SeedConflict:
        return SeedConflict(str(MSG_CONFLICT).format(detail=detail))

    branches = {b.code: b for b in plan.branches}
    for code, name, is_hq in Branch.objects.values_list("code", "name", "is_hq"):
        planned = branches.get(code)
        if (planned is not None and planned.name != name) or (is_hq and code != HQ_CODE):
            raise conflict(f"branch {code}")
    people = {p.employee_no: p for p in plan.employees}
    rows = Employee.objects.order_by("employee_no").values_list(
        "employee_no", "name", "branch__code"
    )
    for employee_no, name, branch_code in rows.iterator(chunk_size=BATCH_SIZE):
        planned = people.get(employee_no)
        if planned is not None and (planned.name, planned.branch_code) != (name, branch_code):
            raise conflict(f"employee {employee_no}")
    owners = dict(get_user_model().objects.values_list("username", "employee__employee_no"))
    for person in plan.employees:
        if owners.get(person.username, person.employee_no) not in {None, person.employee_no}:
            raise conflict(f"user {person.username}")


def _write_regions(plan: DemoPlan, created: Counter[str]) -> dict[str, int]:
    existing = set(Region.objects.values_list("code", flat=True))
    new = [Region(code=code, name=name) for code, name in plan.regions if code not in existing]
    created["regions"] = len(Region.objects.bulk_create(new))
    return dict(Region.objects.values_list("code", "pk"))


def _write_branches(
    plan: DemoPlan, region_ids: dict[str, int], created: Counter[str]
) -> dict[str, int]:
    existing = set(Branch.objects.values_list("code", flat=True))
    new = [
        Branch(code=b.code, name=b.name, region_id=region_ids[b.region_code], is_hq=b.is_hq)
        for b in plan.branches
        if b.code not in existing
    ]
    created["branches"] = len(Branch.objects.bulk_create(new, batch_size=BATCH_SIZE))
    return dict(Branch.objects.values_list("code", "pk"))


def _write_teams(
    plan: DemoPlan, branch_ids: dict[str, int], created: Counter[str]
) -> dict[tuple[str, str], int]:
    existing = set(Team.objects.values_list("branch__code", "name"))
    new = [
        Team(branch_id=branch_ids[b.code], name=name)
        for b in plan.branches
        for name in b.teams
        if (b.code, name) not in existing
    ]
    created["teams"] = len(Team.objects.bulk_create(new, batch_size=BATCH_SIZE))
    return {
        (code, name): pk
        for code, name, pk in Team.objects.values_list("branch__code", "name", "pk")
    }


def _write_users(plan: DemoPlan, created: Counter[str]) -> dict[str, int]:
    user_model = get_user_model()
    existing = set(user_model.objects.values_list("username", flat=True))
    # Chinese names read surname first, so the whole name goes in first_name (get_full_name).
    new = [
        user_model(username=p.username, first_name=p.name)
        for p in plan.employees
        if p.username not in existing
    ]
    if "admin" not in existing:
        new.append(user_model(username="admin", is_staff=True, is_superuser=True))
    if new:
        # One hash for everybody: hashing 20,000 passwords one by one would take hours.
        password = make_password(DEMO_PASSWORD)
        for user in new:
            user.password = password
    created["users"] = len(user_model.objects.bulk_create(new, batch_size=BATCH_SIZE))
    return dict(user_model.objects.values_list("username", "pk"))


def _write_employees(
    plan: DemoPlan,
    user_ids: dict[str, int],
    branch_ids: dict[str, int],
    team_ids: dict[tuple[str, str], int],
    created: Counter[str],
) -> dict[str, int]:
    existing = set(Employee.objects.values_list("employee_no", flat=True))
    new = [
        Employee(
            user_id=user_ids[p.username],
            employee_no=p.employee_no,
            name=p.name,
            name_pinyin=pinyin_key(p.name),  # bulk_create skips Employee.save()
            branch_id=branch_ids[p.branch_code],
            team_id=team_ids[(p.branch_code, p.team)] if p.team else None,
            job_title=p.job_title,
            position_category=p.position_category,
            is_core_role=p.is_core_role,
            hire_date=p.hire_date,
            leave_date=p.leave_date,
        )
        for p in plan.employees
        if p.employee_no not in existing
    ]
    created["employees"] = len(Employee.objects.bulk_create(new, batch_size=BATCH_SIZE))
    return dict(Employee.objects.values_list("employee_no", "pk"))


def _write_grades(plan: DemoPlan, employee_ids: dict[str, int], created: Counter[str]) -> None:
    existing = set(PerformanceGrade.objects.values_list("employee_id", "period_start"))
    new = [
        PerformanceGrade(
            employee_id=employee_ids[p.employee_no],
            period_start=g.period_start,
            period_end=g.period_end,
            grade=g.grade,
            score=g.score,
        )
        for p in plan.employees
        for g in p.grades
        if (employee_ids[p.employee_no], g.period_start) not in existing
    ]
    created["performance grades"] = len(
        PerformanceGrade.objects.bulk_create(new, batch_size=BATCH_SIZE)
    )


def _write_roles(
    plan: DemoPlan,
    employee_ids: dict[str, int],
    user_ids: dict[str, int],
    branch_ids: dict[str, int],
    created: Counter[str],
) -> None:
    """Role grants, the matching group memberships and their audit events, in bulk."""
    groups = {role: role_group(role).pk for role in Role.values}
    branch_names = {b.code: b.name for b in plan.branches}
    existing = set(RoleGrant.objects.values_list("employee_id", "role", "branch_id"))
    grants, events = [], []
    memberships: set[tuple[int, int]] = set()
    for person in plan.employees:
        employee_id = employee_ids[person.employee_no]
        for role, branch_code in person.roles:
            memberships.add((user_ids[person.username], groups[role]))
            branch_id = branch_ids[branch_code] if branch_code else None
            if (employee_id, role, branch_id) in existing:
                continue
            grants.append(RoleGrant(employee_id=employee_id, role=role, branch_id=branch_id))
            grant_label = str(Role(role).label)
            if branch_code:
                grant_label += f" · {branch_names[branch_code]}"
            events.append(
                AuditEvent(
                    action=AuditEvent.Action.ROLE_GRANTED,
                    summary=f"{person.name} ({person.employee_no}) ← {grant_label}"[:300],
                    data={"employee_no": person.employee_no, "role": role, "branch": branch_code},
                )
            )
    created["role grants"] = len(RoleGrant.objects.bulk_create(grants, batch_size=BATCH_SIZE))
    AuditEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
    through = get_user_model().groups.through
    held = set(
        through.objects.filter(group_id__in=groups.values()).values_list("user_id", "group_id")
    )
    new = [through(user_id=u, group_id=g) for u, g in sorted(memberships - held)]
    created["group memberships"] = len(through.objects.bulk_create(new, batch_size=BATCH_SIZE))
