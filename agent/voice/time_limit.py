"""The maximum duration of a call: a processor that tells the dialogue when it is reached."""

from __future__ import annotations

import asyncio

from pipecat.frames.frames import CancelFrame, EndFrame, Frame, StartFrame
from pipecat.processors.frame_processor import FrameDirection

from agent.voice.clock import ClockProcessor
from agent.voice.frames import CallInputFrame, InputKind

__all__ = ["CallTimeLimit"]


class CallTimeLimit(ClockProcessor):
    """Sends ``CallInputFrame(kind=InputKind.TIME_LIMIT)`` ``max_call`` seconds after the start.

    The dialogue stage then ends the call politely. Every frame passes through.

    Args:
        max_call: the longest a call may last (seconds).
    """

    def __init__(self, max_call: float, **kwargs) -> None:
        super().__init__(**kwargs)
        self._max_call = max_call

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        """Start the clock with the call; stop it when the call ends."""
        await super().process_frame(frame, direction)
        if isinstance(frame, StartFrame):
            await self.push_frame(frame, direction)
            if not self.running:
                await self.start_clock(self._expire(), "time-limit")
            return
        if isinstance(frame, (EndFrame, CancelFrame)):
            await self.stop_clock()
        await self.push_frame(frame, direction)

    async def _expire(self) -> None:
        await asyncio.sleep(self._max_call)
        await self.push_frame(CallInputFrame(kind=InputKind.TIME_LIMIT))
