"""One care-call campaign run end to end on a simulated clock, and the checks of its result.

Shared by the multi-process tests (50 people) and ``bench/campaign_scale.py`` (1,000 people).

The driver creates the campaign through the Python API (a CSV list imported row by row),
starts it and asks the dispatchers (`aicall worker` processes on the queue) to dispatch. It then
moves the simulated clock (``AICALL_CLOCK=file:...``, read by every process) forward only when
the system is idle: no attempt dialing or in a call, no call in flight at the Twilio stand-in,
no task waiting in the queue, nothing changed for a moment. Each move is a fixed step (15
minutes), or, when every waiting person is outside the calling windows, a step into the closed
period first (a sweep there must place nothing) and then a jump to the next opening. After each
move it enqueues a sweep (as the periodic one would) so the workers look at the new time.

The checks are independent of the campaign code: the stand-in draws each call's outcome
reproducibly, so the calls each person must get under the retry policy are known in advance;
the stand-in stamps every call with the simulated instant it was placed at and counts calls in
flight at once, overall and per number.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import httpx

from agent.campaigns import (
    Campaigns,
    CampaignSpec,
    FileClock,
    MachinePolicy,
    RetryPolicy,
    RetryRule,
    Schedule,
    build_queue,
    read_people,
)
from agent.config import Settings
from agent.store.db import Database
from tests.scale.twilio_cloud import Rates

__all__ = ["CampaignPlan", "RunResult", "check_run", "expected_calls", "run_campaign"]

SEOUL = ZoneInfo("Asia/Seoul")
#: Wednesday 16:00 in Seoul, the day before Chuseok (Thu 24 - Sat 26 September 2026): retries
#: run into the evening, the holidays and the weekend, and resume on Monday the 28th.
START = datetime(2026, 9, 23, 16, 0, tzinfo=SEOUL)
STEP = timedelta(minutes=15)


@dataclass(frozen=True)
class CampaignPlan:
    """The campaign a run places.

    Attributes:
        name: the campaign's id.
        people: how many people.
        cap: calls at once.
        rates: the stand-in's outcome rates.
        seed: the stand-in's seed.
        caller_seconds: how long an answering person stays on the line (real seconds).
        hold: a longer stay for some numbers (a conversation a kill can cut).
        schedule: days, windows, holidays.
        retry: the retry policy.
    """

    name: str = "city-weekly"
    people: int = 50
    cap: int = 4
    rates: Rates = field(
        default_factory=lambda: Rates(no_answer=0.25, busy=0.1, failed=0.05, voicemail=0.1)
    )
    seed: int = 13
    caller_seconds: float = 0.6
    hold: dict[str, float] = field(default_factory=dict)
    schedule: Schedule = field(
        default_factory=lambda: Schedule(
            days=(0, 1, 2, 3, 4),
            windows=((dtime(10), dtime(12)), (dtime(14), dtime(17))),
            timezone="Asia/Seoul",
            holidays="KR",
        )
    )
    retry: RetryPolicy = field(
        default_factory=lambda: RetryPolicy(
            {
                "no-answer": RetryRule(1800, 2.0, 3),
                "busy": RetryRule(900, 1.0, 3),
                "failed": RetryRule(1200, 1.0, 2),
                "voicemail": RetryRule(2700, 1.0, 2),
            }
        )
    )

    def numbers(self) -> list[str]:
        """The people's numbers in E.164 (Korean mobiles)."""
        return [f"+8210{2000_0000 + i:08d}" for i in range(1, self.people + 1)]

    def write_list(self, path: Path) -> Path:
        """The people as a care team's CSV (Korean headers, numbers as written locally)."""
        lines = ["이름,전화번호,메모"]
        for i, number in enumerate(self.numbers(), 1):
            local = "0" + number[3:]
            lines.append(f"Person {i:04d},{local[:3]}-{local[3:7]}-{local[7:]},weekly check-in")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path


def expected_calls(
    plan: CampaignPlan, number: str, cut: frozenset[int] = frozenset()
) -> tuple[list[str], str]:
    """The outcomes of the calls ``number`` must get, and the person's result.

    The stand-in draws the n-th call's outcome from ``Random(f"{seed}|{number}|{n}")``; the
    retry policy says whether another call follows. ``cut``: calls (0-based) answered but cut
    before the agent spoke (its server was killed): the campaign counts them as ``failed``
    (reached means the agent ran the call).
    """
    outcomes: list[str] = []
    while True:
        n = len(outcomes)
        outcome = plan.rates.draw(random.Random(f"{plan.seed}|{number}|{n}").random())
        outcomes.append(outcome)
        if outcome == "answer" and n not in cut:
            return outcomes, "reached"
        seen = "failed" if outcome == "answer" else outcome
        if plan.retry.next_try(seen, len(outcomes)) is None:
            return outcomes, "gave-up"


