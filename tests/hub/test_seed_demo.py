"""The demo company (hub.seeding, ``manage.py seed_demo``): shape, determinism, re-runs, logins."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F
from django.test import Client
from django.utils import timezone, translation

from hub.management.commands.seed_demo import LOGINS_HEADING
from hub.needs.models import TrainingNeed, TrainingPlan
from hub.organisation.models import (
    AuditEvent,
    Branch,
    Employee,
    PerformanceGrade,
    PositionCategory,
    Region,
    Role,
    RoleGrant,
    Team,
)
from hub.organisation.permissions import access_for, can_use_cms, home_kind, is_hq_admin
from hub.organisation.services import role_group
from hub.seeding import (
    DEMO_PASSWORD,
    MSG_CONFLICT,
    SMALL,
    SeedConflict,
    SeedScale,
    demo_plan,
    demo_seed,
    last_quarters,
)
from hub.seeding.shape import GRADE_SCORES
from hub.sessions.models import Session

LOGINS = ["hq", "hq2", "lead", "manager", "manager2", "trainer", "learner", "admin"]
TINY = SeedScale("tiny", branches=3, employees=40, hq_employees=5, trainers=4)


def seed_demo(*args: str) -> str:
    """Run the command in English (the operator's language is LANGUAGE_CODE, Chinese)."""
    out = StringIO()
    with translation.override("en"):
        call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    models = [Region, Branch, Team, Employee, PerformanceGrade, RoleGrant, AuditEvent]
    counts = {model.__name__: model.objects.count() for model in models}
    counts["User"] = get_user_model().objects.count()
    counts["memberships"] = get_user_model().groups.through.objects.count()
    return counts


def holders(role: str) -> set[str]:
    return set(RoleGrant.objects.filter(role=role).values_list("employee__employee_no", flat=True))


def company_snapshot() -> list[tuple]:
    return list(
        Employee.objects.order_by("employee_no").values_list(
            "employee_no", "user__username", "name", "branch__code", "team__name", "hire_date"
        )
    )


def wipe_company() -> None:
    Session.objects.all().delete()  # enrolments, attendance and notifications go with them
    AuditEvent.objects.all().delete()
    TrainingPlan.objects.all().delete()  # needs and plans protect their people
    TrainingNeed.objects.all().delete()
    Employee.objects.all().delete()  # grades and role grants go with them
    get_user_model().objects.all().delete()
    Team.objects.all().delete()
    Branch.objects.all().delete()
    Region.objects.all().delete()


@pytest.fixture
def seeded(db) -> str:
    return seed_demo("--seed", "1")


def test_small_company_has_the_specified_shape(seeded):
    assert Region.objects.count() == 4
    assert Branch.objects.filter(is_hq=True).get().code == "HQ"
    assert Branch.objects.filter(is_hq=False).count() == 12
    assert Branch.objects.values("region").distinct().count() == 4
    team_counts = Branch.objects.annotate(n=Count("teams")).values_list("n", flat=True)
    assert set(team_counts) <= {3, 4}
    assert Employee.objects.count() == SMALL.employees == 400
    assert Employee.objects.filter(branch__is_hq=True).count() == SMALL.hq_employees
    assert len(holders(Role.TRAINER)) == 30
    assert len(holders(Role.HQ_ADMIN)) == 2
    assert len(holders(Role.TRAINING_LEAD)) == 1
    assert len(holders(Role.BRANCH_MANAGER)) == 12
    managed = RoleGrant.objects.filter(role=Role.BRANCH_MANAGER).values_list("branch__code")
    assert {code for (code,) in managed} == set(
        Branch.objects.filter(is_hq=False).values_list("code", flat=True)
    )
    assert not Employee.objects.filter(name="").exists()
    assert not Employee.objects.filter(name_pinyin="").exists()


def test_staff_mix_follows_the_brief(seeded):
    today = timezone.localdate()
    total = Employee.objects.count()
    share = {
        category: Employee.objects.filter(position_category=category).count() / total
        for category in PositionCategory.values
    }
    assert 0.15 <= share[PositionCategory.NEW_HIRE] <= 0.25
    assert 0.5 <= share[PositionCategory.BACKBONE] <= 0.7
    assert 0.15 <= share[PositionCategory.MANAGER] <= 0.25
    new_hires = Employee.objects.filter(position_category=PositionCategory.NEW_HIRE)
    assert not new_hires.filter(hire_date__lt=today - dt.timedelta(days=183)).exists()
    assert not Employee.objects.filter(hire_date__lt=today - dt.timedelta(days=3653)).exists()
    assert Employee.objects.filter(is_core_role=True).exists()
    leavers = Employee.objects.filter(leave_date__isnull=False)
    assert 0.02 * total <= leavers.count() <= 0.04 * total
    assert not leavers.filter(leave_date__gte=today).exists()
    assert not leavers.filter(user__username__in=LOGINS).exists()
    assert not RoleGrant.objects.filter(employee__leave_date__isnull=False).exists()


def test_grades_cover_the_last_four_quarters_and_agree_with_scores(seeded):
    quarters = last_quarters(timezone.localdate())
    assert set(PerformanceGrade.objects.values_list("period_start", "period_end")) == set(quarters)
    for grade, score in PerformanceGrade.objects.values_list("grade", "score"):
        low, high = GRADE_SCORES[grade]
        assert low <= score * 100 <= high
    graded = Employee.objects.annotate(n=Count("grades"))
    veterans = graded.filter(leave_date__isnull=True, hire_date__lte=quarters[0][0])
    assert veterans.count() > 250
    assert set(veterans.values_list("n", flat=True)) == {4}
    assert max(graded.values_list("n", flat=True)) == 4
    # Nobody is graded for a quarter that ended after they left or before they joined.
    grades = PerformanceGrade.objects
    assert not grades.filter(period_end__gte=F("employee__leave_date")).exists()
    assert not grades.filter(period_end__lt=F("employee__hire_date")).exists()
    shares = {g: PerformanceGrade.objects.filter(grade=g).count() for g in "ABCD"}
    assert shares["B"] > shares["C"] > shares["A"] > shares["D"] > 0


def test_same_seed_builds_the_same_company(seeded):
    first = company_snapshot()
    first_grades = sorted(
        PerformanceGrade.objects.values_list("employee__employee_no", "period_start", "score")
    )
    wipe_company()
    seed_demo("--seed", "1")
    assert company_snapshot() == first
    assert (
        sorted(
            PerformanceGrade.objects.values_list("employee__employee_no", "period_start", "score")
        )
        == first_grades
    )


def test_another_seed_gives_other_people():
    names = [p.name for p in demo_plan(seed=1).employees]
    assert names == [p.name for p in demo_plan(seed=1).employees]
    assert names != [p.name for p in demo_plan(seed=2).employees]


def test_rerun_adds_nothing(seeded):
    before = row_counts()
    output = seed_demo("--seed", "1")
    assert row_counts() == before
    assert "already seeded" in output
    assert LOGINS_HEADING in output


def test_rerun_completes_a_partly_present_company(seeded):
    """Rows under the seed's keys are kept; only what is missing comes back."""
    before = row_counts()
    trainer = Employee.objects.get(user__username="trainer")
    RoleGrant.objects.filter(employee=trainer).delete()
    trainer.user.groups.clear()
    PerformanceGrade.objects.filter(employee__branch__code="SH01").delete()
    result = demo_seed(seed=1)
    assert result.created["role grants"] == 1
    assert result.created["group memberships"] == 1
    assert result.created["performance grades"] > 0
    assert result.created["employees"] == 0
    assert row_counts() == {**before, "AuditEvent": before["AuditEvent"] + 1}


def test_another_seed_on_a_seeded_database_is_refused(seeded):
    before = row_counts()
    with pytest.raises(CommandError) as refused:
        seed_demo("--seed", "2")
    with translation.override("en"):
        assert str(refused.value).startswith(str(MSG_CONFLICT).split("{detail}")[0])
    assert row_counts() == before


def test_switching_scale_is_refused(db):
    """A tiny company through the same bulk code path; the small one may not be mixed in."""
    result = demo_seed(seed=1, scale=TINY)
    assert result.created["branches"] == 4
    assert result.created["employees"] == Employee.objects.count() == 40
    assert len(holders(Role.TRAINER)) == 4
    assert len(holders(Role.BRANCH_MANAGER)) == 3
    before = row_counts()
    with pytest.raises(SeedConflict):
        demo_seed(seed=1, scale=SMALL)
    assert row_counts() == before


def test_every_demo_login_logs_in_with_the_demo_password(seeded):
    for username in LOGINS:
        assert Client().login(username=username, password=DEMO_PASSWORD), username
    ordinary = Employee.objects.filter(leave_date__isnull=True, role_grants__isnull=True).first()
    assert ordinary.user.username == ordinary.employee_no
    assert Client().login(username=ordinary.employee_no, password=DEMO_PASSWORD)
    assert not Client().login(username="hq", password="wrong-password")


def test_superuser_has_no_employee_record(seeded):
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser
    assert admin.is_staff
    assert not Employee.objects.filter(user=admin).exists()
    assert not get_user_model().objects.filter(is_superuser=True).exclude(pk=admin.pk).exists()


def test_a_leaver_cannot_log_in(seeded):
    leaver = Employee.objects.filter(leave_date__isnull=False).first()
    assert leaver.has_left()
    assert not Client().login(username=leaver.user.username, password=DEMO_PASSWORD)


def test_demo_logins_hold_their_roles(seeded):
    users = {u.username: u for u in get_user_model().objects.filter(username__in=LOGINS)}
    for username in ("hq", "hq2"):
        assert is_hq_admin(users[username])
        assert users[username].employee.branch.is_hq
    assert access_for(users["lead"]).roles == {Role.TRAINING_LEAD}
    manager = access_for(users["manager"])
    assert manager.managed_branch_ids == {Branch.objects.get(code="SH01").pk}
    manager2 = access_for(users["manager2"])
    assert manager2.managed_branch_ids == set(
        Branch.objects.filter(code__in=["HZ01", "NJ01"]).values_list("pk", flat=True)
    )
    trainer = users["trainer"]
    assert access_for(trainer).roles == {Role.TRAINER}
    assert trainer.employee.branch.code == "SH01"
    assert can_use_cms(trainer)
    assert trainer.has_perm("wagtailadmin.access_admin")
    learner = users["learner"]
    assert home_kind(learner) == "learner"
    assert learner.employee.branch.code == "SH01"
    assert learner.employee.position_category == PositionCategory.NEW_HIRE


def test_role_grants_carry_group_membership_and_audit(seeded):
    for grant in RoleGrant.objects.select_related("employee__user"):
        assert grant.employee.user.groups.filter(pk=role_group(grant.role).pk).exists()
    members = get_user_model().groups.through.objects.count()
    assert members == RoleGrant.objects.values("employee", "role").distinct().count()
    granted = AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_GRANTED)
    assert granted.count() == RoleGrant.objects.count()


def test_output_lists_every_login(seeded):
    assert "Seeded the demo company" in seeded
    assert LOGINS_HEADING in seeded
    lines = seeded.splitlines()
    for username in LOGINS:
        assert any(f" {username} " in line for line in lines), username
    manager2 = next(line for line in lines if " manager2 " in line)
    assert "杭州分部" in manager2
    assert "南京分部" in manager2


def test_quiet_run_prints_nothing(db):
    out = StringIO()
    call_command("seed_demo", seed=1, verbosity=0, stdout=out)
    assert out.getvalue() == ""
    assert Employee.objects.count() == 400


@pytest.mark.parametrize(
    ("today", "first", "last"),
    [
        (dt.date(2026, 1, 1), dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        (dt.date(2026, 3, 31), dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        (dt.date(2026, 4, 1), dt.date(2025, 4, 1), dt.date(2026, 3, 31)),
    ],
)
def test_last_quarters_are_complete_calendar_quarters(today, first, last):
    quarters = last_quarters(today)
    assert len(quarters) == 4
    assert quarters[0][0] == first
    assert quarters[-1][1] == last
