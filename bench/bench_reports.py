"""Effectiveness reports at benchmark scale (the large seed: 200 branches, 20,000 employees,
50,000 ended sessions with their surveys and responses, monthly outcome-metric values).

Usage: .venv/bin/python bench/bench_reports.py [--runs 20]

Uses DATABASE_URL when set (it must hold `seed_demo --scale large`); otherwise the SQLite file
of bench_operations.py. Runs the seed once more first (it only adds what is missing, e.g. the
surveys of a seed made before them) and ANALYZE on PostgreSQL. Prints the median and p95 time
and the query count of each report page and export as HQ, a branch manager and the busiest
trainer see them. The target (issue 12): p95 ≤ 800 ms on PostgreSQL, queries independent of
data size.
"""

import argparse

from bench_operations import client_for, ensure_seed, refresh_statistics
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from page_timing import measure_p95

from evaluation.models import SurveyResponse
from hub.organisation.models import Employee
from hub.sessions.models import Session


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    ensure_seed()
    call_command("seed_demo", scale="large", seed=1, verbosity=0)
    refresh_statistics()

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
    busiest = (
        SurveyResponse.objects.values("survey__session")
        .annotate(n=Count("pk"))
        .order_by("-n", "survey__session")
        .first()
    )
    session = Session.objects.get(pk=busiest["survey__session"])
    course_id = (
        Session.objects.exclude(course=None)
        .values("course")
        .annotate(n=Count("pk"))
        .order_by("-n", "course")
        .values_list("course", flat=True)
        .first()
    )
    course_sessions = Session.objects.filter(course_id=course_id).count()
    branch = manager_emp.branch
    year = session.starts_at.year

    pages = [
        ("HQ: reports index", hq, "/reports/"),
        ("HQ: overview, this quarter", hq, "/reports/overview/"),
        (f"HQ: overview, {year}", hq, f"/reports/overview/?period={year}"),
        ("HQ: overview, export xlsx", hq, "/reports/overview/?export=xlsx"),
        (f"manager: branch {branch.code}", manager, f"/reports/branches/{branch.pk}/"),
        ("manager: branch export xlsx", manager, f"/reports/branches/{branch.pk}/?export=xlsx"),
        (f"HQ: session ({busiest['n']} responses)", hq, f"/reports/sessions/{session.pk}/"),
        ("HQ: session export csv", hq, f"/reports/sessions/{session.pk}/?export=csv"),
        (f"HQ: course ({course_sessions} sessions)", hq, f"/reports/courses/{course_id}/"),
        ("HQ: course export xlsx", hq, f"/reports/courses/{course_id}/?export=xlsx"),
        (
            f"trainer: own report, {year} ({trainer_emp.taught} sessions in all)",
            trainer,
            f"/reports/trainers/{trainer_emp.pk}/?period={year}",
        ),
        ("HQ: trainer report, this quarter", hq, f"/reports/trainers/{trainer_emp.pk}/"),
    ]
    print(
        f"{connection.vendor}, {Employee.objects.count()} employees, "
        f"{Session.objects.count()} sessions, {SurveyResponse.objects.count()} survey "
        f"responses; {args.runs} runs each"
    )
    print("| page | median ms | p95 ms | queries |\n|---|---|---|---|")
    for label, client, url in pages:
        median, p95, queries = measure_p95(client, url, args.runs)
        print(f"| {label} | {median:.1f} | {p95:.1f} | {queries} |", flush=True)


if __name__ == "__main__":
    main()
