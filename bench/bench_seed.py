#!/usr/bin/env python
"""How long ``manage.py seed_demo`` takes, and what it builds.

    .venv/bin/python bench/bench_seed.py [--scale small|large] [--seed N]

Uses a fresh SQLite file in a temporary directory unless DATABASE_URL is set (then that
database must be empty: the seed refuses to mix companies). Runs ``migrate``, then the seed,
then the seed again (the re-run must add nothing), and prints wall times and row counts.
"""

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["small", "large"], default="large")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    scratch = None
    if not os.environ.get("DATABASE_URL"):
        scratch = tempfile.TemporaryDirectory(prefix="lectern-bench-seed-")
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch.name}/bench.sqlite3"
        os.environ.setdefault("LECTERN_VAR_DIR", scratch.name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.dev")
    os.environ.setdefault("DEBUG", "0")  # no query log kept in memory
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    vendor = connection.vendor
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    call_command("seed_demo", seed=args.seed, scale=args.scale, stdout=io.StringIO())
    seeded = time.perf_counter()
    user_model = get_user_model()
    before_rerun = row_counts(user_model)
    rerun_started = time.perf_counter()
    call_command("seed_demo", seed=args.seed, scale=args.scale, stdout=io.StringIO())
    rerun = time.perf_counter()
    counts = row_counts(user_model)

    print(f"seed_demo --scale {args.scale} --seed {args.seed} on {vendor} ({os.cpu_count()} cpus)")
    print(f"  migrate        {migrated - started:7.1f} s")
    print(f"  seed           {seeded - migrated:7.1f} s")
    print(f"  re-run (no-op) {rerun - rerun_started:7.1f} s")
    for kind, count in counts.items():
        print(f"  {kind:<18} {count:>8,}")
    if counts != before_rerun:
        print("  ERROR: the re-run added rows")
        return 1
    if scratch is not None:
        connection.close()
        scratch.cleanup()
    return 0


def row_counts(user_model) -> dict[str, int]:
    from hub.organisation.models import (
        AuditEvent,
        Branch,
        Employee,
        PerformanceGrade,
        Region,
        RoleGrant,
        Team,
    )

    return {
        "regions": Region.objects.count(),
        "branches": Branch.objects.count(),
        "teams": Team.objects.count(),
        "users": user_model.objects.count(),
        "employees": Employee.objects.count(),
        "performance grades": PerformanceGrade.objects.count(),
        "role grants": RoleGrant.objects.count(),
        "group memberships": user_model.groups.through.objects.count(),
        "audit events": AuditEvent.objects.count(),
    }


if __name__ == "__main__":
    sys.exit(main())
