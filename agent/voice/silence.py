"""Caller silence after a prompt: a processor that tells the dialogue when the caller says nothing."""

from __future__ import annotations

import asyncio

from pipecat.frames.frames import (
    CancelFrame,
    EndFrame,
    Frame,
    InputDTMFFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.processors.frame_processor import FrameDirection

from agent.voice.clock import ClockProcessor
from agent.voice.frames import (
    AwaitingCallerFrame,
    CallInputFrame,
    InputKind,
    UserUtteranceFrame,
    UtteranceEndedFrame,
)
from agent.voice.playback import Playback

__all__ = ["SilenceWatch"]

#: frames that show the caller is taking their turn (speaking or keying)
_CALLER_ACTIVITY = (
    UserUtteranceFrame,
    UtteranceEndedFrame,
    CallInputFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
    InputDTMFFrame,
)


class SilenceWatch(ClockProcessor):
    """Sends ``CallInputFrame(kind=InputKind.SILENCE)`` when the caller leaves a prompt unanswered.

    Placed just in front of the dialogue stage. The clock starts when the dialogue says it
    awaits the caller (:class:`~agent.voice.frames.AwaitingCallerFrame`, upstream) and the
    prompt has finished playing (``playback``, shared with the dialogue stage); ``silence``
    seconds later the dialogue hears the silence (its re-prompt). Caller speech, keys or any
    other input stop the clock. Every other frame passes through.

    Args:
        silence: seconds of silence after the end of a prompt's playback.
        playback: what the caller has heard of the agent (the dialogue stage's).
    """

    def __init__(self, silence: float, playback: Playback, **kwargs) -> None:
        super().__init__(**kwargs)
        self._silence = silence
        self._playback = playback

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        """Start the clock after a prompt; stop it on caller activity or at the end."""
        await super().process_frame(frame, direction)
        if isinstance(frame, AwaitingCallerFrame):
            await self.start_clock(self._watch(), "silence")
            return  # addressed to this stage only
        if isinstance(frame, (*_CALLER_ACTIVITY, EndFrame, CancelFrame)):
            await self.stop_clock()
        await self.push_frame(frame, direction)

    async def _watch(self) -> None:
        await self._playback.wait_played()
        await asyncio.sleep(self._silence)
        await self.push_frame(CallInputFrame(kind=InputKind.SILENCE))
