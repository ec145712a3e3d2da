"""CallTimeLimit alone (pipecat's run_test): the dialogue hears when a call has lasted too long."""

from __future__ import annotations

import asyncio

from pipecat.frames.frames import TextFrame
from pipecat.tests.utils import SleepFrame, run_test

from agent.voice.frames import CallInputFrame, InputKind
from agent.voice.time_limit import CallTimeLimit


def test_the_limit_is_sent_once_after_max_call_seconds() -> None:
    down, _ = asyncio.run(
        run_test(CallTimeLimit(0.2), frames_to_send=[TextFrame("a"), SleepFrame(0.4)])
    )
    limits = [f for f in down if isinstance(f, CallInputFrame)]
    assert [f.kind for f in limits] == [InputKind.TIME_LIMIT]
    assert any(isinstance(f, TextFrame) for f in down)  # everything else passes


def test_a_call_that_ends_first_hears_nothing() -> None:
    down, _ = asyncio.run(run_test(CallTimeLimit(5.0), frames_to_send=[TextFrame("a")]))
    assert not any(isinstance(f, CallInputFrame) for f in down)
