"""People directory and profile at benchmark scale (200 branches, 20,000 employees).

Usage: .venv/bin/python bench/bench_directory.py [--runs 20]

Uses DATABASE_URL when set (it must already hold `seed_demo --scale large`); otherwise builds
var/bench/large.sqlite3 once with `seed_demo --scale large` and reuses it. Prints the median
time and the query count of each page as the HQ admin and as a branch manager sees it.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.dev")
os.environ["DEBUG"] = "0"
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
if not os.environ.get("DATABASE_URL"):
    bench_db = ROOT / "var" / "bench" / "large.sqlite3"
    bench_db.parent.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{bench_db}"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from page_timing import measure  # noqa: E402

from hub.organisation.models import Employee  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if Employee.objects.count() < 20000:
        print("building the large demo company (seed_demo --scale large) …", flush=True)
        call_command("seed_demo", scale="large", seed=1, verbosity=0)
    total = Employee.objects.count()
    hq = Client()
    hq.force_login(Employee.objects.get(user__username="hq").user)
    manager = Client()
    manager.force_login(Employee.objects.get(user__username="manager").user)
    sample = Employee.objects.order_by("pk")[total // 2]
    surname = sample.name[0]
    pages = [
        ("HQ: directory, first page", hq, "/people/"),
        ("HQ: directory, page 400", hq, "/people/?page=400"),
        (f"HQ: search surname {surname}", hq, f"/people/?q={surname}"),
        ("HQ: search pinyin 'wang'", hq, "/people/?q=wang"),
        ("HQ: search employee number", hq, f"/people/?q={sample.employee_no}"),
        ("HQ: home (200 branches)", hq, "/"),
        ("HQ: employee profile", hq, f"/people/{sample.employee_no}/"),
        ("manager: directory", manager, "/people/"),
        ("manager: home", manager, "/"),
    ]
    print(f"{connection.vendor}, {total} employees, median of {args.runs} runs")
    print("| page | median ms | queries |\n|---|---|---|")
    for label, client, url in pages:
        ms, queries = measure(client, url, args.runs)
        print(f"| {label} | {ms:.1f} | {queries} |")


if __name__ == "__main__":
    main()