def _cut_before_greeting(call: dict[str, Any]) -> bool:
    """An answered call whose server died before the agent said anything."""
    return (
        call["outcome"] == "answer" and call["heard_bytes"] == 0 and call["stream_close"] == "1006"
    )


def _not_run(call: dict[str, Any], stored: set[str] | None) -> bool:
    """A call cut before the agent ran it: no call row was stored (``stored``: the SIDs of the
    stored calls; ``None``: unknown, taken as not stored)."""
    return _cut_before_greeting(call) and (stored is None or call["sid"] not in stored)


@dataclass
class RunResult:
    """What a run saw.

    Attributes:
        cloud: the stand-in's report (calls, peaks).
        results: each number's result in the campaign report.
        attempts: each number's attempts counted by the report.
        clock_moves: how many times the clock moved.
        wall_seconds: real seconds from start to the last person finished.
        sim_end: the simulated instant at the end.
        dispatch_latency: real seconds from each clock move (with due people) to the first
            call placed after it.
        killed: what was killed mid-campaign, and when (calls placed by then).
    """

    cloud: dict[str, Any]
    results: dict[str, str]
    attempts: dict[str, int]
    clock_moves: int
    wall_seconds: float
    sim_end: datetime
    dispatch_latency: list[float] = field(default_factory=list)
    killed: list[str] = field(default_factory=list)


def _cloud(cloud_url: str, summary: bool = False) -> dict[str, Any]:
    params = {"summary": "true"} if summary else {}
    return httpx.get(f"{cloud_url}/_standin/calls", params=params, timeout=30).json()


def run_campaign(
    plan: CampaignPlan,
    *,
    settings: Settings,
    cloud_url: str,
    clock_file: Path,
    workdir: Path,
    kill: Callable[[dict[str, Any]], list[str]] | None = None,
    timeout: float = 600.0,
) -> RunResult:
    """Create, import and start the campaign; drive the clock until everyone is finished.

    Args:
        plan: the campaign.
        settings: the deployment's settings (database, queue, clock): the driver's own view.
        cloud_url: the Twilio stand-in.
        clock_file: the simulated clock's file.
        workdir: where the list of people is written.
        kill: called with the stand-in's summary (``count``, ``live`` calls, ``in_flight``) on
            each loop until it returns what it killed (non-empty).
        timeout: real seconds before giving up.
    """
    reset = httpx.post(f"{cloud_url}/_standin/reset", timeout=10).json()
    assert reset["status"] == "ok", reset
    httpx.post(
        f"{cloud_url}/_standin/config",
        json={
            "seed": plan.seed,
            "rates": {
                "no_answer": plan.rates.no_answer,
                "busy": plan.rates.busy,
                "failed": plan.rates.failed,
                "voicemail": plan.rates.voicemail,
            },
            "script": {},
            "caller_seconds": plan.caller_seconds,
            "hold": plan.hold,
        },
        timeout=10,
    ).raise_for_status()
    clock = FileClock(clock_file)
    clock.set(START)
    db = Database(settings.resolved_database_url())
    campaigns = Campaigns(db, clock, worker="driver")
    queue = build_queue(settings, campaigns=campaigns)
    try:
        campaigns.create(
            CampaignSpec(
                plan.name,
                "carecall-en",
                language="en",
                region="KR",
                caller_id="+827012345678",
                max_concurrent=plan.cap,
                schedule=plan.schedule,
                retry=plan.retry,
                machine=MachinePolicy("hangup"),
                lease_seconds=300,
            )
        )
        report = read_people(plan.write_list(workdir / f"{plan.name}.csv"), region="KR")
        assert not report.problems, report.problems
        campaigns.import_people(plan.name, report)
        campaigns.start(plan.name)
        started = time.monotonic()
        queue.enqueue_dispatch(plan.name)
        result = _drive(plan, campaigns, queue, clock, cloud_url, kill, started, timeout)
        final = campaigns.report(plan.name)
        result.results = {p.phone: p.result for p in final.people}
        result.attempts = {p.phone: p.attempts for p in final.people}
        result.cloud = _cloud(cloud_url)
        return result
    finally:
        db.close()


