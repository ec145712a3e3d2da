"""The maximum duration of a call: a processor that tells the dialogue when it is reached."""

from __future__ import annotations

import asyncio

from pipecat.frames.frames import CancelFrame, EndFrame, Frame, StartFrame
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from agent.voice.frames import CallInputFrame, InputKind

__all__ = ["CallTimeLimit"]


class CallTimeLimit(FrameProcessor):
    """Sends ``CallInputFrame(kind=InputKind.TIME_LIMIT)`` ``max_call`` seconds after the start.

    The dialogue stage then ends the call politely. Every frame passes through.

    Args:
        max_call: the longest a call may last (seconds).
    """

    def __init__(self, max_call: float, **kwargs) -> None:
        super().__init__(**kwargs)
        self._max_call = max_call
        self._task: asyncio.Task | None = None

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        """Start the clock with the call; stop it when the call ends."""
        await super().process_frame(frame, direction)
        if isinstance(frame, StartFrame):
            await self.push_frame(frame, direction)
            if self._task is None:
                self._task = self.create_task(self._expire(), "time-limit")
            return
        if isinstance(frame, (EndFrame, CancelFrame)):
            await self._stop()
        await self.push_frame(frame, direction)

    async def cleanup(self) -> None:
        """Stop the clock."""
        await super().cleanup()
        await self._stop()

    async def _stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            await self.cancel_task(task, timeout=1.0)

    async def _expire(self) -> None:
        await asyncio.sleep(self._max_call)
        await self.push_frame(CallInputFrame(kind=InputKind.TIME_LIMIT))
