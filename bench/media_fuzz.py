"""Fuzzing the Media Streams endpoint (≥ 100,000 messages) and a small load probe (#17).

The harness is ``tests/server/media_fuzz.py`` (its short run is in ``make test``): the real app
served on loopback, generated scripts over admitted calls, generated ``start`` messages
before admission, a well-behaved call timing its audio all along. Then concurrent calls on
the same server: 20 and 40 at once, and 25 against ``AICALL_MAX_CALLS=20``.

Environment: ``FUZZ_MESSAGES`` (default 100000) messages over admitted calls,
``FUZZ_STARTS`` (default 3000) generated ``start`` messages, ``FUZZ_BASELINE_SECONDS``
(default 40) of the steady call alone first (the machine's own audio gaps, for comparison).

    python -m bench media_fuzz
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings

from tests.server.media_fuzz import (
    FuzzHarness,
    Msg,
    Tally,
    call_scripts,
    start_mutations,
    steady_call,
)


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        derandomize=False,
    )


def baseline(harness: FuzzHarness, seconds: float) -> dict:
    """The steady call alone for ``seconds`` (no fuzzing): the machine's own audio gaps."""
    with harness.steady_caller(window=8.0) as steady:
        time.sleep(seconds)
    return {"calls": steady.calls, "audio": steady.audio_messages, "max_gap": steady.max_gap}


def fuzz_calls(harness: FuzzHarness, target: int) -> tuple[Tally, float, dict]:
    """Fuzzed calls until ``target`` messages were sent; the steady call's figures."""
    tally = Tally()
    started = time.monotonic()
    with harness.steady_caller(window=8.0) as steady:
        rounds = 0
        while tally.messages < target:
            rounds += 1

            @_settings(100)
            @given(script=call_scripts(min_valid=40, max_valid=120))
            def one_call(script: list[Msg]) -> None:
                if tally.messages < target:
                    harness.record(tally, script, harness.run_script(script))

            one_call()
            print(
                f"  ... {tally.messages} messages, {tally.calls} calls, "
                f"{len(tally.problems)} problems, {time.monotonic() - started:.0f} s",
                flush=True,
            )
    figures = {
        "steady_calls": steady.calls,
        "steady_audio": steady.audio_messages,
        "max_gap": steady.max_gap,
        "steady_failures": len(steady.failures),
    }
    return tally, time.monotonic() - started, figures


def fuzz_starts(harness: FuzzHarness, count: int) -> tuple[int, list[str]]:
    """``count`` generated messages where ``start`` belongs; the problems found."""
    problems: list[str] = []
    done = 0

    @_settings(count)
    @given(message=start_mutations())
    def one_stream(message: Msg) -> None:
        nonlocal done
        problems.extend(harness.run_unadmitted(message))
        done += 1

    one_stream()
    return done, problems


async def _load(harness: FuzzHarness, calls: int, hold: float) -> list[dict]:
    return list(await asyncio.gather(*(steady_call(harness, hold) for _ in range(calls))))


def load_probe(harness: FuzzHarness, calls: int, max_calls: int, hold: float = 10.0) -> dict:
    """``calls`` well-behaved calls at once, each ``hold`` s long; what they got."""
    active = harness.app.state.aicall.active
    for _ in range(600):  # the previous probe's calls are torn down first
        if not active:
            break
        time.sleep(0.1)
    harness.settings.max_calls = max_calls  # the app reads it per request
    errors_before = len(harness.crash_log.crashes)
    results = harness.on_clients(_load(harness, calls, hold), timeout=hold + 120)
    greeted = [r for r in results if r.get("greeting") is not None]
    latencies = sorted(r["greeting"] for r in greeted)
    return {
        "calls": calls,
        "max_calls": max_calls,
        "tokens": sum(1 for r in results if not r.get("busy")),
        "busy": sum(1 for r in results if r.get("busy")),
        "refused": sum(1 for r in results if "1013" in r.get("error", "")),
        "greeted": len(greeted),
        "median": statistics.median(latencies) if latencies else None,
        "max": max(latencies) if latencies else None,
        "gap": max((r["max_gap"] for r in greeted), default=None),
        "errors": len(harness.crash_log.crashes) - errors_before,
        "failed": [r["error"] for r in results if r.get("error") and "1013" not in r["error"]],
    }


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def main() -> None:
    target = int(os.environ.get("FUZZ_MESSAGES", "100000"))
    starts = int(os.environ.get("FUZZ_STARTS", "3000"))
    with tempfile.TemporaryDirectory() as tmp, FuzzHarness(Path(tmp)) as harness:
        quiet = baseline(harness, float(os.environ.get("FUZZ_BASELINE_SECONDS", "40")))
        tally, seconds, steady = fuzz_calls(harness, target)
        start_count, start_problems = fuzz_starts(harness, starts)
        loads = [load_probe(harness, 20, 60), load_probe(harness, 40, 60)]
        loads.append(load_probe(harness, 25, 20))
        healthy = harness.healthy()
    print()
    print("Fuzzed Media Streams messages over admitted calls (one server, loopback)")
    print()
    print(
        "| messages | calls | with a fault | server crashes | calls ended + recorded "
        "| wrong answers | steady call: windows, audio messages, max audio gap | time |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {tally.messages} | {tally.calls} | {tally.faulted_calls} | {tally.crashes} "
        f"| {tally.ended_recorded}/{tally.calls} | {len(tally.problems)} "
        f"| {steady['steady_calls']}, {steady['steady_audio']}, {steady['max_gap']:.3f} s "
        f"(failures {steady['steady_failures']}) | {seconds:.0f} s |"
    )
    print()
    print(
        f"the steady call alone before the fuzzing (same server, same machine): "
        f"{quiet['calls']} windows, {quiet['audio']} audio messages, "
        f"max audio gap {quiet['max_gap']:.3f} s"
    )
    print("faults by kind:", ", ".join(f"{k} {v}" for k, v in sorted(tally.faults.items())))
    for problem in tally.problems[:10]:
        print("  problem:", problem)
    print()
    print(
        f"Generated messages in place of 'start': {start_count}, refused with a close code "
        f"and reason: {start_count - len(start_problems)}, problems: {len(start_problems)}"
    )
    for problem in start_problems[:10]:
        print("  problem:", problem)
    print()
    print("Load probe: well-behaved calls at once, each held 10 s (same server, loopback)")
    print()
    print(
        "| calls at once | AICALL_MAX_CALLS | busy TwiML | stream token | stream refused 1013 "
        "| greeted | greeting latency median / max | max audio gap | other failures "
        "| server errors |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in loads:
        print(
            f"| {row['calls']} | {row['max_calls']} | {row['busy']} | {row['tokens']} "
            f"| {row['refused']} | {row['greeted']} | {_s(row['median'])} / {_s(row['max'])} s "
            f"| {_s(row['gap'])} s | {len(row['failed'])} | {row['errors']} |"
        )
        for error in row["failed"][:3]:
            print("  failed:", error)
    print()
    print(f"server healthy at the end: {healthy}; crash log: {harness.crash_log.crashes[:5]}")


if __name__ == "__main__":
    main()
