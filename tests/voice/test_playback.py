"""Playback: what the caller has heard (marks echoed, or the estimated playback time passed)."""

from __future__ import annotations

import asyncio
import time

from agent.voice.playback import Playback


def test_a_mark_echoed_means_heard() -> None:
    async def main() -> None:
        playback = Playback(mark_grace=5.0)
        playback.sent(10.0)
        name = playback.mark("Hello.")
        assert playback.playing()
        waiting = asyncio.ensure_future(playback.wait_played())
        await asyncio.sleep(0.05)
        assert not waiting.done()
        playback.echoed(name)
        await asyncio.wait_for(waiting, 1.0)
        assert not playback.playing()

    asyncio.run(main())


def test_without_an_echo_the_playback_time_and_grace_decide() -> None:
    async def main() -> None:
        playback = Playback(mark_grace=0.05)
        playback.sent(0.1)
        playback.mark("Yes.")
        started = time.monotonic()
        await asyncio.wait_for(playback.wait_played(), 1.0)
        assert 0.1 <= time.monotonic() - started < 0.5

    asyncio.run(main())


def test_a_barge_in_cuts_playback() -> None:
    playback = Playback(mark_grace=1.0)
    playback.sent(10.0)
    playback.mark("A long read-back.")
    playback.cut()
    assert not playback.playing()
    asyncio.run(asyncio.wait_for(playback.wait_played(), 0.1))
