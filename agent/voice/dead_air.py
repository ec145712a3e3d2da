"""Dead air after the caller's turn: a processor that tells the dialogue when an answer is slow."""

from __future__ import annotations

import asyncio
import time

from pipecat.frames.frames import CancelFrame, EndFrame, Frame
from pipecat.processors.frame_processor import FrameDirection

from agent.voice.clock import ClockProcessor
from agent.voice.frames import DeadAirFrame, UtteranceDroppedFrame, UtteranceEndedFrame

__all__ = ["DeadAirWatch"]


class DeadAirWatch(ClockProcessor):
    """Sends a :class:`~agent.voice.frames.DeadAirFrame` ``dead_air`` seconds after the caller's last word.

    Placed in front of the dialogue stage, which then plays "one moment" unless its answer
    has started (slow recognition on a busy machine). A new end of turn restarts the clock; a
    turn that held no words (:class:`~agent.voice.frames.UtteranceDroppedFrame`) stops it.
    Every frame passes through.

    Args:
        dead_air: seconds after the caller's last voiced audio.
    """

    def __init__(self, dead_air: float, **kwargs) -> None:
        super().__init__(**kwargs)
        self._dead_air = dead_air

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        """Start the clock at each end of turn; stop it on a dropped turn or at the end."""
        await super().process_frame(frame, direction)
        if isinstance(frame, (UtteranceEndedFrame, UtteranceDroppedFrame, EndFrame, CancelFrame)):
            await self.stop_clock()
        if isinstance(frame, UtteranceEndedFrame):
            await self.start_clock(self._watch(frame.speech_end), "dead-air")
        await self.push_frame(frame, direction)

    async def _watch(self, speech_end: float) -> None:
        await asyncio.sleep(max(0.0, speech_end + self._dead_air - time.monotonic()))
        await self.push_frame(DeadAirFrame(speech_end=speech_end))
