"""A processor that runs one clock at a time: the base of the call's timers.

:class:`CallTimeLimit`, :class:`SilenceWatch` and :class:`DeadAirWatch` each keep at most one
pending task (the clock); starting a new one stops the old, and the clock stops when the
processor is cleaned up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from pipecat.processors.frame_processor import FrameProcessor

__all__ = ["ClockProcessor"]


class ClockProcessor(FrameProcessor):
    """A frame processor with one restartable clock task."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        """Whether a clock is set."""
        return self._task is not None

    async def start_clock(self, clock: Coroutine[Any, Any, None], name: str) -> None:
        """Stop the running clock, if any, and run ``clock`` instead."""
        await self.stop_clock()
        self._task = self.create_task(clock, name)

    async def stop_clock(self) -> None:
        """Cancel the running clock (a finished one is just forgotten)."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            await self.cancel_task(task, timeout=1.0)

    async def cleanup(self) -> None:
        """Stop the clock."""
        await super().cleanup()
        await self.stop_clock()
