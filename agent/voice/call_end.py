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

    async def close(self, status: str, reason: str | None) -> None:
        """Record the end (once) and close the session (its database work in a thread)."""
        if self._closed:
            return
        self._closed = True
        self._report.status = status
        self._report.reason = reason
        try:
            await asyncio.to_thread(self._session.close, status, reason)
        except Exception as e:  # the call is over either way; log why it was not stored
            log.error("call %s: close failed: %s", self._session.call_id, e)

    async def finish(self, reply: Reply, reason: str | None) -> None:
        """The dialogue ended the call (its last reply was heard): hand over or hang up."""
        self.ending = True
        if reply.transfer_to:
            self._report.transfer_to = reply.transfer_to
            done = self._handover is not None and await self._handover(reply.transfer_to)
            reason = f"transferred to {reply.transfer_to}" + ("" if done else " (simulated)")
        await self.close("completed", reason or "dialogue ended")
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
