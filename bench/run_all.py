"""Run every benchmark script in bench/ one after the other (each in its own process, each with
its own scratch database) and print their figures. `make bench` calls this."""

import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SCRIPTS = [
    "bench_seed.py",
    "bench_import.py",
    "bench_directory.py",
    "bench_search.py",
    "bench_operations.py",
    "bench_reports.py",
    "live_load.py",
]


def main() -> int:
    failed = 0
    for script in SCRIPTS:
        print(f"\n## {script}", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(BENCH / script)], check=False)  # noqa: S603
        print(f"({script}: {time.perf_counter() - started:.1f} s, exit {result.returncode})")
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
