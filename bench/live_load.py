#!/usr/bin/env python
"""Live sessions under load: N learners in one session over real WebSockets to daphne.

    .venv/bin/python bench/live_load.py [--clients 300] [--duration 30] [--ask-rate 2]
        [--vote-rate 20] [--layer memory|redis] [--processes 1|2] [--bare-only|--ours-only]
        [--prefill-questions 300 --question-chars 500]
        [--profile var/bench/daphne.prof] [--json out.json]

Runs the load twice, against the real server (``hub.asgi``) and against the naive ceiling
(``bench/bare_asgi.py``: one group_send per received message, nothing else), and prints
both and ours as a ratio of the bare one. N clients log in as enrolled learners, join, then
for ``--duration`` seconds a share of them ask questions and upvote at the given total rates
while everyone sends a heartbeat every 20 s. Figures: time until all N had joined (their
snapshot arrived; logins are written to the session table beforehand, so this is the
WebSocket join and not the password check), broadcast latency of ``question.asked`` from
send to receipt at every client, events delivered per second, gaps and recoveries, errors,
attendance writes per second, daphne's CPU seconds and peak RSS, and the size of the join
snapshots. ``--prefill-questions`` fills the room with that many questions of
``--question-chars`` characters (Chinese, 3 bytes each in UTF-8) before anyone joins: a big
room, whose snapshot carries only its newest and top questions (``live.paging``).

Database: DATABASE_URL when set (PostgreSQL, say), else var/bench/live.sqlite3 (migrated and
filled on first use; delete it when migrations were squashed). ``--layer redis`` uses
REDIS_URL (default redis://127.0.0.1:6379/0) with a fresh channel prefix per run; with
``--processes 2`` the clients are split between two daphne. Clients run in one process per
500 (``--client-procs``) and retry a dropped join with backoff, as the page does.
``--profile`` runs daphne under cProfile in every thread (``bench/profile_daphne.py``).
Everything goes to 127.0.0.1 and every run ends on its own.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_BIN = Path(sys.executable).parent
START_TIMEOUT = 30.0
MAX_CLIENTS = 5000
MAX_DURATION = 600.0


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load")
    parser.add_argument("--drain", type=float, default=20.0, help="max seconds to catch up")
    parser.add_argument("--ask-rate", type=float, default=2.0, help="questions/s in total")
    parser.add_argument("--vote-rate", type=float, default=20.0, help="upvotes/s in total")
    parser.add_argument("--layer", choices=["memory", "redis"], default="memory")
    parser.add_argument("--processes", type=int, choices=[1, 2], default=1)
    parser.add_argument("--client-procs", type=int, default=0, help="0: 1 per 500 clients")
    parser.add_argument(
        "--connect-concurrency", type=int, default=50, help="handshakes in flight, in all"
    )
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--bare-only", action="store_true")
    only.add_argument("--ours-only", action="store_true")
    parser.add_argument(
        "--prefill-questions", type=int, default=0, help="questions in the room beforehand"
    )
    parser.add_argument("--question-chars", type=int, default=500, help="their length")
    parser.add_argument("--profile", help="cProfile daphne (ours) into this file")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= MAX_CLIENTS or not 0 < args.duration <= MAX_DURATION:
        parser.error(f"1-{MAX_CLIENTS} clients and a duration of up to {MAX_DURATION:.0f} s")
    if args.layer == "memory" and args.processes > 1:
        parser.error("the in-memory layer cannot span processes: use --layer redis")
    return args


def var_dir() -> Path:
    return Path(os.environ.get("LECTERN_VAR_DIR", ROOT / "var"))


def configure_environment(args) -> dict:
    """The environment daphne and this process share."""
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.dev")
    env["DEBUG"] = "0"  # no query log kept in memory
    (var_dir() / "bench").mkdir(parents=True, exist_ok=True)
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = f"sqlite:///{var_dir() / 'bench' / 'live.sqlite3'}"
    if args.layer == "redis":
        env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
        env["CHANNEL_LAYER_PREFIX"] = f"bench-{uuid.uuid4().hex[:8]}"
        env["CACHE_KEY_PREFIX"] = env["CHANNEL_LAYER_PREFIX"]
    else:
        env.pop("REDIS_URL", None)
    os.environ.update(env)
    for key in set(os.environ) - set(env):
        del os.environ[key]
    return env


# --- daphne ---------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """One daphne subprocess on a free loopback port."""

    def __init__(self, app: str, env: dict, log: Path, profile: str | None = None) -> None:
        self.port = free_port()
        command = [
            str(VENV_BIN / "daphne"),
            "-b",
            "127.0.0.1",
            "-p",
            str(self.port),
            app,
        ]
        if profile:
            command = [sys.executable, str(BENCH / "profile_daphne.py"), profile, *command[1:]]
        self.log = log
        with log.open("w") as out:
            self.process = subprocess.Popen(  # noqa: S603
                command,
                cwd=BENCH if app.startswith("bare_asgi") else ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"daphne exited:\n{log.read_text()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit(f"daphne did not listen within {START_TIMEOUT:.0f} s")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # lets cProfile write its file
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --- clients --------------------------------------------------------------------------------
def start_clients(args, servers: list[Server], session_id: int, cookies: list[str], mode: str):
    procs = args.client_procs or max(1, -(-args.clients // 500))
    shares: list[list[dict]] = [[] for _ in range(procs)]
    for i in range(args.clients):
        server = servers[i % len(servers)]
        origin = f"http://127.0.0.1:{server.port}"
        headers = {"Origin": origin}
        if cookies:
            headers["Cookie"] = f"sessionid={cookies[i]}"
        url = f"ws://127.0.0.1:{server.port}/ws/live/{session_id}/"
        shares[i % procs].append({"url": url, "headers": headers})
    workers = []
    for share in shares:
        worker = subprocess.Popen(  # noqa: S603
            [sys.executable, str(BENCH / "live_clients.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        config = {
            "mode": mode,
            "clients": share,
            "ask_rate": args.ask_rate * len(share) / args.clients,
            "vote_rate": args.vote_rate * len(share) / args.clients,
            "connect_concurrency": max(1, args.connect_concurrency // procs),
        }
        worker.stdin.write(json.dumps(config) + "\n")
        worker.stdin.flush()
        workers.append(worker)
    return workers


def read_line(worker: subprocess.Popen) -> dict:
    line = worker.stdout.readline()
    if not line:
        raise SystemExit(f"a client process died (exit {worker.wait()})")
    return json.loads(line)


def run(args, env: dict, mode: str, session, cookies: list[str]) -> dict:
    """One load against ``ours`` (hub.asgi) or ``bare`` (bench/bare_asgi.py)."""
    import live_data
    from live_report import summarise

    app = "hub.asgi:application" if mode == "ours" else "bare_asgi:application"
    logs = var_dir() / "bench"
    profile = args.profile if mode == "ours" else None
    servers = [
        Server(app, env, logs / f"daphne-{mode}-{i}.log", profile if i == 0 else None)
        for i in range(args.processes)
    ]
    workers = []
    counting = mode == "ours"
    m: dict = {}  # raw measures
    try:
        if counting:
            live_data.install_write_counter()
        m["writes_start"] = live_data.attendance_writes() if counting else {}
        m["cpu_start"] = sum(s.cpu_seconds() for s in servers)
        workers = start_clients(args, servers, session.pk if session else 1, cookies, mode)
        joined = [read_line(w) for w in workers]
        time.sleep(0.5)  # the server writes presence in batches: let the joins' batch land
        m["cpu_joined"] = sum(s.cpu_seconds() for s in servers)
        m["writes_joined"] = live_data.attendance_writes() if counting else {}
        go = time.time() + 0.5
        for worker in workers:
            worker.stdin.write(
                json.dumps({"go": go, "duration": args.duration, "drain": args.drain}) + "\n"
            )
            worker.stdin.flush()
        done = [read_line(w) for w in workers]
        m["elapsed"] = time.time() - go
        m["cpu_end"] = sum(s.cpu_seconds() for s in servers)
        time.sleep(1.0 if env["DATABASE_URL"].startswith("postgres") else 0)
        m["writes_end"] = live_data.attendance_writes() if counting else {}
        drained_at = min(d["drained_at"] for d in done)
        m["server_last_seq"] = live_data.last_seq(session, before=drained_at) if counting else None
        m["rss"] = max(s.peak_rss_mb() for s in servers)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
        for server in servers:
            server.stop()
        if counting:
            live_data.remove_write_counter()
    return summarise(args, mode, joined, done, m)


def main(argv=None) -> int:
    args = parse_args(argv)
    env = configure_environment(args)
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(BENCH))
    import django

    django.setup()
    import live_data
    from django.core.management import call_command
    from django.db import connection

    results = []
    session, cookies = None, []
    if not args.bare_only:
        call_command("migrate", verbosity=0, interactive=False)
        session, cookies = live_data.prepare(
            args.clients, prefill=args.prefill_questions, chars=args.question_chars
        )
        connection.close()  # daphne writes now; this process only reads counters
    print(
        f"{args.clients:,} clients, {args.duration:.0f} s at {args.ask_rate:g} questions/s and "
        f"{args.vote_rate:g} upvotes/s, {args.layer} layer, {args.processes} daphne, "
        f"{args.prefill_questions} questions of {args.question_chars} characters beforehand, "
        f"{connection.vendor}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    try:
        if not args.bare_only:
            results.append(run(args, env, "ours", session, cookies))
        if not args.ours_only:
            results.append(run(args, env, "bare", session, []))
    finally:
        if session is not None:
            live_data.end(session)
    from live_report import print_table

    print_table(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, ensure_ascii=False))
    if args.profile and not args.bare_only:
        import pstats

        print(f"\ndaphne profile ({args.profile}), top 30 by own time:")
        pstats.Stats(args.profile).sort_stats("tottime").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
