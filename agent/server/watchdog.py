"""A watchdog for the server's event loop: one warning each time a step blocks it too long.

Every live call of a process shares one asyncio loop; a step that blocks it (a synchronous
decode, a database call made on the loop, a CPU-heavy loop) delays the audio of every call. The
watchdog is a thread that keeps asking the loop to run a tiny callback
(``call_soon_threadsafe``); when the callback has not run after ``threshold`` seconds, it takes the
loop thread's stack at that moment (cheap: ``sys._current_frames``), waits for the loop to come
back, and logs one warning with how long it was blocked and where. LiveKit's agents do the same.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import time
import traceback
from dataclasses import dataclass

__all__ = ["LoopBlock", "LoopWatchdog"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoopBlock:
    """One time the loop was blocked.

    Attributes:
        seconds: how long the loop did not run callbacks (at least the threshold).
        stack: the loop thread's stack while it was blocked (innermost call last).
    """

    seconds: float
    stack: str


class LoopWatchdog:
    """Watches one event loop from a thread (see the module docstring).

    Args:
        loop: the loop to watch (its thread is the one calling :meth:`start`).
        threshold: seconds without running a callback that count as blocked.
        interval: seconds between two probes while the loop is healthy.
        keep: how many recent blocks :attr:`blocks` keeps (for tests and the bench).
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        threshold: float = 0.5,
        interval: float = 0.1,
        keep: int = 100,
    ) -> None:
        if threshold <= 0:
            raise ValueError("the watchdog's threshold must be positive")
        self.threshold = threshold
        self.interval = interval
        self.blocks: list[LoopBlock] = []
        self._loop = loop
        self._keep = keep
        self._loop_thread = threading.get_ident()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start watching (call it from the loop's own thread)."""
        if self._thread is not None:
            return
        self._loop_thread = threading.get_ident()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="loop-watchdog", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching (returns once the thread has ended, or after a second)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1.0)
            self._thread = None

    @property
    def running(self) -> bool:
        """Whether the watchdog's thread is running."""
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            ran = threading.Event()
            sent = time.monotonic()
            try:
                self._loop.call_soon_threadsafe(ran.set)
            except RuntimeError:  # the loop is closed
                return
            if not ran.wait(self.threshold):
                stack = self._loop_stack()
                while not ran.wait(0.05):
                    if self._stop.is_set() or self._loop.is_closed():
                        return
                self._report(LoopBlock(seconds=time.monotonic() - sent, stack=stack))
            self._stop.wait(self.interval)

    def _loop_stack(self) -> str:
        frame = sys._current_frames().get(self._loop_thread)
        if frame is None:
            return "(the loop thread's stack is not available)"
        return "".join(traceback.format_stack(frame, limit=12))

    def _report(self, block: LoopBlock) -> None:
        self.blocks.append(block)
        del self.blocks[: -self._keep]
        log.warning(
            "event loop blocked for %.2f s (threshold %.2f s): every call's audio waited; "
            "the loop thread was at:\n%s",
            block.seconds,
            self.threshold,
            block.stack.rstrip(),
        )
