"""The huey tasks themselves (run in the caller: huey's immediate mode): dispatch claims under
the cap and places one call per claim; the periodic sweep dispatches what became due."""

from __future__ import annotations

from pathlib import Path

from agent.campaigns import Campaigns, FixedClock, build_queue
from agent.config import Settings
from tests.campaigns.conftest import RecordingDialer, advance_to, korean_people, kst, setup_campaign


def test_dispatch_and_sweep_tasks_place_calls_under_the_cap(
    campaigns: Campaigns, clock: FixedClock, dialer: RecordingDialer, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, queue_url="memory://")
    queue = build_queue(settings, campaigns=campaigns, dialer=dialer, immediate=True)
    setup_campaign(campaigns, tmp_path, korean_people(5), max_concurrent=2)
    queue.enqueue_dispatch("test")
    assert dialer.calls == []  # 09:00: before the window
    advance_to(clock, kst(21, 10))
    queue.enqueue_dispatch("test")
    assert len(dialer.calls) == 2  # the cap
    for call in dialer.calls:
        assert call.attempt is not None
        campaigns.on_status(int(call.attempt), None, "busy")
    queue.enqueue_sweep()  # what the consumer runs every minute
    assert len(dialer.calls) == 4
    assert campaigns.status("test").active == 2
    assert {c.to for c in dialer.calls[2:]}.isdisjoint({c.to for c in dialer.calls[:2]})
