"""A 1,000-person care-call campaign across processes: throughput, dispatch latency, load.

The deployment of docs/deploy.md on loopback: 2 `aicall serve` + 2 `aicall worker` processes,
PostgreSQL and Redis (private servers started here), the Twilio stand-in and its balancer in
front (tests/scale/twilio_cloud.py), a simulated clock. The campaign is the one of
tests/scale/test_workers_campaign.py with 1,000 people (about half answer; the caller stays
0.6 s on the line) and a cap of 8 calls at once. It checks the same rules (every person per
policy, windows, one call per person, the cap) and prints:

* calls placed per minute (wall), and per CPU-minute of the `aicall serve` processes (the voice
  side: answered calls run the speech pipeline) and of the `aicall worker` processes;
* dispatch latency: from a call's end (the stand-in posts its final status) to the next call
  placed while people are waiting (the slot refilled), p50 / p95; and from a clock move that
  makes people due to the first call;
* database load: PostgreSQL transactions and rows written per call (``pg_stat_database``);
* Redis load: commands per call (``INFO stats``), the queue and the stream tokens together.

``BENCH_CAMPAIGN_PEOPLE`` (default 1000) and ``BENCH_CAMPAIGN_CAP`` (default 8) change the size.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path

import psycopg
import redis

from agent.config import Settings
from tests.pg import PostgresServer, find_pg_bindir
from tests.scale.campaign_run import CampaignPlan, RunResult, check_run, run_campaign
from tests.scale.cluster import AicallProcess, RedisServer, redis_server_binary, start_cluster

__all__ = ["main"]

_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(proc: AicallProcess) -> float:
    """User + system CPU seconds of a running process (all its threads)."""
    assert proc.proc is not None
    try:
        fields = Path(f"/proc/{proc.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _pg_counters(url: str) -> dict[str, int]:
    libpq = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(libpq) as conn:
        row = conn.execute(
            "SELECT xact_commit + xact_rollback, tup_inserted + tup_updated + tup_deleted "
            "FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    assert row is not None
    return {"transactions": int(row[0]), "rows_written": int(row[1])}


def _refill_latencies(run: RunResult) -> list[float]:
    """Seconds from a call's end to the next call placed at the same simulated instant."""
    calls = sorted(run.cloud["calls"], key=lambda c: c["placed_at"])
    latencies = []
    for call in calls:
        later = [
            c["placed_at"]
            for c in calls
            if c["placed_at"] > call["ended_at"] and c["sim_placed_at"] == call["sim_placed_at"]
        ]
        if later:
            latencies.append(min(later) - call["ended_at"])
    return latencies


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    """Run the campaign once and print the table."""
    bindir, binary = find_pg_bindir(), redis_server_binary()
    if bindir is None or binary is None:
        print("skipped: needs PostgreSQL and redis-server (.ci/install-os-deps.sh)")
        return
    people = int(os.environ.get("BENCH_CAMPAIGN_PEOPLE", "1000"))
    cap = int(os.environ.get("BENCH_CAMPAIGN_CAP", "8"))
    plan = CampaignPlan(name="bench-city", people=people, cap=cap)
    root = Path(tempfile.mkdtemp(prefix="aicall-bench-campaign-"))
    pg, rds = PostgresServer(bindir), RedisServer(binary)
    pg.start()
    rds.start()
    workers: list[AicallProcess] = []
    cluster = None
    try:
        t0 = time.monotonic()
        cluster = start_cluster(root, pg.create_database("aicall_bench"), rds.url)
        for name in ("worker-a", "worker-b"):
            proc = AicallProcess(name, ["worker", "--workers", "2"], cluster.env, root / name)
            proc.start()
            workers.append(proc)
        started = time.monotonic() - t0
        serve_cpu0 = sum(_cpu_seconds(p) for p in cluster.servers)
        worker_cpu0 = sum(_cpu_seconds(p) for p in workers)
        pg0, redis0 = _pg_counters(cluster.database_url), _redis_commands(rds.url)
        settings = Settings(
            data_dir=root / "driver",
            database_url=cluster.database_url,
            queue_url=rds.url,
            clock=f"file:{cluster.clock_file}",
        )
        run = run_campaign(
            plan,
            settings=settings,
            cloud_url=cluster.cloud_url,
            clock_file=cluster.clock_file,
            workdir=root,
            timeout=3 * 3600,
        )
        serve_cpu = sum(_cpu_seconds(p) for p in cluster.servers) - serve_cpu0
        worker_cpu = sum(_cpu_seconds(p) for p in workers) - worker_cpu0
        pg1, redis1 = _pg_counters(cluster.database_url), _redis_commands(rds.url)
        problems = check_run(plan, run)
        _print(plan, run, started, serve_cpu, worker_cpu, pg0, pg1, redis1 - redis0, problems)
    finally:
        for proc in workers:
            proc.stop()
        if cluster is not None:
            cluster.stop()
        rds.stop()
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)


