"""A 50-person care-call campaign across processes, on a simulated clock.

Two `aicall serve` + two `aicall worker` processes on PostgreSQL and Redis, behind the Twilio
stand-in (its balancer in front of the servers); mid-campaign one worker and one server are
killed with SIGKILL. Then the same campaign on the embedded default: SQLite and huey's SQLite
queue in one data directory, one process (`aicall serve --worker 2`), no server software.

Every person must be reached or retried exactly as the policy says (the stand-in's outcome
draws are reproducible, so the calls each number must get are known), no call may start
outside the calling windows (Korean holidays included), no person may have two calls at once,
and the campaign's cap on calls at once must hold.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.campaigns import Campaigns
from agent.config import Settings
from agent.store.calls import CallLog
from agent.store.db import Database
from tests.scale.campaign_run import (
    CampaignPlan,
    RunResult,
    check_run,
    run_campaign,
)
from tests.scale.cluster import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    PUBLIC_URL,
    STREAM_SECRET,
    WARM,
    AicallProcess,
    CloudProcess,
    Cluster,
    free_port,
    serve_process,
)

pytestmark = pytest.mark.timeout(900)

#: people 13-24 stay on the line 4 s: conversations long enough for a kill to cut
_LONG = {f"+8210{20000000 + i:08d}": 4.0 for i in range(13, 25)}
PLAN = CampaignPlan(name="city-weekly", people=50, cap=6, hold=_LONG)


def _worker(name: str, workdir: Path, env: dict[str, str]) -> AicallProcess:
    proc = AicallProcess(name, ["worker", "--workers", "2"], env, workdir)
    proc.start()
    return proc


def _summary(run: RunResult) -> str:
    outcomes = Counter(c["outcome"] for c in run.cloud["calls"])
    return (
        f"{len(run.cloud['calls'])} calls {dict(outcomes)}, {run.clock_moves} clock moves, "
        f"{run.wall_seconds:.0f} s, peak {run.cloud['max_active']} at once, killed {run.killed}"
    )


def _answered_calls_stored(database_url: str, run: RunResult) -> list[dict[str, Any]]:
    """Answered calls whose conversation row is missing from the shared database."""
    missing = []
    with Database(database_url) as db:
        log = CallLog(db)
        for call in run.cloud["calls"]:
            if call["outcome"] == "answer" and call["stream_upstream"]:
                if log.get_call(call["sid"]) is None:
                    missing.append(call)
    return missing


def _never_ran_attempts(database_url: str) -> set[int]:
    """Attempts the campaign ended as answered with no conversation stored."""
    with Database(database_url) as db:
        return {
            t.attempt_id
            for t in Campaigns(db).history(PLAN.name)
            if "never ran the call" in (t.reason or "")
        }


def _stored_sids(database_url: str, run: RunResult) -> set[str]:
    """The SIDs of the run's calls that have a row in the calls table."""
    with Database(database_url) as db:
        log = CallLog(db)
        return {c["sid"] for c in run.cloud["calls"] if log.get_call(c["sid"]) is not None}


def _dump_history(database_url: str, campaign: str, path: Path) -> None:
    """Every transition of the campaign, for a failure's post-mortem."""
    with Database(database_url) as db:
        campaigns = Campaigns(db)
        lines = [
            f"{t.at.isoformat()} #{t.attempt_id} {t.from_state} -> {t.to_state}: {t.reason}"
            for t in campaigns.history(campaign)
        ]
        people = {p.phone: p for p in campaigns.report(campaign).people}
        lines += [f"{k}: {v.result} {v.reasons}" for k, v in sorted(people.items())]
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture
def workers(cluster: Cluster) -> Iterator[list[AicallProcess]]:
    cluster.ensure_servers()
    procs = [_worker(f"worker-{n}", cluster.root / f"worker-{n}", cluster.env) for n in "ab"]
    try:
        yield procs
    finally:
        for proc in procs:
            proc.stop()


