"""A short fuzz run of the Media Streams endpoint (``make bench`` runs ≥ 100,000 messages).

Generated scripts over admitted calls on a real server on loopback, generated ``start``
messages before admission, and a well-behaved call throughout (tests/server/media_fuzz.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from tests.server.media_fuzz import FuzzHarness, Msg, Tally, call_scripts, start_mutations

pytestmark = pytest.mark.timeout(300)


def _run(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,  # the same examples every run: a failure reproduces
        phases=[Phase.generate],  # each example is a live call: no shrinking
        suppress_health_check=list(HealthCheck),
    )


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory):
    with FuzzHarness(tmp_path_factory.mktemp("fuzz")) as h:
        yield h


def test_fuzzed_calls_end_recorded_with_their_cause_and_a_concurrent_call_keeps_audio(
    harness: FuzzHarness,
) -> None:
    tally = Tally()

    @_run(14)
    @given(script=call_scripts(min_valid=20, max_valid=40))
    def one_call(script: list[Msg]) -> None:
        harness.record(tally, script, harness.run_script(script))

    with harness.steady_caller(window=3.0) as steady:
        one_call()
    assert tally.problems == [], tally.problems[:5]
    assert harness.crash_log.crashes == []
    assert tally.calls == 14 and tally.ended_recorded == 14
    assert tally.faulted_calls >= 5 and tally.messages >= 250
    # the well-behaved call was never refused or cut, and heard the agent throughout
    assert steady.failures == [] and steady.calls >= 1 and steady.audio_messages > 0
    assert harness.healthy()


def test_fuzzed_start_messages_are_refused_with_a_reason(harness: FuzzHarness) -> None:
    problems: list[str] = []

    @_run(60)
    @given(message=start_mutations())
    def one_stream(message: Msg) -> None:
        problems.extend(harness.run_unadmitted(message))

    one_stream()
    assert problems == []
    assert harness.crash_log.crashes == []
    assert harness.healthy()


def test_the_harness_catches_a_call_stored_with_the_wrong_reason(
    harness: FuzzHarness, tmp_path: Path
) -> None:
    """The oracle is not vacuous: a fault announced with the wrong words is reported."""
    lie = Msg('{"event": "media", "media": {"payload": "@@"}}', "base64", 1008, ("parking",))
    out = harness.run_script([lie])
    assert out.status == "failed" and "base64" in (out.reason or "")
    assert any("stored reason" in p for p in out.problems)
