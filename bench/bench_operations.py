"""Training-operations pages at benchmark scale (200 branches, 20,000 employees, 50,000
sessions, about 1,000,000 enrolments and 1,000,000 attendance records).

Usage: .venv/bin/python bench/bench_operations.py [--runs 20]

Uses DATABASE_URL when set (it must already hold `seed_demo --scale large`); otherwise builds
var/bench/large.sqlite3 with `seed_demo --scale large` and reuses it (a file left by an older
seed without sessions is rebuilt). On PostgreSQL it runs ANALYZE first, as autovacuum would
in service. Prints the median time and the query count of each page as
the HQ admin, a branch manager, the busiest trainer and the busiest learner see it.
"""

import argparse
import os
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.dev")
os.environ["DEBUG"] = "0"
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
BENCH_DB = None
if not os.environ.get("DATABASE_URL"):
    BENCH_DB = ROOT / "var" / "bench" / "large.sqlite3"
    BENCH_DB.parent.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{BENCH_DB}"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from page_timing import measure  # noqa: E402

from hub.organisation.models import Employee  # noqa: E402
from hub.sessions.models import Enrolment, Session  # noqa: E402
from library.models.pages import CourseCategory  # noqa: E402


def has_large_seed() -> bool:
    return Employee.objects.count() >= 20000 and Session.objects.exists()


def ensure_seed() -> None:
    call_command("migrate", verbosity=0)
    if has_large_seed():
        return
    if BENCH_DB is None:
        raise SystemExit("DATABASE_URL must hold `seed_demo --scale large` (with sessions)")
    if Employee.objects.exists():
        # An older seed without sessions: the seed refuses to extend another seed's company.
        print("rebuilding var/bench/large.sqlite3 (it has no sessions) …", flush=True)
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            BENCH_DB.with_name(BENCH_DB.name + suffix).unlink(missing_ok=True)
        call_command("migrate", verbosity=0)
    print("building the large demo company (seed_demo --scale large) …", flush=True)
    call_command("seed_demo", scale="large", seed=1, verbosity=0)


def refresh_statistics() -> None:
    """PostgreSQL plans from table statistics, which autovacuum keeps fresh in service; a
    freshly bulk-seeded database (or a server with autovacuum off) has none, and PostgreSQL
    then mis-estimates a 1,000,000-row table by a factor of ten and scans it for a roster of
    forty. Measure the steady state. SQLite is left as Django leaves it (no ANALYZE)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def client_for(employee: Employee) -> Client:
    client = Client()
    client.force_login(employee.user)
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    ensure_seed()
    refresh_statistics()
    employees = Employee.objects.count()
    sessions = Session.objects.count()
    enrolments = Enrolment.objects.count()

    hq = client_for(Employee.objects.get(user__username="hq"))
    manager_emp = Employee.objects.select_related("branch").get(user__username="manager")
    manager = client_for(manager_emp)
    trainer_emp = (
        Employee.objects.annotate(taught=Count("sessions_taught"))
        .filter(taught__gt=0)
        .order_by("-taught", "pk")
        .first()
    )
    trainer = client_for(trainer_emp)
    learner_id = (
        Enrolment.objects.values("learner")
        .annotate(n=Count("pk"))
        .order_by("-n", "learner")
        .values_list("learner", flat=True)
        .first()
    )
    learner_emp = Employee.objects.get(pk=learner_id)
    learner = client_for(learner_emp)
    full_id = (
        Enrolment.objects.filter(status=Enrolment.Status.ENROLLED)
        .values("session")
        .annotate(n=Count("pk"))
        .order_by("-n", "session")
        .values_list("session", flat=True)
        .first()
    )
    full_session = Session.objects.get(pk=full_id)
    roster = full_session.enrolments.filter(status=Enrolment.Status.ENROLLED).count()
    full_trainer = client_for(full_session.trainers.order_by("pk").first())

    today = timezone.localdate()
    month_start = today.replace(day=1)
    month_end = (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    branch_code = manager_emp.branch.code
    taught = trainer_emp.sessions_taught.count()
    enrolled = learner_emp.enrolments.count()

    pages = [
        ("HQ: overview, first page", hq, "/overview/"),
        (f"HQ: overview, branch {branch_code}", hq, f"/overview/?branch={branch_code}"),
        (
            "HQ: overview, this month",
            hq,
            f"/overview/?start={month_start.isoformat()}&end={month_end.isoformat()}",
        ),
        (
            f"HQ: overview, category {CourseCategory.SPECIALISED.value}",
            hq,
            f"/overview/?category={CourseCategory.SPECIALISED.value}",
        ),
        (
            f"HQ: overview, mode {Session.Mode.IN_PERSON.value}",
            hq,
            f"/overview/?mode={Session.Mode.IN_PERSON.value}",
        ),
        ("HQ: sessions list", hq, "/sessions/"),
        ("HQ: plans list", hq, "/plans/"),
        ("HQ: needs list", hq, "/needs/"),
        ("manager: My branch", manager, "/branch/"),
        ("manager: needs list", manager, "/needs/"),
        (f"trainer: My teaching ({taught} sessions)", trainer, "/teaching/"),
        (f"learner: My learning ({enrolled} enrolments)", learner, "/learning/"),
        (
            f"trainer: session detail ({roster} enrolled)",
            full_trainer,
            f"/sessions/{full_session.pk}/",
        ),
        ("learner: assignments", learner, "/assignments/"),
        ("HQ: nominations", hq, "/nominations/"),
        ("HQ: mentoring pairs", hq, "/mentoring/pairs/"),
    ]
    print(
        f"{connection.vendor}, {employees} employees, {sessions} sessions, "
        f"{enrolments} enrolments, median of {args.runs} runs"
    )
    print("| page | median ms | queries |\n|---|---|---|")
    for label, client, url in pages:
        ms, queries = measure(client, url, args.runs)
        print(f"| {label} | {ms:.1f} | {queries} |", flush=True)


if __name__ == "__main__":
    main()