def test_a_campaign_survives_kill_9_of_a_worker_and_a_server(
    cluster: Cluster, workers: list[AicallProcess], tmp_path: Path
) -> None:
    killed_at: list[float] = []

    def kill(cloud: dict[str, Any]) -> list[str]:
        # mid-campaign, while server B holds a conversation: one dispatcher and one voice
        # server die
        on_b = [
            c for c in cloud["live"] if c["stream_upstream"] == cluster.urls[1] and c["to"] in _LONG
        ]
        if cloud["count"] < 15 or not (on_b or cloud["count"] > 40):
            return []
        killed_at.append(time.time())
        workers[1].kill()
        cluster.servers[1].kill()
        return [workers[1].name, cluster.servers[1].name]

    settings = Settings(
        data_dir=tmp_path,
        database_url=cluster.database_url,
        queue_url=cluster.redis_url,
        clock=f"file:{cluster.clock_file}",
    )
    run = run_campaign(
        PLAN,
        settings=settings,
        cloud_url=cluster.cloud_url,
        clock_file=cluster.clock_file,
        workdir=tmp_path,
        kill=kill,
    )
    print(_summary(run))
    (tmp_path / "run.json").write_text(json.dumps(run.cloud, indent=1, default=str))
    _dump_history(cluster.database_url, PLAN.name, tmp_path / "history.txt")
    assert run.killed == ["worker-b", "serve-b"]
    cut = [
        c
        for c in run.cloud["calls"]
        if c["stream_upstream"] == cluster.urls[1] and c["placed_at"] < killed_at[0] < c["ended_at"]
    ]
    assert cut, "no conversation was in progress on the killed server"
    assert any(c["stream_close"] == "1006" for c in cut)  # the line went dead, no close frame
    problems = check_run(PLAN, run, _stored_sids(cluster.database_url, run))
    assert problems == [], "\n".join(problems)
    assert set(run.results.values()) <= {"reached", "gave-up"}
    # media streams landed on another server than their voice webhook, and were stored
    crossed = [
        c
        for c in run.cloud["calls"]
        if c["stream_upstream"] and c["stream_upstream"] != c["webhook_upstream"]
    ]
    assert crossed
    # every answered call has its conversation row, except one the kill cut before its stream's
    # start was admitted (nothing heard yet): no server could store it, and the campaign must
    # count that attempt as "answered, but the agent never ran the call" (then retry the person)
    unstored = _answered_calls_stored(cluster.database_url, run)
    assert all(c in cut and not c["heard_bytes"] for c in unstored), unstored
    never_ran = _never_ran_attempts(cluster.database_url)
    assert all(int(c["attempt"]) in never_ran for c in unstored), (unstored, never_ran)


def test_the_same_campaign_on_the_embedded_default(tmp_path: Path) -> None:
    """SQLite and huey's SQLite queue in one data directory, one `aicall serve --worker`."""
    home = tmp_path / "aicall"
    clock_file = tmp_path / "clock.txt"
    clock_file.write_text("2026-09-23T16:00:00+09:00", encoding="utf-8")
    cloud_port = free_port()
    cloud_url = f"http://127.0.0.1:{cloud_port}"
    env = {
        "AICALL_PUBLIC_URL": PUBLIC_URL,
        "AICALL_STREAM_SECRET": STREAM_SECRET,
        "AICALL_TWILIO_API_URL": cloud_url,
        "AICALL_CLOCK": f"file:{clock_file}",
        "AICALL_WARM_SCENARIOS": WARM,
        "AICALL_WEBHOOK_RATE_LIMIT": "0",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
    }
    # one process: the voice server with the dispatchers as its threads (`serve --worker`)
    server, url = serve_process("serve", home, env, "--worker", "2")
    config = tmp_path / "cloud.json"
    config.write_text(
        json.dumps({"public_url": PUBLIC_URL, "upstreams": [url], "clock_file": str(clock_file)}),
        encoding="utf-8",
    )
    cloud = CloudProcess(tmp_path / "cloud", cloud_port, config)
    try:
        cloud.start()
        server.start()
        server.wait_http(f"{url}/healthz")
        cloud.wait_http(f"{cloud_url}/_standin/healthz")
        settings = Settings(data_dir=home, clock=f"file:{clock_file}")
        plan = CampaignPlan(name="city-embedded", people=50, cap=6)
        run = run_campaign(
            plan, settings=settings, cloud_url=cloud_url, clock_file=clock_file, workdir=tmp_path
        )
        print(_summary(run))
        problems = check_run(plan, run)
        assert problems == [], "\n".join(problems)
        assert _answered_calls_stored(settings.resolved_database_url(), run) == []
    finally:
        for proc in (server, cloud):
            proc.stop()
