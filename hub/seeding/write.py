"""Writing a plan: bulk inserts of only the rows whose natural key is missing, so a re-run
adds nothing; all in one transaction."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from hub.organisation.models import (
    AuditEvent,
    Branch,
    Employee,
    PerformanceGrade,
    Region,
    Role,
    RoleGrant,
    Team,
    pinyin_key,
)
from hub.organisation.services import role_group
from hub.registry import discover_seed_steps, seed_step
from hub.seeding.needs import seed_needs
from hub.seeding.plan import demo_plan
from hub.seeding.sessions import seed_sessions
from hub.seeding.shape import (
    BATCH_SIZE,
    DEMO_PASSWORD,
    HQ_CODE,
    MSG_CONFLICT,
    SMALL,
    DemoPlan,
    SeedConflict,
    SeedResult,
    SeedScale,
)

# hub's own steps; the apps register theirs in their ``seeding`` modules (library 10,
# evaluation.metrics 15 and 65, live.recordings 30, live 40, evaluation 60, tiers 70).
seed_step(order=20, name="sessions")(seed_sessions)
seed_step(order=50, name="needs")(seed_needs)


def demo_seed(*, seed: int, scale: SeedScale = SMALL, today: dt.date | None = None) -> SeedResult:
    """Create the demo company for ``seed`` at ``scale``; rows that already exist are kept.

    Preconditions: an empty database, or one seeded before with the same seed and scale; any
    other row under a key the seed writes raises ``SeedConflict`` before anything is written.
    Writes regions, branches, teams, users (one shared hash of ``DEMO_PASSWORD``), employees,
    performance grades, role grants with their group memberships and one ``role.granted``
    audit event per new grant (as ``hub.organisation.services.role_grant``
    does), all in one transaction.
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
        # The apps' steps, after the company (hub.registry): library, sessions, recordings,
        # live room, needs, assignments, tiers.
        for step in discover_seed_steps():
            created.update(step.run(seed=seed, scale=scale, today=today))
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
