"""Shared by the page benchmarks: the median time and query count of a GET."""

import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def measure(client: Client, url: str, runs: int) -> tuple[float, int]:
    """Median milliseconds over ``runs`` requests after one warm-up, and the queries of one."""
    client.get(url)  # warm up
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return statistics.median(times), len(queries)


def measure_p95(client: Client, url: str, runs: int) -> tuple[float, float, int]:
    """Median and 95th-percentile milliseconds over ``runs`` requests after one warm-up, and
    the queries of one (the reports' target is p95 ≤ 800 ms)."""
    client.get(url)  # warm up
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, len(queries)