def _drive(
    plan: CampaignPlan,
    campaigns: Campaigns,
    queue: Any,
    clock: FileClock,
    cloud_url: str,
    kill: Callable[[dict[str, Any]], list[str]] | None,
    started: float,
    timeout: float,
) -> RunResult:
    result = RunResult({}, {}, {}, 0, 0.0, clock.now())
    fingerprint: tuple[Any, ...] = ()
    quiet_since = time.monotonic()
    moved_at: float | None = None
    calls_at_move = 0
    stepped_into_closed = False
    while True:
        now_real = time.monotonic()
        if now_real - started > timeout:
            raise AssertionError(f"campaign not finished after {timeout:g} s: {result}")
        status = campaigns.status(plan.name)
        cloud = _cloud(cloud_url, summary=True)
        placed = cloud["count"]
        if moved_at is not None and placed > calls_at_move:
            result.dispatch_latency.append(now_real - moved_at)
            moved_at = None
        if kill is not None and not result.killed:
            result.killed = kill(cloud)
            if result.killed:
                quiet_since = now_real
        unfinished = {k: v for k, v in status.states.items() if k not in ("done", "gave-up")}
        if not unfinished and cloud["in_flight"] == 0:
            result.wall_seconds = now_real - started
            result.sim_end = clock.now()
            return result
        pending = queue.huey.pending_count()
        current = (tuple(sorted(status.states.items())), placed, cloud["in_flight"], pending)
        if current != fingerprint:
            fingerprint, quiet_since = current, now_real
        idle = cloud["in_flight"] == 0 and pending == 0
        # a call held by a killed worker stays "dialing" until its lease ends: after a longer
        # quiet spell with nothing in flight, the clock moves past the lease
        stuck = idle and status.active > 0 and now_real - quiet_since > 8.0
        if (idle and status.active == 0 and now_real - quiet_since > 1.0) or stuck:
            now = clock.now()
            if status.why_waiting and stepped_into_closed:
                opening = plan.schedule.next_opening(now)
                target = opening if opening and opening > now else now + STEP
                stepped_into_closed = False
            else:
                target = now + STEP
                stepped_into_closed = bool(status.why_waiting)
            clock.set(target)
            result.clock_moves += 1
            if status.next_due is not None and status.next_due <= target:
                moved_at, calls_at_move = time.monotonic(), placed
            queue.enqueue_sweep()
            quiet_since = time.monotonic()
        time.sleep(0.1)


def check_run(plan: CampaignPlan, run: RunResult, stored: set[str] | None = None) -> list[str]:
    """Every way the run broke the campaign's rules (empty: none).

    Args:
        plan: the campaign.
        run: what the run saw.
        stored: SIDs of the calls stored in the database; a call cut by a killed server before
            the agent spoke counts as reached if it was stored (the agent ran it), else failed.
    """
    problems: list[str] = []
    calls_by_number: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for call in run.cloud["calls"]:
        calls_by_number[call["to"]].append(call)
    numbers = plan.numbers()
    if set(calls_by_number) - set(numbers):
        problems.append(f"calls to unknown numbers: {set(calls_by_number) - set(numbers)}")
    calendar = holidays.country_holidays("KR", years=range(2026, 2028))
    for number in numbers:
        made = calls_by_number.get(number, [])
        cut = frozenset(i for i, c in enumerate(made) if _not_run(c, stored))
        outcomes, result = expected_calls(plan, number, cut)
        got = [c["outcome"] for c in made]
        if got != outcomes:
            problems.append(f"{number}: calls {got}, policy says {outcomes}")
        if run.results.get(number) != result:
            problems.append(f"{number}: report says {run.results.get(number)}, expected {result}")
        if run.attempts.get(number) != len(outcomes):
            problems.append(
                f"{number}: report counts {run.attempts.get(number)} attempts, "
                f"expected {len(outcomes)}"
            )
        calls = calls_by_number.get(number, [])
        for i, call in enumerate(calls):
            at = datetime.fromisoformat(call["sim_placed_at"]).astimezone(SEOUL)
            local = at.time()
            inside = any(start <= local < end for start, end in plan.schedule.windows)
            if at.weekday() not in plan.schedule.days or at.date() in calendar or not inside:
                problems.append(f"{number}: called at {at:%a %Y-%m-%d %H:%M}, outside the window")
            if i:
                before = datetime.fromisoformat(calls[i - 1]["sim_placed_at"])
                seen = "failed" if i - 1 in cut else calls[i - 1]["outcome"]
                wait = plan.retry.next_try(seen, i)
                if wait is None or (at - before).total_seconds() < wait:
                    problems.append(
                        f"{number}: call {i + 1} {at - before} after {calls[i - 1]['outcome']}, "
                        f"policy says {wait} s"
                    )
    for call in run.cloud["calls"]:
        if call["outcome"] == "answer" and call["heard_bytes"] == 0:
            if not _cut_before_greeting(call):  # only a server's death may silence the agent
                problems.append(f"{call['to']}: answered, but the agent never spoke ({call})")
    if run.cloud["max_active"] > plan.cap:
        problems.append(f"{run.cloud['max_active']} calls at once, cap {plan.cap}")
    if run.cloud["max_active_per_number"] > 1:
        problems.append(f"{run.cloud['max_active_per_number']} calls at once to one person")
    return problems
