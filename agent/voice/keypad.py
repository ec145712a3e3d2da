"""Keypad input: DTMF keys collected into one entry (pipecat's ``DTMFAggregator``, thinned).

The dialogue reads dates, times, counts, phone numbers and menu choices from a whole entry
(``dialogue.keypad``), so keys are collected until ``#`` or a pause and sent on as one
:class:`~agent.voice.frames.CallInputFrame` of kind ``dtmf`` holding the digits without ``#``.

pipecat's aggregator does the collecting (the idle timer, ``#``); this subclass changes what
it emits and one thing it does:

* it emits the digits as a ``dtmf`` input, not a ``TranscriptionFrame`` "DTMF: 1126#": the
  dialogue must get keys as keys, never as words (a ``#`` alone sends nothing);
* a first key does not interrupt the agent: barge-in is by voice only (the interruption
  would clear Twilio's buffer without the dialogue knowing what was cut);
* keys pending when the call ends are dropped, not flushed to a dialogue that is closing.
"""

from __future__ import annotations

from pipecat.audio.dtmf.types import KeypadEntry
from pipecat.frames.frames import CancelFrame, EndFrame, Frame, InputDTMFFrame
from pipecat.processors.aggregators.dtmf_aggregator import DTMFAggregator
from pipecat.processors.frame_processor import FrameDirection

from agent.voice.frames import CallInputFrame, InputKind

__all__ = ["KeypadAggregator"]


class KeypadAggregator(DTMFAggregator):
    """Collects DTMF keys until ``#`` or ``timeout`` seconds after the last key.

    ``InputDTMFFrame``s pass on downstream (a key also stops the silence timer), each entry
    follows as ``CallInputFrame(kind=InputKind.DTMF, value="1126")``.

    Args:
        timeout: pause after the last key before the digits are sent without ``#``.
    """

    def __init__(self, timeout: float = 3.0, **kwargs) -> None:
        super().__init__(timeout=timeout, termination_digit=KeypadEntry.POUND, prefix="", **kwargs)

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        """Collect keys; drop an unfinished entry when the call ends."""
        if isinstance(frame, (EndFrame, CancelFrame)):
            self._aggregation = ""
        await super().process_frame(frame, direction)

    async def _handle_dtmf_frame(self, frame: InputDTMFFrame) -> None:
        # pipecat's version also interrupts the agent at the first key (see the docstring)
        self._aggregation += frame.button.value
        if frame.button == self._termination_digit:
            await self._flush_aggregation()
        else:
            self._digit_event.set()

    async def _flush_aggregation(self) -> None:
        digits, self._aggregation = self._aggregation.rstrip(KeypadEntry.POUND.value), ""
        if digits:
            await self.push_frame(CallInputFrame(kind=InputKind.DTMF, value=digits))
