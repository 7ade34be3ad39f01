"""factory_boy factories for the organisation; each test builds the data it depends on."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from hub.organisation.models import (
    Branch,
    Employee,
    PerformanceGrade,
    PositionCategory,
    Region,
    Role,
    RoleGrant,
    Team,
)

PASSWORD = "lectern-test-pass"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n:05d}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"R{n:02d}")
    name = factory.Sequence(lambda n: f"区域{n}")


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"B{n:03d}")
    name = factory.Sequence(lambda n: f"第{n}分部")
    region = factory.SubFactory(RegionFactory)
    is_hq = False


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    branch = factory.SubFactory(BranchFactory)
    name = factory.Sequence(lambda n: f"团队{n}")


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    employee_no = factory.Sequence(lambda n: f"E{n:06d}")
    user = factory.SubFactory(UserFactory, username=factory.SelfAttribute("..employee_no"))
    name = factory.Faker("name", locale="zh_CN")
    branch = factory.SubFactory(BranchFactory)
    job_title = "客户经理"
    position_category = PositionCategory.BACKBONE
    hire_date = dt.date(2022, 3, 1)


class PerformanceGradeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PerformanceGrade

    employee = factory.SubFactory(EmployeeFactory)
    period_start = dt.date(2026, 1, 1)
    period_end = dt.date(2026, 3, 31)
    grade = "B"


def grant(employee: Employee, role: str, branch: Branch | None = None) -> RoleGrant:
    """Give a role directly, group included (tests of the role service use the service)."""
    from hub.organisation.services import role_group

    employee.user.groups.add(role_group(role))
    return RoleGrant.objects.create(employee=employee, role=role, branch=branch)


def make_manager(branch: Branch, **kwargs) -> Employee:
    manager = EmployeeFactory(branch=branch, position_category=PositionCategory.MANAGER, **kwargs)
    grant(manager, Role.BRANCH_MANAGER, branch)
    return manager


def make_hq_admin(**kwargs) -> Employee:
    hq = BranchFactory(code="HQ", name="总部", is_hq=True)
    admin = EmployeeFactory(branch=hq, **kwargs)
    grant(admin, Role.HQ_ADMIN)
    return admin


# --- training sessions (hub.sessions) ------------------------------------------------------


class SessionFactory(factory.django.DjangoModelFactory):
    """A scheduled in-person session a week ahead, open company-wide; pass ``trainers=[...]``."""

    class Meta:
        model = "hub.Session"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"交叉销售技巧第{n}期")
    mode = "in_person"
    starts_at = factory.LazyFunction(
        lambda: (dt.datetime.now(dt.UTC) + dt.timedelta(days=7)).replace(microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=1))
    capacity = 10
    location = "三楼培训室"
    branch = None
    status = "scheduled"
    # An ended session delivered its scheduled duration unless a test says otherwise.
    delivered_minutes = factory.LazyAttribute(
        lambda o: (
            int((o.ends_at - o.starts_at).total_seconds() // 60) if o.status == "ended" else None
        )
    )

    @factory.post_generation
    def trainers(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.trainers.set(extracted)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "hub.Enrolment"

    session = factory.SubFactory(SessionFactory)
    learner = factory.SubFactory(EmployeeFactory)
    status = "enrolled"
