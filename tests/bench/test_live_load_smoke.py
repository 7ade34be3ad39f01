"""A quick run of ``bench/live_load.py`` (20 learners, a few seconds, in-memory layer, on the
test database): the benchmark must work end to end and its figures must add up, or the
figures in the README mean nothing. Each test takes about 15 s on an idle machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent
CLIENTS = 20
DURATION = 4
ASK_RATE = 1.0  # 4 questions in all; 3 a minute per learner, under the limit of 5
VOTE_RATE = 2.0


def database_url() -> str:
    """A DATABASE_URL that makes the benchmark (and its daphne) open the test database."""
    database = connection.settings_dict
    name = str(database["NAME"])
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(name).resolve()}"
    credentials = quote(database["USER"] or "", safe="")
    if database.get("PASSWORD"):
        credentials += ":" + quote(database["PASSWORD"], safe="")
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"postgres://{credentials}@{database.get('HOST') or ''}{port}/{quote(name, safe='')}"


def run_bench(tmp_path: Path, *extra: str, database: str | None = None) -> list[dict]:
    out = tmp_path / "figures.json"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(DJANGO_SETTINGS_MODULE="hub.settings.dev", LECTERN_VAR_DIR=str(tmp_path))
    if database:
        env["DATABASE_URL"] = database
    completed = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "live_load.py"),
            f"--clients={CLIENTS}",
            f"--duration={DURATION}",
            f"--ask-rate={ASK_RATE}",
            f"--vote-rate={VOTE_RATE}",
            "--drain=5",
            f"--json={out}",
            *extra,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "connect-all s" in completed.stdout  # the table was printed
    return json.loads(out.read_text())


def check_common(figures: dict) -> None:
    assert figures["joined"] == CLIENTS
    assert figures["join_failures"] == 0
    assert 0 < figures["connect_all_s"] < 15
    assert figures["errors"] == {}
    assert figures["closes"] == {}
    asks = figures["sent"]["question.ask"]
    assert asks == pytest.approx(ASK_RATE * DURATION, abs=1)
    # every question reached every client, and its latency was measured there
    assert figures["latency_samples"] == figures["latency_expected"] == asks * CLIENTS
    assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"] <= figures["max_ms"]
    assert figures["p99_ms"] < 5000
    assert figures["missing"] == 0
    assert figures["delivered"] >= asks * CLIENTS
    assert figures["delivered_per_s"] > 0
    assert figures["cpu_load_s"] > 0
    assert figures["cpu_us_per_event"] > 0
    assert figures["peak_rss_mb"] > 20


@pytest.mark.bench
def test_bare_consumer_echoes_every_message_to_everyone(tmp_path):
    (bare,) = run_bench(tmp_path, "--bare-only")
    check_common(bare)
    assert bare["mode"] == "bare"
    echoed = bare["sent"]["question.ask"] + bare["sent"]["question.upvote"]
    assert bare["delivered"] == bare["expected"] == echoed * CLIENTS
    assert bare["pongs"] == bare["sent"].get("heartbeat", 0)  # heartbeats are not broadcast


@pytest.mark.bench
def test_live_server_delivers_every_event_in_order(tmp_path, transactional_db):
    # The benchmark and its daphne write into the (already migrated) test database;
    # transactional_db empties it afterwards.
    (ours,) = run_bench(tmp_path, "--ours-only", database=database_url())
    check_common(ours)
    assert ours["mode"] == "ours"
    assert ours["event_types"]["question.asked"] == ours["sent"]["question.ask"] * CLIENTS
    assert ours["open_gaps"] == 0
    assert ours["gaps"] == ours["recoveries"] or ours["gaps"] == 0
    assert ours["acks"] >= ours["sent"]["question.ask"]  # every question was acknowledged
    assert ours["pongs"] == ours["sent"].get("heartbeat", 0)
    # every join opened an attendance interval (written in batches)
    assert ours["attendance_writes_total"] >= CLIENTS
    assert ours["sent"]["question.upvote"] >= VOTE_RATE * DURATION - 1
