"""The event-loop watchdog (agent/server/watchdog.py): a loop blocked on purpose is logged once,
with the blocking code's place; a healthy loop is not; the server starts it."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from fastapi.testclient import TestClient

from agent.config import Settings
from agent.server.app import create_app
from agent.server.watchdog import LoopWatchdog
from agent.voice.engines import VoiceEngines
from tests.voice.fakes import FakeRuntime


def _block_the_loop_on_purpose(seconds: float) -> None:
    time.sleep(seconds)  # a synchronous step run on the loop


async def _run(work) -> LoopWatchdog:
    watchdog = LoopWatchdog(asyncio.get_running_loop(), threshold=0.15, interval=0.02)
    watchdog.start()
    try:
        await asyncio.sleep(0.1)
        await work()
        await asyncio.sleep(0.3)
    finally:
        watchdog.stop()
    return watchdog


def test_a_blocked_loop_is_logged_once_with_where_it_was(caplog: pytest.LogCaptureFixture) -> None:
    async def blocking() -> None:
        _block_the_loop_on_purpose(0.6)

    with caplog.at_level(logging.WARNING, logger="agent.server.watchdog"):
        watchdog = asyncio.run(_run(blocking))
    (block,) = watchdog.blocks
    assert block.seconds >= watchdog.threshold
    assert "_block_the_loop_on_purpose" in block.stack
    (record,) = [r for r in caplog.records if r.name == "agent.server.watchdog"]
    assert "event loop blocked for" in record.getMessage()
    assert "_block_the_loop_on_purpose" in record.getMessage()


def test_a_loop_that_awaits_is_not_reported(caplog: pytest.LogCaptureFixture) -> None:
    async def awaiting() -> None:
        for _ in range(20):
            await asyncio.sleep(0.03)

    with caplog.at_level(logging.WARNING, logger="agent.server.watchdog"):
        watchdog = asyncio.run(_run(awaiting))
    assert watchdog.blocks == []
    assert not [r for r in caplog.records if r.name == "agent.server.watchdog"]


def test_the_server_runs_the_watchdog_while_it_serves(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path, loop_watchdog_seconds=0.2, twilio_auth_token="t")
    app = create_app(settings, FakeRuntime(), engines=VoiceEngines())
    state = app.state.aicall
    with TestClient(app):
        assert state.watchdog is not None and state.watchdog.running
        assert state.watchdog.threshold == 0.2
    assert not state.watchdog.running


def test_a_threshold_of_zero_is_refused() -> None:
    loop = asyncio.new_event_loop()
    try:
        with pytest.raises(ValueError, match="positive"):
            LoopWatchdog(loop, threshold=0)
    finally:
        loop.close()
