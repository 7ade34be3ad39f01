"""HR import at benchmark scale: a 20,000-row employee CSV over 200 branches.

Usage: .venv/bin/python bench/bench_import.py [--rows 20000] [--branches 200] [--keep]

Uses DATABASE_URL when set (the import then writes into that database: employees numbered
BENCH…); otherwise creates a fresh temporary SQLite database, migrates it and deletes it at
the end. Times the dry run (read + validate) and the apply of the first import, of a
re-import of the same file (must change nothing) and of a file where 10 % of the rows change.
"""

import argparse
import csv
import io
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.dev")
os.environ["DEBUG"] = "0"
TEMP_DIR = None
if not os.environ.get("DATABASE_URL"):
    TEMP_DIR = Path(tempfile.mkdtemp(prefix="lectern-bench-import-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{TEMP_DIR / 'bench.sqlite3'}"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from hub.organisation.imports.apply import plan_apply  # noqa: E402
from hub.organisation.imports.validation import plan_file  # noqa: E402
from hub.organisation.models import Branch, Employee, Region  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉飞雪琳晨宇浩然思雨"
CATEGORIES = ["新员工", "业务骨干", "管理者"]
HEADER = ["工号", "姓名", "分部编码", "团队", "职位", "岗位类别", "核心岗位", "入职日期", "邮箱"]


def make_branches(count: int) -> list[str]:
    regions = [Region.objects.get_or_create(code=f"BR{n}", name=f"区域{n}")[0] for n in range(10)]
    codes = [f"BB{n:03d}" for n in range(count)]
    Branch.objects.bulk_create(
        [
            Branch(code=code, name=f"分部{code}", region=regions[n % 10])
            for n, code in enumerate(codes)
        ],
        ignore_conflicts=True,
    )
    return codes


def make_csv(rows: int, branch_codes: list[str], *, seed: int, changed_share: float = 0.0) -> bytes:
    rng = random.Random(seed)
    change_rng = random.Random(seed + 1)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for n in range(rows):
        branch = branch_codes[n % len(branch_codes)]
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", *GIVEN])
        title = rng.choice(["客户经理", "柜员", "店长", "理财顾问", "销售代表"])
        if changed_share and change_rng.random() < changed_share:
            title = "高级" + title
        writer.writerow(
            [
                f"BENCH{n:06d}",
                name,
                branch,
                f"{rng.randint(1, 5)}组",
                title,
                rng.choice(CATEGORIES),
                rng.choice(["是", "否"]),
                f"{rng.randint(2010, 2025)}/{rng.randint(1, 12)}/{rng.randint(1, 28)}",
                f"bench{n}@example.com",
            ]
        )
    return buffer.getvalue().encode("gb18030")  # as Excel in China saves it


def run(label: str, data: bytes, progress_log: list) -> dict:
    def progress(done: int, total: int) -> None:
        progress_log.append(done)

    start = time.perf_counter()
    plan = plan_file(data=data, file_name=f"{label}.csv", max_rows=100_000, progress=progress)
    validated = time.perf_counter()
    if plan.errors:
        sys.exit("\n".join(error.as_text() for error in plan.errors[:20]))
    plan_apply(plan=plan, actor=None)
    applied = time.perf_counter()
    counts = plan.counts()["employees"]
    print(
        f"{label:<22} validate {validated - start:6.2f} s   apply {applied - validated:6.2f} s   "
        f"total {applied - start:6.2f} s   employees: {counts['create']} new, "
        f"{counts['update']} updated, {counts['unchanged']} unchanged",
        flush=True,
    )
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--branches", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    args = parser.parse_args()
    try:
        call_command("migrate", verbosity=0)
        codes = make_branches(args.branches)
        data = make_csv(args.rows, codes, seed=1)
        print(
            f"{connection.vendor}: {args.rows} rows over {args.branches} branches, "
            f"{len(data) / 1024:.0f} KiB GB18030 CSV",
            flush=True,
        )
        ticks: list[int] = []
        run("first import", data, ticks)
        again = run("re-import (same file)", data, [])
        if again["create"] or again["update"]:
            sys.exit(f"re-import is not idempotent: {again}")
        changed_file = make_csv(args.rows, codes, seed=1, changed_share=0.1)
        changed = run("10 % of rows changed", changed_file, [])
        if changed["create"] or not changed["update"]:
            sys.exit(f"unexpected counts for the changed file: {changed}")
        stored = Employee.objects.filter(employee_no__startswith="BENCH").count()
        print(f"progress reports during the first dry run: {len(ticks)}")
        print(f"employees in the database: {stored}")
    finally:
        if TEMP_DIR is not None and not args.keep:
            connection.close()
            shutil.rmtree(TEMP_DIR, ignore_errors=True)
        elif TEMP_DIR is not None:
            print(f"database kept in {TEMP_DIR}")


if __name__ == "__main__":
    main()
