"""How a call ends: the session closed once with its status, the pipeline told to stop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from pipecat.frames.frames import CancelWorkerFrame, EndWorkerFrame, Frame

from agent.voice.dialogue_port import DialoguePort, Handover
from agent.voice.frames import InputKind
from agent.voice.report import CallReport
from dialogue.acts import Reply

__all__ = ["CallEnd"]

log = logging.getLogger(__name__)


class CallEnd:
    """Ends one call exactly once, whichever way it ends (one per call).

    The dialogue ends it (goodbye, hand-over: ``EndWorkerFrame``, the stream closes after
    the last audio), the caller hangs up (``CancelWorkerFrame``), the media stream breaks
    (``failed``), or the pipeline stops first (``hangup``/``completed`` by the dialogue's state).

    Args:
        session: the call's dialogue session.
        report: the call's voice record (its status and reason are set here).
        push_upstream: sends a frame upstream (to stop the pipeline worker).
        handover: transfers the live call to a number (``None``: recorded as simulated).
    """

    def __init__(
        self,
        session: DialoguePort,
        report: CallReport,
        push_upstream: Callable[[Frame], Awaitable[None]],
        handover: Handover | None,
    ) -> None:
        self._session = session
        self._report = report
        self._push_upstream = push_upstream
        self._handover = handover
        #: the call is ending: no more turns
        self.ending = False
        self._closed = False
        self.stored = True

    async def close(self, status: str, reason: str | None) -> None:
        """Record the end (once) and close the session (its database work in a thread)."""
        if self._closed:
            return
        self._closed = True
        faults = self._report.fault_summary()
        if faults:  # the call is stored with what failed on the way
            reason = f"{reason}; {faults}" if reason else faults
        self._report.status = status
        self._report.reason = reason
        try:
            stored = await asyncio.to_thread(self._session.close, status, reason)
        except Exception as e:  # the call is over either way; log why it was not stored
            log.error("call %s: close failed: %s", self._session.call_id, e)
            stored = False
        #: whether the end reached the store (``False``: the database was down; retried later)
        self.stored = stored is not False

    async def finish(self, reply: Reply, reason: str | None, *, status: str = "completed") -> None:
        """The dialogue ended the call (its last reply was heard): hand over or hang up.

        ``status`` is ``failed`` when the voice layer gave up after repeated failures.
        """
        self.ending = True
        if reply.transfer_to:
            self._report.transfer_to = reply.transfer_to
            done = self._handover is not None and await self._handover(reply.transfer_to)
            transferred = f"transferred to {reply.transfer_to}" + ("" if done else " (simulated)")
            reason = f"{reason}, {transferred}" if reason else transferred
        await self.close(status, reason or "dialogue ended")
        await self._push_upstream(EndWorkerFrame(reason=reason))

    async def hang_up(self, reason: str, stop_speech: Callable[[], Awaitable[None]]) -> None:
        """The caller hung up: stop speaking, tell the dialogue, stop the pipeline."""
        if self.ending:
            return
        self.ending = True
        await stop_speech()  # ends a streaming reply, so the session's turn is recorded
        if not self._session.ended:
            try:
                stream = await self._session.event_stream(InputKind.HANGUP.value)
                await stream.aclose()
            except Exception as e:
                log.error("call %s: hangup event failed: %s", self._session.call_id, e)
        await self.close("hangup", reason)
        await self._push_upstream(CancelWorkerFrame(reason=reason))

    async def abort(self, reason: str) -> None:
        """The call cannot go on (a bad media stream, speech that cannot be synthesised)."""
        if self._closed or self.ending:
            return
        self.ending = True
        await self.close("failed", reason)
        await self._push_upstream(CancelWorkerFrame(reason=reason))

    async def stopped(self, *, cancelled: bool) -> None:
        """The pipeline stopped: record the end if nothing else did."""
        if self._closed:
            return
        if self._session.ended:
            await self.close("completed", "dialogue ended")
        else:
            await self.close("hangup", "stream closed" if cancelled else "pipeline ended")
