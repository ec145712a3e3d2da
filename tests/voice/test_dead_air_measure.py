"""How the simulated caller measures dead air from the audio it receives (simulator.dead_air)."""

from __future__ import annotations

import numpy as np

from agent.voice.audio import PcmAudio
from agent.voice.simulator import dead_air


def _voiced(seconds: float) -> bytes:
    t = np.arange(int(seconds * 8000)) / 8000
    tone = (8000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    return PcmAudio(tone.tobytes(), 8000).to_mulaw_8k()


def _silent(seconds: float) -> bytes:
    return b"\xff" * int(seconds * 8000)


def test_the_wait_until_the_first_heard_frame_counts() -> None:
    chunks = [(11.0, _voiced(0.5))]
    assert abs(dead_air(chunks, since=10.0, until=15.0) - 1.0) < 0.03


def test_a_gap_inside_the_answer_counts_and_the_callers_own_pause_does_not() -> None:
    # "one moment" (0.5 s) at +0.2, silence sent as audio, the answer 2 s after it ended
    chunks = [(10.2, _voiced(0.5)), (10.7, _silent(0.3)), (12.7, _voiced(1.0))]
    assert abs(dead_air(chunks, since=10.0, until=20.0) - 2.0) < 0.03  # not the 6.3 s after


def test_no_answer_at_all_is_the_whole_wait() -> None:
    assert dead_air([], since=10.0, until=30.0) == 20.0
    assert dead_air([(11.0, _silent(1.0))], since=10.0, until=14.0) == 4.0


def test_an_answer_heard_while_the_caller_still_spoke_leaves_no_wait() -> None:
    chunks = [(9.0, _voiced(0.8)), (9.8, _silent(0.4))]  # ends before the caller's last word
    assert dead_air(chunks, since=10.0, until=13.5, line_start=8.5) == 0.0
    assert dead_air(chunks, since=10.0, until=13.5) == 3.5  # without the line's start: a wait
