"""The demo company: a deterministic Chinese organisation for demos, screenshots and benchmarks.

``plan.demo_plan`` decides everything in memory from a seed; ``write.demo_seed`` writes the
plan with bulk inserts, adding only rows whose natural key (region or branch code, (branch,
team name), username, employee number, (employee, period start), (employee, role, branch)) is
missing: a re-run adds nothing, and later issues can add steps that behave the same way.
``shape`` holds the fixed data: scales, cities, teams, titles and odds.
"""

from hub.seeding.plan import demo_plan, last_quarters
from hub.seeding.shape import (
    DEMO_PASSWORD,
    LARGE,
    MSG_CONFLICT,
    ROLE_LABELS,
    SCALES,
    SMALL,
    DemoLogin,
    DemoPlan,
    SeedConflict,
    SeedResult,
    SeedScale,
)
from hub.seeding.write import demo_seed

__all__ = [
    "DEMO_PASSWORD",
    "LARGE",
    "MSG_CONFLICT",
    "ROLE_LABELS",
    "SCALES",
    "SMALL",
    "DemoLogin",
    "DemoPlan",
    "SeedConflict",
    "SeedResult",
    "SeedScale",
    "demo_plan",
    "demo_seed",
    "last_quarters",
]
