"""Faults injected into live simulated calls (agent/voice/faults.py; the full matrix with dead-air
figures is bench/voice_faults.py): the caller hears "one moment", an apology and a retry or a
goodbye, never a dead line, and the call is stored with what failed.

Each call is short and placed over Twilio's protocol at real-time pace against the real
dialogue, store and speech models; the fault is armed once the greeting has been heard.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from datetime import datetime
from pathlib import Path

import pytest

from agent.config import Settings
from agent.runtime import AgentRuntime
from agent.server.loopback import simulate_call
from agent.voice.faults import Faults, with_faults
from agent.voice.phrases import phrases_for
from agent.voice.simulator import CallerStep
from tests.pg import PG_MISSING, PostgresServer, find_pg_bindir

pytestmark = pytest.mark.timeout(240)

NOW = datetime(2026, 11, 25, 10, 0)
EN = phrases_for("en")
PERSON = [CallerStep(say="Can I talk to a person?")]


@pytest.fixture()
def faults(engines):
    faults = Faults()
    yield faults, with_faults(engines, faults)
    faults.disarm()  # releases a hanging recognition thread


def _runtime(url: str, data_dir: Path) -> AgentRuntime:
    settings = Settings(data_dir=data_dir, database_url=url)
    return AgentRuntime(settings, clock=lambda _scenario: NOW)


async def _call(runtime, engines, steps, before_step=None):
    return await simulate_call(
        runtime.settings,
        runtime,
        engines,
        "restaurant-en",
        steps,
        transcribe=False,
        quiet_after=3.5,  # a patient caller: silences up to 3.5 s inside a reply are measured
        before_step=before_step,
        voice=getattr(engines.synthesizer("en"), "inner", None),  # the caller's voice never fails
    )


def test_recognition_hanging_is_held_then_apologised_and_retried(
    faults, tmp_path: Path, voice_data_dir: Path
) -> None:
    armed, engines = faults
    runtime = _runtime(f"sqlite:///{tmp_path / 'calls.db'}", voice_data_dir)

    async def arm(step: int) -> None:
        if step == 0:
            armed.arm("asr", "hang", times=1)

    result = asyncio.run(_call(runtime, engines, PERSON * 3, arm))
    report = result.report
    print(result.to_dict())
    assert report is not None and armed.fired == {"asr": 1}
    kinds = [t["kind"] for t in report["turns"]]
    assert kinds[:2] == ["greeting", "asr_failed"]
    assert report["turns"][1]["agent"] == EN.not_heard  # the apology, asking again
    assert report["holds"] >= 1  # "one moment" while recognition hung
    # the retry went through: handed over as the caller asked
    assert report["transfer_to"] and report["status"] == "completed"
    stored = runtime.calls.get_call(result.call_sid)
    assert stored is not None and stored.status == "completed"
    assert "recognition failed x" in (stored.failure_reason or "")  # what failed
    runtime.close()


def test_synthesis_down_for_good_apologises_then_says_goodbye(
    faults, tmp_path: Path, voice_data_dir: Path
) -> None:
    armed, engines = faults
    engines.recognizers["en"].timeout = 60.0  # only synthesis fails, even on a loaded machine
    runtime = _runtime(f"sqlite:///{tmp_path / 'calls.db'}", voice_data_dir)

    async def arm(step: int) -> None:
        if step == 0:
            armed.arm("tts", "raise")

    steps = [CallerStep(say="I'd like to book a table.")] * 3
    result = asyncio.run(_call(runtime, engines, steps, arm))
    report = result.report
    print(result.to_dict())
    assert report is not None and armed.fired["tts"] == 3
    # each failed reply was replaced by the pinned apology, the third by the goodbye
    assert [t["agent"] for t in report["turns"][1:]] == [EN.trouble, EN.trouble, EN.goodbye_failure]
    assert all(t.agent_audio_seconds > 1.0 for t in result.turns[1:])
    assert result.ended_by == "agent"
    assert report["status"] == "failed" and "speech synthesis failed" in report["reason"]
    stored = runtime.calls.get_call(result.call_sid)
    assert stored is not None and stored.status == "failed"
    assert "speech synthesis failed" in (stored.failure_reason or "")
    runtime.close()


def test_a_blocked_event_loop_is_logged_by_the_watchdog_and_the_call_goes_on(
    faults, tmp_path: Path, voice_data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    armed, engines = faults
    engines.recognizers["en"].timeout = 60.0  # only the loop is blocked, even on a loaded machine
    runtime = _runtime(f"sqlite:///{tmp_path / 'calls.db'}", voice_data_dir)

    async def arm(step: int) -> None:
        if step == 0:
            armed.arm("loop", "block", times=1, seconds=1.2)

    with caplog.at_level(logging.WARNING, logger="agent.server.watchdog"):
        result = asyncio.run(_call(runtime, engines, PERSON, arm))
    blocks = [r for r in caplog.records if r.name == "agent.server.watchdog"]
    assert armed.fired == {"loop": 1}
    assert blocks, "the watchdog logged nothing"
    # the warning says how long and where: the synthesis step that blocked the loop
    assert any("faults.py" in r.getMessage() and "stream" in r.getMessage() for r in blocks)
    assert result.report is not None and result.report["transfer_to"]
    runtime.close()


@pytest.fixture(scope="module")
def postgres():
    bindir = find_pg_bindir()
    if bindir is None:
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(PG_MISSING, pytrace=False)
        pytest.skip(PG_MISSING)
    server = PostgresServer(bindir)
    server.start()
    yield server
    server.stop()


@pytest.mark.postgres
def test_database_stopped_mid_call_apologises_and_stores_the_call_once_back(
    faults, postgres: PostgresServer, voice_data_dir: Path
) -> None:
    _, engines = faults  # none armed: the database is really stopped
    engines.recognizers["en"].timeout = 60.0  # only the database fails, even on a loaded machine
    runtime = _runtime(postgres.create_database("faults_db"), voice_data_dir)
    runtime.calls.list_calls()  # the schema, before the outage

    async def outage(step: int) -> None:
        if step == 0:
            await asyncio.to_thread(postgres.pause)

    async def scenario():
        result = await _call(
            runtime, engines, [CallerStep(say="I'd like to book a table.")], outage
        )
        await asyncio.to_thread(postgres.resume)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the server stores the call's end once it can
            try:
                stored = runtime.calls.get_call(result.call_sid)
            except Exception:
                stored = None
            if stored is not None and stored.status != "in_progress":
                return result, stored
            await asyncio.sleep(0.5)
        return result, runtime.calls.get_call(result.call_sid)

    try:
        result, stored = asyncio.run(scenario())
    finally:
        if not _accepting(postgres):
            postgres.resume()
    print(result.to_dict())
    report = result.report
    assert report is not None and result.ended_by == "agent"
    # the caller heard the scenario's apology ("our booking system has a problem ... call again")
    assert report["turns"][-1]["agent"].startswith("I'm sorry, our booking system has a problem")
    assert stored is not None and stored.status == "failed"
    assert "is unavailable" in (stored.failure_reason or "")  # what failed: the database
    # every event up to the apology is stored, the ones made during the outage included
    types = [e.payload.get("name") for e in runtime.calls.load_events(result.call_sid)]
    assert "backend_failure" in types
    runtime.close()


def _accepting(server: PostgresServer) -> bool:
    import psycopg

    try:
        with psycopg.connect(server.admin_url, connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False
