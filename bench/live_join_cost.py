#!/usr/bin/env python
"""What one learner's join of a live room costs the server, step by step (median CPU and wall ms).

    .venv/bin/python bench/live_join_cost.py [--joins 200]

Runs the synchronous steps of a WebSocket join in this process, as daphne's database thread
runs them one join after another: opening a database connection (Django closes it after
every ``database_sync_to_async`` call unless CONN_MAX_AGE is set), loading the session and
the user (channels' AuthMiddleware), admission and the personal part of the snapshot
(``live.consumers._admit``). Uses the database of ``bench/live_load.py`` (a new session
with N learners each run).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.dev")
os.environ["DEBUG"] = "0"
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench' / 'live.sqlite3'}"

import django  # noqa: E402

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY, load_backend  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from live import selectors, snapshot  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
import live_data  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--joins", type=int, default=200)
    args = parser.parse_args()
    call_command("migrate", verbosity=0, interactive=False)
    session, keys = live_data.prepare(args.joins)
    steps: dict[str, list[float]] = {}

    walls: dict[str, list[float]] = {}

    def timed(name, call):
        started, wall = time.thread_time(), time.perf_counter()
        result = call()
        steps.setdefault(name, []).append((time.thread_time() - started) * 1000)
        walls.setdefault(name, []).append((time.perf_counter() - wall) * 1000)
        return result

    admitted_count = 0
    for key in keys:
        connection.close()
        timed("open database connection", connection.ensure_connection)
        store = SessionStore(key)
        data = timed("load session (auth)", store.load)
        if SESSION_KEY not in data:
            continue
        backend = load_backend(data[BACKEND_SESSION_KEY])
        user = timed("load user (auth)", lambda b=backend, d=data: b.get_user(d[SESSION_KEY]))
        admitted = timed("admission", lambda u=user: selectors.admission(u, session.pk))
        if isinstance(admitted, selectors.Refusal):
            continue
        admitted_count += 1
        timed("me_state", lambda a=admitted: selectors.me_state(a))
    timed(
        "snapshot_parts (shared, once per 200 events)", lambda: snapshot.snapshot_parts(session.pk)
    )
    live_data.end(session)
    print(f"{admitted_count} joins of session {session.pk} on {connection.vendor}, median ms:")
    print(f"  {'step':<46} {'CPU':>7} {'wall':>7}")
    total = total_wall = 0.0
    for name, values in steps.items():
        cpu, wall = statistics.median(values), statistics.median(walls[name])
        if not name.startswith("snapshot"):
            total, total_wall = total + cpu, total_wall + wall
        print(f"  {name:<46} {cpu:7.2f} {wall:7.2f}")
    print(f"  {'per join (without the shared snapshot)':<46} {total:7.2f} {total_wall:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