def _redis_commands(url: str) -> int:
    return int(redis.Redis.from_url(url).info("stats")["total_commands_processed"])


def _print(
    plan: CampaignPlan,
    run: RunResult,
    started: float,
    serve_cpu: float,
    worker_cpu: float,
    pg0: dict[str, int],
    pg1: dict[str, int],
    redis_commands: int,
    problems: list[str],
) -> None:
    calls = run.cloud["calls"]
    n = len(calls)
    answered = sum(1 for c in calls if c["stream_upstream"])
    outcomes = Counter(c["outcome"] for c in calls)
    minutes = run.wall_seconds / 60
    refill = _refill_latencies(run)
    rows = [
        ("people / calls placed / answered (media streams)", f"{plan.people} / {n} / {answered}"),
        ("outcomes", ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))),
        ("processes", "2 aicall serve + 2 aicall worker (2 threads) + PostgreSQL + Redis"),
        ("cores on this machine (shared with other work)", str(os.cpu_count())),
        ("cluster start (2 servers ready), s", f"{started:.0f}"),
        (
            "campaign wall time, s (simulated clock moves)",
            f"{run.wall_seconds:.0f} ({run.clock_moves})",
        ),
        ("calls per minute (wall)", f"{n / minutes:.1f}"),
        (
            "calls per CPU-minute of aicall serve",
            f"{n / (serve_cpu / 60):.1f}" if serve_cpu else "-",
        ),
        (
            "answered calls per CPU-minute of aicall serve",
            f"{answered / (serve_cpu / 60):.1f}" if serve_cpu else "-",
        ),
        (
            "calls per CPU-minute of aicall worker",
            f"{n / (worker_cpu / 60):.0f}" if worker_cpu else "-",
        ),
        (
            "CPU s per answered call (serve) / per call (worker)",
            f"{serve_cpu / max(answered, 1):.2f} / {worker_cpu / max(n, 1):.3f}",
        ),
        (
            "dispatch latency, slot refilled: p50 / p95, s",
            f"{_pct(refill, 0.5):.2f} / {_pct(refill, 0.95):.2f} (n={len(refill)})",
        ),
        (
            "dispatch latency, clock move to first call: p50 / p95, s",
            f"{_pct(run.dispatch_latency, 0.5):.2f} / {_pct(run.dispatch_latency, 0.95):.2f} (n={len(run.dispatch_latency)})",
        ),
        (
            "PostgreSQL transactions per call",
            f"{(pg1['transactions'] - pg0['transactions']) / n:.1f}",
        ),
        (
            "PostgreSQL rows written per call",
            f"{(pg1['rows_written'] - pg0['rows_written']) / n:.1f}",
        ),
        ("Redis commands per call", f"{redis_commands / n:.1f}"),
        (
            "peak calls at once (cap) / per person",
            f"{run.cloud['max_active']} ({plan.cap}) / {run.cloud['max_active_per_number']}",
        ),
        ("rule violations (policy, window, overlap, cap)", str(len(problems))),
    ]
    width = max(len(k) for k, _ in rows)
    print(f"| {'measure':{width}} | value |")
    print(f"|{'-' * (width + 2)}|-------|")
    for key, value in rows:
        print(f"| {key:{width}} | {value} |")
    for problem in problems[:20]:
        print(f"  violation: {problem}")
    if not problems:
        print("every person reached or retried exactly per policy")


if __name__ == "__main__":
    main()
