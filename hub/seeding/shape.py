"""The demo company's fixed shape: scales, regions, cities, teams, titles, odds, and the
plan's data classes. Everything here is data; ``plan`` decides, ``write`` stores."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from hub.organisation.models import PositionCategory, Role

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
BRANCH_TEAMS = ["门店销售一组", "企业团购组", "顾客服务组"]
OPTIONAL_TEAMS = ["门店销售二组", "门店运营组"]
_RETAIL = (("见习导购",), ("导购", "陈列专员"), ("资深导购",), ("门店主管",))
# team → (new-hire, backbone, senior backbone (a core role), manager) job titles
TEAM_TITLES = {
    "门店销售一组": _RETAIL,
    "门店销售二组": _RETAIL,
    "企业团购组": (("团购助理",), ("团购顾问",), ("资深团购顾问",), ("团购业务主管",)),
    "顾客服务组": (
        ("见习客服专员",),
        ("客服专员", "投诉处理专员"),
        ("资深客服专员",),
        ("客服主管",),
    ),
    "门店运营组": (("见习收银员",), ("收银员", "库存专员"), ("资深收银员",), ("运营主管",)),
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
class FixedPerson:
    """A person the plan places on purpose: a well-known login or a branch manager."""

    login: str | None
    role: str | None
    team: str | None
    title: str
    category: str
    hired_days_ago: tuple[int, int]


MANAGER, BACKBONE, NEW_HIRE = (
    PositionCategory.MANAGER,
    PositionCategory.BACKBONE,
    PositionCategory.NEW_HIRE,
)
HQ_FIXED = [
    FixedPerson("hq", Role.HQ_ADMIN, "培训发展部", "培训经理", MANAGER, (1500, 3000)),
    FixedPerson("hq2", Role.HQ_ADMIN, "培训发展部", "培训专员", BACKBONE, (400, 1200)),
    FixedPerson("lead", Role.TRAINING_LEAD, "培训发展部", "内训师认证主管", MANAGER, (2000, 3500)),
]
TRAINER_FIXED = FixedPerson(
    "trainer", Role.TRAINER, "门店销售一组", "资深导购", BACKBONE, (900, 2200)
)
LEARNER_FIXED = FixedPerson("learner", None, "门店销售一组", "见习导购", NEW_HIRE, (30, 150))


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
