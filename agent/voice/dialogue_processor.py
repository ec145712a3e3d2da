"""The pipeline stage that runs the dialogue of one call and speaks its replies.

It takes recognised caller turns, DTMF keys and call events, asks the call's dialogue session
(off the event loop: the session blocks on NLU and the database), synthesises the reply
sentence by sentence and sends it to the caller, followed by a Twilio ``mark`` so it knows when
the caller has heard it. Around that it owns the behaviour of a live call:

* the greeting when the call connects; hang-up once the dialogue ends; hand-over;
* barge-in: caller speech while the agent talks stops synthesis, clears Twilio's buffer and
  tells the dialogue which prompt was cut;
* silence after a prompt becomes the dialogue's ``silence`` event (its re-prompt);
* DTMF keys are collected until ``#`` or a pause and sent as one ``dtmf`` event (the dialogue
  reads dates, times, counts, phone numbers and menu choices from them: ``dialogue.keypad``);
  the session is told the call is on the ``voice`` channel, so its re-prompts say what can be
  keyed;
* failures of recognition, synthesis or the dialogue become an apology, never dead air: when
  the dialogue takes long a short "one moment" is played; repeated failures hand over or end
  the call politely;
* a maximum call duration.

All frame handling here is non-blocking: slow work runs in tasks this processor tracks and
cancels (with a timeout) when the call ends.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from pipecat.frames.frames import (
    CancelFrame,
    CancelWorkerFrame,
    EndFrame,
    EndWorkerFrame,
    Frame,
    InputDTMFFrame,
    OutputTransportMessageFrame,
    OutputTransportMessageUrgentFrame,
    StartFrame,
    TTSAudioRawFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from agent.voice.dialogue_port import DialoguePort, DialogueTimeouts, Handover
from agent.voice.frames import (
    CallState,
    RecognitionFailedFrame,
    UserUtteranceFrame,
    UtteranceDroppedFrame,
    UtteranceEndedFrame,
)
from agent.voice.phrases import phrases_for
from agent.voice.report import CallReport, TurnTiming
from agent.voice.tts import Synthesizer
from common.errors import AicallError
from dialogue.acts import Reply
from telephony.twilio.serializer import (
    MediaStreamErrorFrame,
    PlaybackMarkFrame,
    StreamStoppedFrame,
    mark_message,
)

__all__ = ["DialoguePort", "DialogueProcessor", "DialogueTimeouts", "Handover"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Input:
    kind: str  # greeting | speech | asr_failed | dtmf | silence | barge_in | time_limit
    text: str | None = None
    speech_end: float | None = None
    transcript_ready: float | None = None
    asr_seconds: float | None = None


class DialogueProcessor(FrameProcessor):
    """Runs a call's dialogue and speaks its replies (see the module docstring).

    Args:
        session: the call's dialogue session.
        synthesizer: the shared synthesizer of the call's language.
        state: state shared with the recognition stage (what the dialogue expects).
        report: the call's voice record (turns, timings, outcome).
        language: the call's language (for the voice layer's own phrases).
        handover: transfers the live call to a number (``None``: end the call instead).
        handover_number: where to hand over after repeated failures.
        timeouts: timers of the call.
        max_failures: consecutive dialogue failures tolerated before handing over.
        output_rate: sample rate of the audio sent out (8 kHz for the phone).
        transcript_events: also send ``transcript`` messages (the browser softphone shows
            them; never sent to Twilio).
    """

    def __init__(
        self,
        session: DialoguePort,
        synthesizer: Synthesizer,
        state: CallState,
        report: CallReport,
        *,
        language: str,
        handover: Handover | None = None,
        handover_number: str | None = None,
        timeouts: DialogueTimeouts | None = None,
        max_failures: int = 2,
        output_rate: int = 8000,
        transcript_events: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self._session = session
        session.set_channel("voice")  # before the greeting: no turn runs yet (in memory)
        self._tts = synthesizer
        self._state = state
        self._report = report
        self._phrases = phrases_for(language)
        self._language = language
        self._handover = handover
        self._handover_number = handover_number
        self._timeouts = timeouts or DialogueTimeouts()
        self._max_failures = max_failures
        self._rate = output_rate
        self._transcript_events = transcript_events
        self._inputs: asyncio.Queue[_Input] = asyncio.Queue()
        self._worker: asyncio.Task | None = None
        self._speech: asyncio.Task | None = None
        self._silence: asyncio.Task | None = None
        self._limit: asyncio.Task | None = None
        self._dtmf: asyncio.Task | None = None
        self._dead_air: asyncio.Task | None = None
        self._speak_lock = asyncio.Lock()
        self._last_audio = 0.0
        self._side_tasks: set[asyncio.Task] = set()
        self._marks: dict[str, str] = {}
        self._mark_seq = 0
        self._playback_end = 0.0
        self._played = asyncio.Event()
        self._played.set()
        self._speaking_text: str | None = None
        self._speaking_turn: TurnTiming | None = None
        self._digits = ""
        self._failures = 0
        self._ending = False
        self._closed = False

    # Frames -----------------------------------------------------------------------------

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        """Route call frames; never blocks (work runs in tracked tasks)."""
        await super().process_frame(frame, direction)
        if isinstance(frame, StartFrame):
            await self.push_frame(frame, direction)
            self._worker = self.create_task(self._work(), "dialogue")
            self._limit = self.create_task(self._time_limit(), "time-limit")
            self._inputs.put_nowait(_Input("greeting"))
        elif isinstance(frame, UserUtteranceFrame):
            self._cancel_silence()
            self._inputs.put_nowait(
                _Input(
                    "speech",
                    frame.text,
                    frame.speech_end,
                    frame.transcript_ready,
                    frame.asr_seconds,
                )
            )
        elif isinstance(frame, UtteranceEndedFrame):
            self._cancel_silence()
            self._cancel_dead_air()
            if not self._ending:
                self._dead_air = self.create_task(self._guard(frame.speech_end), "dead-air")
        elif isinstance(frame, UtteranceDroppedFrame):
            self._cancel_dead_air()
        elif isinstance(frame, RecognitionFailedFrame):
            log.warning("call %s: recognition failed: %s", self._session.call_id, frame.reason)
            self._inputs.put_nowait(_Input("asr_failed", speech_end=frame.speech_end))
        elif isinstance(frame, VADUserStartedSpeakingFrame):
            self._cancel_silence()
            if self._is_speaking():
                await self._barge_in()
        elif isinstance(frame, VADUserStoppedSpeakingFrame):
            pass
        elif isinstance(frame, InputDTMFFrame):
            self._on_digit(str(frame.button.value))
        elif isinstance(frame, PlaybackMarkFrame):
            self._marks.pop(frame.name, None)
            if not self._marks:
                self._played.set()
        elif isinstance(frame, StreamStoppedFrame):
            self._spawn(self._hang_up("caller hung up"))
        elif isinstance(frame, MediaStreamErrorFrame):
            if not self._ending:  # a disconnect after a stop or our hang-up is no error
                log.warning("call %s: bad media stream: %s", self._session.call_id, frame.reason)
                self._spawn(self._abort(f"bad media stream message: {frame.reason}"))
        elif isinstance(frame, (EndFrame, CancelFrame)):
            await self._shutdown(cancelled=isinstance(frame, CancelFrame))
            await self.push_frame(frame, direction)
        else:
            await self.push_frame(frame, direction)

    # The turn loop ------------------------------------------------------------------------

    async def _work(self) -> None:
        while True:
            item = await self._inputs.get()
            if self._ending:
                continue
            await self._handle(item)

    async def _handle(self, item: _Input) -> None:
        rel = self._report.rel
        turn = TurnTiming(
            kind=item.kind,
            user=item.text,
            speech_end=rel(item.speech_end),
            transcript_ready=rel(item.transcript_ready),
            asr_seconds=None if item.asr_seconds is None else round(item.asr_seconds, 3),
        )
        self._report.turns.append(turn)
        session = self._session
        reply: Reply | None
        if item.kind == "asr_failed":
            reply = Reply(text=self._phrases.not_heard, expects=self._state.expects)
        elif item.kind == "time_limit":
            reply = Reply(text=self._phrases.time_limit, end_call=True)
        elif item.kind == "greeting":
            reply = await self._ask(session.start)
        elif item.kind == "speech":
            text = item.text or ""
            reply = await self._ask(lambda: session.user_text(text))
        else:
            kind, value = item.kind, item.text
            reply = await self._ask(lambda: session.event(kind, value))
        turn.reply_ready = rel(time.monotonic())
        if item.kind in ("speech", "dtmf") and item.text:
            await self._transcript("caller", item.text)
        if reply is None:
            return
        if reply.expects is not None or not reply.end_call:
            self._state.expects = reply.expects
        if item.kind == "barge_in":
            # The caller is talking: the reply to what they say comes with their words.
            turn.agent = None
            if not (reply.end_call or reply.transfer_to):
                return
        else:
            turn.agent = reply.text
            if reply.text:
                await self._transcript("agent", reply.text)
                await self._say(reply.text, turn)
        if reply.transfer_to or reply.end_call:
            await self._wait_played()
            await self._finish(reply, "time limit" if item.kind == "time_limit" else None)
        else:
            self._arm_silence()

    async def _ask(self, call: Callable[[], Reply]) -> Reply | None:
        """Ask the dialogue off the loop; cover slowness and failures with speech."""
        task = asyncio.ensure_future(asyncio.to_thread(call))
        try:
            done, _ = await asyncio.wait({task}, timeout=self._timeouts.wait_prompt_after)
            if not done:
                await self._say(self._phrases.wait, None)
                done, _ = await asyncio.wait({task}, timeout=self._timeouts.turn)
            if not done:
                raise TimeoutError(f"the dialogue took longer than {self._timeouts.turn} s")
            reply = task.result()
        except asyncio.CancelledError:
            task.cancel()
            raise
        except Exception as e:
            self._failures += 1
            log.error("call %s: dialogue failed: %s", self._session.call_id, e, exc_info=True)
            if self._failures > self._max_failures:
                if self._handover_number and self._handover is not None:
                    return Reply(text=self._phrases.wait, transfer_to=self._handover_number)
                return Reply(text=self._phrases.goodbye_failure, end_call=True)
            return Reply(text=self._phrases.trouble, expects=self._state.expects)
        self._failures = 0
        return reply

    async def _transcript(self, role: str, text: str) -> None:
        if self._transcript_events:
            message = {"event": "transcript", "role": role, "text": text}
            await self.push_frame(OutputTransportMessageUrgentFrame(message=message))

    # Speaking -----------------------------------------------------------------------------

    def _is_speaking(self) -> bool:
        if self._speech is not None and not self._speech.done():
            return True
        return bool(self._marks) and time.monotonic() < self._playback_end

    async def _say(self, text: str, turn: TurnTiming | None) -> None:
        """Speak ``text`` (returns once it is all sent, or cut by a barge-in)."""
        async with self._speak_lock:
            self._speech = self.create_task(self._speak(text, turn), "speak")
            await asyncio.wait({self._speech})

    async def _guard(self, speech_end: float) -> None:
        """Say "one moment" when the answer to a caller turn is slow to start."""
        await asyncio.sleep(max(0.0, speech_end + self._timeouts.dead_air - time.monotonic()))
        if self._speak_lock.locked() or self._ending:
            return  # something is being said already
        if self._last_audio < speech_end:
            await self._say(self._phrases.wait, None)

    def _cancel_dead_air(self) -> None:
        task, self._dead_air = self._dead_air, None
        if task is not None and not task.done():
            task.cancel()

    async def _speak(self, text: str, turn: TurnTiming | None) -> None:
        self._speaking_text, self._speaking_turn = text, turn
        try:
            await self._send_speech(text, turn)
        except AicallError as e:
            log.error("call %s: synthesis failed: %s", self._session.call_id, e)
            if text == self._phrases.goodbye_failure:
                return
            try:
                await self._send_speech(self._phrases.trouble, turn)
            except AicallError:
                self._spawn(self._abort(f"speech synthesis failed: {e}"))

    async def _send_speech(self, text: str, turn: TurnTiming | None) -> None:
        first = True
        async for audio in self._tts.stream(text):
            pcm = audio.resample(self._rate)
            now = time.monotonic()
            if first and turn is not None and turn.first_audio is None:
                turn.first_audio = self._report.rel(now)
            first = False
            self._playback_end = max(now, self._playback_end) + pcm.duration
            self._last_audio = now
            await self.push_frame(TTSAudioRawFrame(pcm.data, self._rate, 1))
        self._mark_seq += 1
        name = f"reply-{self._mark_seq}"
        self._marks[name] = text
        self._played.clear()
        await self.push_frame(OutputTransportMessageFrame(message=mark_message(name)))

    async def _wait_played(self) -> None:
        """Wait until the caller has heard everything sent (mark echoed, or time passed)."""
        while self._marks:
            remaining = self._playback_end + self._timeouts.mark_grace - time.monotonic()
            if remaining <= 0:
                self._marks.clear()
                break
            try:
                await asyncio.wait_for(self._played.wait(), remaining)
            except TimeoutError:
                continue

    async def _barge_in(self) -> None:
        cut = self._speaking_text
        if self._speaking_turn is not None:
            self._speaking_turn.interrupted = True
        task, self._speech = self._speech, None
        if task is not None and not task.done():
            await self.cancel_task(task, timeout=0.5)
        self._marks.clear()
        self._played.set()
        self._playback_end = time.monotonic()
        await self.broadcast_interruption()
        if cut:
            self._inputs.put_nowait(_Input("barge_in", cut))

    # Timers and keys ----------------------------------------------------------------------

    def _arm_silence(self) -> None:
        self._cancel_silence()
        self._silence = self.create_task(self._silence_timer(), "silence")

    def _cancel_silence(self) -> None:
        task, self._silence = self._silence, None
        if task is not None and not task.done():
            task.cancel()

    async def _silence_timer(self) -> None:
        await self._wait_played()
        await asyncio.sleep(self._timeouts.silence)
        if self._inputs.empty():
            self._inputs.put_nowait(_Input("silence"))

    async def _time_limit(self) -> None:
        await asyncio.sleep(self._timeouts.max_call)
        self._inputs.put_nowait(_Input("time_limit"))

    def _on_digit(self, digit: str) -> None:
        self._cancel_silence()
        if self._dtmf is not None and not self._dtmf.done():
            self._dtmf.cancel()
        if digit == "#":
            digits, self._digits = self._digits, ""
            if digits:
                self._inputs.put_nowait(_Input("dtmf", digits))
            return
        self._digits += digit
        self._dtmf = self.create_task(self._dtmf_timer(), "dtmf")

    async def _dtmf_timer(self) -> None:
        await asyncio.sleep(self._timeouts.dtmf)
        digits, self._digits = self._digits, ""
        if digits:
            self._inputs.put_nowait(_Input("dtmf", digits))

    # Ending -------------------------------------------------------------------------------

    def _spawn(self, coro: Awaitable[None]) -> None:
        task = self.create_task(coro, "call-end")  # type: ignore[arg-type]
        self._side_tasks.add(task)
        task.add_done_callback(self._side_tasks.discard)

    async def _close(self, status: str, reason: str | None) -> None:
        if self._closed:
            return
        self._closed = True
        self._report.status = status
        self._report.reason = reason
        try:
            await asyncio.to_thread(self._session.close, status, reason)
        except Exception as e:  # the call is over either way; log why it was not stored
            log.error("call %s: close failed: %s", self._session.call_id, e)

    async def _finish(self, reply: Reply, reason: str | None) -> None:
        self._ending = True
        if reply.transfer_to:
            self._report.transfer_to = reply.transfer_to
            done = self._handover is not None and await self._handover(reply.transfer_to)
            reason = f"transferred to {reply.transfer_to}" + ("" if done else " (simulated)")
        await self._close("completed", reason or "dialogue ended")
        await self.push_frame(EndWorkerFrame(reason=reason), FrameDirection.UPSTREAM)

    async def _hang_up(self, reason: str) -> None:
        if self._ending:
            return
        self._ending = True
        if not self._session.ended:
            try:
                await asyncio.to_thread(self._session.event, "hangup")
            except Exception as e:
                log.error("call %s: hangup event failed: %s", self._session.call_id, e)
        await self._close("hangup", reason)
        await self.push_frame(CancelWorkerFrame(reason=reason), FrameDirection.UPSTREAM)

    async def _abort(self, reason: str) -> None:
        if self._closed or self._ending:
            return
        self._ending = True
        await self._close("failed", reason)
        await self.push_frame(CancelWorkerFrame(reason=reason), FrameDirection.UPSTREAM)

    async def _shutdown(self, *, cancelled: bool) -> None:
        current = asyncio.current_task()
        tasks = [self._worker, self._speech, self._silence, self._limit, self._dtmf]
        tasks.append(self._dead_air)
        tasks += list(self._side_tasks)
        for task in tasks:
            if task is not None and task is not current and not task.done():
                await self.cancel_task(task, timeout=1.0)
        if not self._closed:
            if self._session.ended:
                await self._close("completed", "dialogue ended")
            else:
                await self._close("hangup", "stream closed" if cancelled else "pipeline ended")
