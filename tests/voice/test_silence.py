"""SilenceWatch alone (pipecat's run_test): caller silence after a played prompt is a re-prompt."""

from __future__ import annotations

import asyncio

from pipecat.audio.dtmf.types import KeypadEntry
from pipecat.frames.frames import (
    Frame,
    InputDTMFFrame,
    TextFrame,
    VADUserStartedSpeakingFrame,
)
from pipecat.pipeline.pipeline import Pipeline
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.tests.utils import SleepFrame, run_test

from agent.voice.frames import AwaitingCallerFrame, CallInputFrame, InputKind
from agent.voice.playback import Playback
from agent.voice.silence import SilenceWatch


class Dialogue(FrameProcessor):
    """Stands in for the dialogue stage and the caller's phone.

    ``TextFrame("prompt")``: a reply is sent that awaits the caller; ``TextFrame("echo")``: the
    caller's side has played it (its mark comes back).
    """

    def __init__(self, playback: Playback) -> None:
        super().__init__()
        self._playback = playback

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, TextFrame) and frame.text == "prompt":
            self._playback.sent(0.0)
            self._playback.mark("Which day?")
            await self.push_frame(AwaitingCallerFrame(), FrameDirection.UPSTREAM)
        elif isinstance(frame, TextFrame) and frame.text == "echo":
            self._playback.echoed("reply-1")
        await self.push_frame(frame, direction)


def _silences(frames: list[Frame]) -> list[InputKind]:
    playback = Playback(mark_grace=5.0)  # marks are awaited, never timed out here
    pipeline = Pipeline([SilenceWatch(0.3, playback), Dialogue(playback)])
    down, up = asyncio.run(run_test(pipeline, frames_to_send=frames))
    assert not any(isinstance(f, AwaitingCallerFrame) for f in up)  # for the watch only
    return [f.kind for f in down if isinstance(f, CallInputFrame)]


def test_silence_after_a_played_prompt_is_sent_once() -> None:
    frames = [TextFrame("prompt"), TextFrame("echo"), SleepFrame(0.8)]
    assert _silences(frames) == [InputKind.SILENCE]


def test_silence_is_counted_from_the_end_of_playback() -> None:
    # 0.65 s after the prompt was sent, but only 0.15 s after the caller heard it
    frames = [TextFrame("prompt"), SleepFrame(0.5), TextFrame("echo"), SleepFrame(0.15)]
    assert _silences(frames) == []
    frames = [TextFrame("prompt"), SleepFrame(0.5), TextFrame("echo"), SleepFrame(0.5)]
    assert _silences(frames) == [InputKind.SILENCE]


def test_nothing_is_sent_without_a_prompt() -> None:
    assert _silences([TextFrame("other"), SleepFrame(0.5)]) == []


def test_caller_speech_or_a_key_stops_the_clock() -> None:
    for activity in (VADUserStartedSpeakingFrame(), InputDTMFFrame(KeypadEntry("1"))):
        frames = [TextFrame("prompt"), TextFrame("echo"), SleepFrame(0.1), activity]
        assert _silences([*frames, SleepFrame(0.5)]) == []


def test_an_input_from_another_stage_stops_the_clock() -> None:
    keyed = CallInputFrame(kind=InputKind.DTMF, value="12")
    frames = [TextFrame("prompt"), TextFrame("echo"), SleepFrame(0.1), keyed, SleepFrame(0.5)]
    assert _silences(frames) == [InputKind.DTMF]
