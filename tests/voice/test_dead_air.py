"""DeadAirWatch alone (pipecat's run_test): a caller turn left unanswered is reported once."""

from __future__ import annotations

import asyncio
import time

from pipecat.frames.frames import Frame
from pipecat.tests.utils import SleepFrame, run_test

from agent.voice.dead_air import DeadAirWatch
from agent.voice.frames import DeadAirFrame, UtteranceDroppedFrame, UtteranceEndedFrame


def _reports(frames: list[Frame]) -> list[float]:
    down, _ = asyncio.run(run_test(DeadAirWatch(0.3), frames_to_send=frames))
    assert any(isinstance(f, UtteranceEndedFrame) for f in down)  # every frame passes
    return [f.speech_end for f in down if isinstance(f, DeadAirFrame)]


def test_dead_air_is_reported_after_the_callers_last_word() -> None:
    # timed from the caller's last word (speech_end), not from when the frame arrives
    speech_end = time.monotonic() + 1.0
    assert _reports([UtteranceEndedFrame(speech_end=speech_end), SleepFrame(0.3)]) == []
    speech_end = time.monotonic()
    assert _reports([UtteranceEndedFrame(speech_end=speech_end), SleepFrame(0.8)]) == [speech_end]


def test_a_new_turn_restarts_the_clock() -> None:
    first, second = time.monotonic(), time.monotonic() + 0.3
    frames = [UtteranceEndedFrame(speech_end=first), UtteranceEndedFrame(speech_end=second)]
    assert _reports([*frames, SleepFrame(1.0)]) == [second]


def test_a_turn_without_words_stops_the_clock() -> None:
    frames = [UtteranceEndedFrame(speech_end=time.monotonic()), UtteranceDroppedFrame()]
    assert _reports([*frames, SleepFrame(0.6)]) == []
