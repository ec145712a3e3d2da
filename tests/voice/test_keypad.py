"""KeypadAggregator alone (pipecat's run_test): keys become one ``dtmf`` entry, never words."""

from __future__ import annotations

import asyncio

from pipecat.audio.dtmf.types import KeypadEntry
from pipecat.frames.frames import InputDTMFFrame, InterruptionFrame, TranscriptionFrame
from pipecat.tests.utils import SleepFrame, run_test

from agent.voice.frames import CallInputFrame, InputKind
from agent.voice.keypad import KeypadAggregator


def _keys(keys: str) -> list[InputDTMFFrame]:
    return [InputDTMFFrame(KeypadEntry(k)) for k in keys]


def _entries(frames) -> list[str | None]:
    return [f.value for f in frames if isinstance(f, CallInputFrame)]


def _run(frames, timeout: float = 3.0):
    return asyncio.run(run_test(KeypadAggregator(timeout=timeout), frames_to_send=frames))


def test_a_date_keyed_and_ended_by_hash_is_one_entry_without_the_hash() -> None:
    down, up = _run(_keys("1126#"))
    assert _entries(down) == ["1126"]
    entry = next(f for f in down if isinstance(f, CallInputFrame))
    assert entry.kind is InputKind.DTMF
    # the keys pass on (they stop the silence timer), and the entry follows the last key
    kinds = [type(f) for f in down]
    assert kinds.count(InputDTMFFrame) == 5
    assert kinds.index(CallInputFrame) > max(i for i, k in enumerate(kinds) if k is InputDTMFFrame)
    assert not any(isinstance(f, TranscriptionFrame) for f in down)  # keys are never words


def test_a_pause_ends_the_entry() -> None:
    down, _ = _run([*_keys("13"), SleepFrame(0.4), *_keys("4#")], timeout=0.2)
    assert _entries(down) == ["13", "4"]


def test_keys_do_not_interrupt_the_agent() -> None:
    down, up = _run(_keys("2#"))
    assert _entries(down) == ["2"]
    assert not any(isinstance(f, InterruptionFrame) for f in [*down, *up])


def test_a_hash_alone_sends_nothing_and_unfinished_keys_are_dropped_at_the_end() -> None:
    down, _ = _run(_keys("#12"))
    assert _entries(down) == []
