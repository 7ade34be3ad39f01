"""Figures of ``bench/live_load.py``: the raw measures of one run summed up over the client
processes, and the table printed at the end."""

from __future__ import annotations

import os
import statistics


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def summarise(args, mode: str, joined: list[dict], done: list[dict], m: dict) -> dict:
    elapsed = m["elapsed"]
    latencies = sorted(x for d in done for x in d["latencies_ms"])
    delivered = sum(d["delivered"] for d in done)
    in_window = sum(d["delivered_in_window"] for d in done)
    # The server's last committed event (ours); else the newest any client saw.
    max_seq = m.get("server_last_seq") or max((d["max_seq"] for d in done), default=0)
    behind = sum(max_seq - s for d in done for s in d["last_seqs"])
    sent = {}
    for d in done:
        for kind, n in d["sent"].items():
            sent[kind] = sent.get(kind, 0) + n
    errors, closes = {}, {}
    for d in done:
        for code, n in d["errors"].items():
            errors[code] = errors.get(code, 0) + n
        for code, n in d["closes"].items():
            closes[code] = closes.get(code, 0) + n
    n_joined = sum(j["joined"] for j in joined)
    snapshot_bytes = sorted(x for d in done for x in d.get("snapshot_bytes", []))
    asks = sent.get("question.ask", 0)
    if mode == "bare":  # every message but a heartbeat is echoed to everybody
        expected = (asks + sent.get("question.upvote", 0)) * n_joined
    else:
        expected = delivered + behind
    written = sum(m["writes_end"].values()) - sum(m["writes_joined"].values())
    cpu_load = m["cpu_end"] - m["cpu_joined"]
    return {
        "mode": mode,
        "layer": args.layer,
        "processes": args.processes,
        "clients": args.clients,
        "joined": n_joined,
        "join_failures": sum(j["failed"] for j in joined),
        "join_retries": sum(j["retries"] for j in joined),
        "join_failure_kinds": [f for j in joined for f in j["failures"]],
        "connect_all_s": max(j["finished"] for j in joined) - min(j["started"] for j in joined),
        "join_p95_s": percentile(sorted(x for j in joined for x in j["join_s"]), 95),
        "snapshot_kb_p50": (percentile(snapshot_bytes, 50) or 0) / 1024 or None,
        "snapshot_kb_max": snapshot_bytes[-1] / 1024 if snapshot_bytes else None,
        "snapshot_mb_sent": sum(snapshot_bytes) / 2**20,
        "latency_samples": len(latencies),
        "latency_expected": asks * n_joined,
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "p99_ms": percentile(latencies, 99),
        "max_ms": latencies[-1] if latencies else None,
        "delivered": delivered,
        "delivered_per_s": in_window / args.duration,
        "expected": expected,
        "missing": max(0, expected - delivered),
        "frames_per_s": sum(d["frames"] for d in done) / elapsed,
        "gaps": sum(d["gaps"] for d in done),
        "resumes_sent": sum(d["resumes_sent"] for d in done),
        "recoveries": sum(d["recoveries"] for d in done),
        "open_gaps": sum(d["still_open_gaps"] for d in done),
        "unanswered": sum(d["unanswered"] for d in done),
        "errors": errors,
        "closes": closes,
        "sent": sent,
        "acks": sum(sum(d["acks"].values()) for d in done),
        "pongs": sum(d["pongs"] for d in done),
        "event_types": {
            k: sum(d["event_types"].get(k, 0) for d in done)
            for k in {k for d in done for k in d["event_types"]}
        },
        "attendance_writes_total": (
            sum(m["writes_end"].values()) - sum(m["writes_start"].values())
        ),
        "attendance_writes": written,
        "attendance_writes_per_s": written / elapsed,
        "cpu_join_s": m["cpu_joined"] - m["cpu_start"],
        "cpu_load_s": cpu_load,
        "cpu_us_per_event": cpu_load / delivered * 1e6 if delivered else None,
        "peak_rss_mb": m["rss"],
        "server_cpu_share": cpu_load / elapsed,
        "load_average": os.getloadavg()[0],
        "client_cpu_share": max(d["cpu_s"] for d in done) / elapsed,
        "elapsed_s": elapsed,
    }


def fmt(value, spec: str = ",.0f") -> str:
    return "-" if value is None else format(value, spec)


def print_table(results: list[dict]) -> None:
    head = (
        "server",
        "layer",
        "procs",
        "N",
        "connect-all s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "delivered/s",
        "missing",
        "gaps",
        "recov.",
        "errors",
        "att. writes/s",
        "CPU s",
        "CPU µs/event",
        "peak RSS MB",
    )
    rows = [head]
    for r in results:
        errors = sum(r["errors"].values()) + sum(r["closes"].values()) + r["join_failures"]
        rows.append(
            (
                r["mode"],
                r["layer"],
                str(r["processes"]),
                f"{r['clients']:,}",
                fmt(r["connect_all_s"], ".1f"),
                fmt(r["p50_ms"]),
                fmt(r["p95_ms"]),
                fmt(r["p99_ms"]),
                fmt(r["delivered_per_s"]),
                f"{r['missing']:,}",
                str(r["gaps"]),
                str(r["recoveries"]),
                str(errors),
                fmt(r["attendance_writes_per_s"], ".1f") if r["mode"] == "ours" else "-",
                fmt(r["cpu_load_s"], ".1f"),
                fmt(r["cpu_us_per_event"]),
                fmt(r["peak_rss_mb"]),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    for row in rows:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))
    for r in results:
        print(
            f"{r['mode']}: sent {r['sent']}, acks {r['acks']:,} (unanswered at the end "
            f"{r['unanswered']:,}), pongs {r['pongs']:,}, "
            f"latency samples {r['latency_samples']:,}/{r['latency_expected']:,}, "
            f"events {r['event_types']}, errors {r['errors']}, closes {r['closes']}, "
            f"join retries {r['join_retries']:,}, failures {r['join_failure_kinds']}, "
            f"join p95 {fmt(r['join_p95_s'], '.2f')} s, snapshots "
            f"{fmt(r['snapshot_kb_p50'], '.1f')} KB median, "
            f"{fmt(r['snapshot_kb_max'], '.1f')} KB max, {r['snapshot_mb_sent']:.1f} MB in all, "
            f"attendance writes in all {r['attendance_writes_total']:,}, "
            f"daphne CPU while joining {r['cpu_join_s']:.1f} s, under load "
            f"{r['server_cpu_share']:.0%} of a core, busiest client process "
            f"{r['client_cpu_share']:.0%}, load average {r['load_average']:.1f}"
        )
    ours = next((r for r in results if r["mode"] == "ours"), None)
    bare = next((r for r in results if r["mode"] == "bare"), None)
    if ours and bare and bare["delivered_per_s"] and bare["cpu_us_per_event"]:
        rate = ours["delivered_per_s"] / bare["delivered_per_s"]
        cpu = (ours["cpu_us_per_event"] or 0) / bare["cpu_us_per_event"]
        print(f"ours / bare: delivered events/s {rate:.2f}, CPU per delivered event {cpu:.2f}")
