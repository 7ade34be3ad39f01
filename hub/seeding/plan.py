"""The plan: pure and deterministic. ``demo_plan`` decides everything in memory from a seed
(``random.Random`` and Faker ``zh_CN`` seeded alike), so one seed always yields the same people
(for a given Faker version)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone
from faker import Faker

from hub.organisation.models import PositionCategory, Role
from hub.seeding.shape import (
    BRANCH_TEAMS,
    CATEGORY_WEIGHTS,
    CITIES,
    GRADE_REDRAW,
    GRADE_SCORES,
    GRADE_WEIGHTS,
    GRADES,
    HQ_CODE,
    HQ_FIXED,
    HQ_TEAMS,
    LEARNER_FIXED,
    MANAGER,
    OPTIONAL_TEAMS,
    REGIONS,
    SENIOR_SHARE,
    SMALL,
    TEAM_TITLES,
    TRAINER_FIXED,
    TRAINER_PICK_WEIGHT,
    BranchPlan,
    DemoLogin,
    DemoPlan,
    EmployeePlan,
    FixedPerson,
    GradePlan,
    SeedScale,
)


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
            fixed, headcount = list(HQ_FIXED), scale.hq_employees
        else:
            login = {1: "manager", 2: "manager2"}.get(index)
            fixed = [
                FixedPerson(login, Role.BRANCH_MANAGER, None, "分部经理", MANAGER, (1100, 3600))
            ]
            fixed += [TRAINER_FIXED, LEARNER_FIXED] if index == 1 else []
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
    fixed: FixedPerson | None,
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
