"""What the caller has heard of the agent: Twilio marks sent and echoed, the end of playback."""

from __future__ import annotations

import asyncio
import time

__all__ = ["Playback"]


class Playback:
    """Tracks the agent's audio on its way to the caller (one per call).

    Each reply is followed by a Twilio ``mark``; the caller has heard it when the mark comes
    back, or, for a client that does not echo marks, once its estimated playback time (plus
    ``mark_grace``) has passed.

    Args:
        mark_grace: how long past the estimated end of playback a missing mark is awaited.
    """

    def __init__(self, mark_grace: float) -> None:
        self.mark_grace = mark_grace
        #: monotonic time the last audio frame was sent
        self.last_audio = 0.0
        self._marks: dict[str, str] = {}
        self._seq = 0
        self._end = 0.0
        self._played = asyncio.Event()
        self._played.set()

    def sent(self, duration: float) -> float:
        """Count ``duration`` seconds of audio sent now; returns the time (monotonic)."""
        now = time.monotonic()
        self._end = max(now, self._end) + duration
        self.last_audio = now
        return now

    def mark(self, text: str) -> str:
        """A new mark's name, for ``text`` just sent."""
        self._seq += 1
        name = f"reply-{self._seq}"
        self._marks[name] = text
        self._played.clear()
        return name

    def echoed(self, name: str) -> None:
        """The caller's side played everything up to mark ``name``."""
        self._marks.pop(name, None)
        if not self._marks:
            self._played.set()

    @property
    def end(self) -> float:
        """Estimated monotonic time the audio sent so far has finished playing."""
        return self._end

    def playing(self) -> bool:
        """Whether audio sent is still being played to the caller."""
        return bool(self._marks) and time.monotonic() < self._end

    def cut(self) -> None:
        """The caller's buffer was cleared (barge-in): nothing is playing any more."""
        self._marks.clear()
        self._played.set()
        self._end = time.monotonic()

    async def wait_played(self) -> None:
        """Wait until the caller has heard everything sent (mark echoed, or time passed)."""
        while self._marks:
            remaining = self._end + self.mark_grace - time.monotonic()
            if remaining <= 0:
                self._marks.clear()
                break
            try:
                await asyncio.wait_for(self._played.wait(), remaining)
            except TimeoutError:
                continue
