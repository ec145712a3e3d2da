"""The pipeline stage that runs the dialogue of one call and speaks its replies.

It takes recognised caller turns and call inputs (keypad entries from
:class:`~agent.voice.keypad.KeypadAggregator`, the time limit from
:class:`~agent.voice.time_limit.CallTimeLimit`), asks the call's dialogue session (async: the
session runs only NLU and the database in worker threads) and speaks the reply as it streams,
sentence by sentence (an LLM reply's first sentence is synthesised while the LLM words the
rest), followed by a Twilio ``mark`` so it knows when the caller has heard it
(:class:`~agent.voice.playback.Playback`). Around that it owns the behaviour of a live call:

* the greeting when the call connects; hang-up once the dialogue ends; hand-over;
* barge-in: caller speech while the agent talks stops synthesis (and the LLM), clears Twilio's
  buffer and tells the dialogue which prompt was cut;
* after each reply that awaits the caller it tells
  :class:`~agent.voice.silence.SilenceWatch` (upstream), whose ``silence`` input becomes the
  dialogue's re-prompt; the session is told the call is on the ``voice`` channel, so its
  re-prompts say what can be keyed;
* failures of recognition, synthesis or the dialogue become an apology, never dead air: while
  a caller's turn is unanswered (the dialogue takes long, or
  :class:`~agent.voice.dead_air.DeadAirWatch` reports recognition still running), "one moment"
  is played, and again after each ``hold_repeat`` seconds of quiet until the answer starts;
  a reply that cannot be synthesised becomes the apology pinned at warm-up; repeated failures
  of a kind hand over or end the call politely, and each failure is noted in the call's
  record (:attr:`~agent.voice.report.CallReport.faults`).

All frame handling here is non-blocking: slow work runs in tasks this processor tracks and
cancels (with a timeout) when the call ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterable, Awaitable
from dataclasses import dataclass

from pipecat.frames.frames import (
    CancelFrame,
    EndFrame,
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

from agent.voice.call_end import CallEnd
from agent.voice.dialogue_port import DialoguePort, DialogueTimeouts, Handover
from agent.voice.frames import (
    AwaitingCallerFrame,
    CallInputFrame,
    CallState,
    DeadAirFrame,
    InputKind,
    RecognitionFailedFrame,
    UserUtteranceFrame,
    UtteranceDroppedFrame,
    UtteranceEndedFrame,
)
from agent.voice.phrases import phrases_for
from agent.voice.playback import Playback
from agent.voice.report import CallReport, TurnTiming
from agent.voice.tts import Synthesizer
from common.errors import AicallError
from dialogue.acts import Reply
from nlg.rewrite import ReplyStream
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
    kind: InputKind
    text: str | None = None
    speech_end: float | None = None
    transcript_ready: float | None = None
    asr_seconds: float | None = None


#: caller activity the watches in front act on; it goes no further than this stage
_WATCHED = (VADUserStoppedSpeakingFrame, InputDTMFFrame, UtteranceEndedFrame, UtteranceDroppedFrame)


async def _one(text: str) -> AsyncIterable[str]:
    yield text


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
        playback: what the caller has heard (shared with
            :class:`~agent.voice.silence.SilenceWatch`; by default the processor's own).
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
        playback: Playback | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self._session = session
        session.set_channel("voice")  # before the greeting: no turn runs yet (in memory)
        self._tts = synthesizer
        self._state = state
        self._report = report
        self._phrases = phrases_for(language)
        self._handover = handover
        self._handover_number = handover_number
        self._timeouts = timeouts or DialogueTimeouts()
        self._max_failures = max_failures
        self._rate = output_rate
        self._transcript_events = transcript_events
        self._inputs: asyncio.Queue[_Input] = asyncio.Queue()
        self._playback = playback or Playback(self._timeouts.mark_grace)
        self._worker: asyncio.Task | None = None
        self._speech: asyncio.Task | None = None
        self._speak_lock = asyncio.Lock()
        self._side_tasks: set[asyncio.Task] = set()
        self._speaking_text: str | None = None
        self._speaking_turn: TurnTiming | None = None
        self._failures = 0
        self._asr_failures = 0
        self._tts_failures = 0
        #: when the caller's unanswered turn ended (``None``: nothing is owed to the caller)
        self._owed_since: float | None = None
        #: when the latest reply (not a "one moment") started to go out
        self._reply_audio = 0.0
        self._keeper: asyncio.Task | None = None
        self._given_up: Reply | None = None
        self._hold_now = False
        self._end = CallEnd(session, report, self._push_upstream, handover)

    @property
    def end_stored(self) -> bool:
        """Whether the call's end reached the store (``False``: the database was down)."""
        return self._end.stored

    # Frames -----------------------------------------------------------------------------

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        """Route call frames; never blocks (work runs in tracked tasks)."""
        await super().process_frame(frame, direction)
        if isinstance(frame, StartFrame):
            await self.push_frame(frame, direction)
            self._worker = self.create_task(self._work(), "dialogue")
            self._keeper = self.create_task(self._keep_line(), "keep-line")
            self._inputs.put_nowait(_Input(InputKind.GREETING))
        elif isinstance(frame, UserUtteranceFrame):
            self._inputs.put_nowait(
                _Input(
                    InputKind.SPEECH,
                    frame.text,
                    frame.speech_end,
                    frame.transcript_ready,
                    frame.asr_seconds,
                )
            )
        elif isinstance(frame, CallInputFrame):
            if frame.kind is not InputKind.SILENCE or self._inputs.empty():
                self._inputs.put_nowait(_Input(frame.kind, frame.value))  # else: a turn waits
        elif isinstance(frame, DeadAirFrame):
            if not self._end.ending:
                self._owe(frame.speech_end, now=True)
        elif isinstance(frame, RecognitionFailedFrame):
            log.warning("call %s: recognition failed: %s", self._session.call_id, frame.reason)
            self._report.fault("recognition", frame.reason)
            self._inputs.put_nowait(_Input(InputKind.ASR_FAILED, speech_end=frame.speech_end))
        elif isinstance(frame, VADUserStartedSpeakingFrame):
            if self._is_speaking():
                await self._barge_in()
        elif isinstance(frame, _WATCHED):
            pass  # the silence and dead-air watches in front have used them
        elif isinstance(frame, PlaybackMarkFrame):
            self._playback.echoed(frame.name)
        elif isinstance(frame, StreamStoppedFrame):
            self._spawn(self._end.hang_up("caller hung up", self._stop_speech))
        elif isinstance(frame, MediaStreamErrorFrame):
            if not self._end.ending:  # a disconnect after a stop or our hang-up is no error
                log.warning("call %s: bad media stream: %s", self._session.call_id, frame.reason)
                self._spawn(self._end.abort(f"bad media stream message: {frame.reason}"))
        elif isinstance(frame, (EndFrame, CancelFrame)):
            await self._shutdown(cancelled=isinstance(frame, CancelFrame))
            await self.push_frame(frame, direction)
        else:
            await self.push_frame(frame, direction)

    # The turn loop ------------------------------------------------------------------------

    async def _work(self) -> None:
        while True:
            item = await self._inputs.get()
            if self._end.ending:
                continue
            self._owe(item.speech_end or time.monotonic())
            try:
                await self._handle(item)
            finally:
                self._owed_since = None

    async def _handle(self, item: _Input) -> None:
        rel = self._report.rel
        turn = TurnTiming(
            kind=item.kind.value,
            user=item.text,
            speech_end=rel(item.speech_end),
            transcript_ready=rel(item.transcript_ready),
            asr_seconds=None if item.asr_seconds is None else round(item.asr_seconds, 3),
        )
        self._report.turns.append(turn)
        if item.kind is InputKind.ASR_FAILED:
            self._asr_failures += 1
            if self._asr_failures > self._max_failures:
                stream = ReplyStream(self._give_up())
            else:
                reply = Reply(text=self._phrases.not_heard, expects=self._state.expects)
                stream = ReplyStream(reply)
        elif item.kind is InputKind.TIME_LIMIT:
            stream = ReplyStream(Reply(text=self._phrases.time_limit, end_call=True))
        else:
            if item.kind is InputKind.SPEECH:
                self._asr_failures = 0
            stream = await self._ask(item)
        turn.reply_ready = rel(time.monotonic())
        if item.kind in (InputKind.SPEECH, InputKind.DTMF) and item.text:
            await self._transcript("caller", item.text)
        reply = stream.reply
        if reply.expects is not None or not reply.end_call:
            self._state.expects = reply.expects
        async with contextlib.aclosing(stream):  # closing early (barge-in) stops the LLM
            if item.kind is InputKind.BARGE_IN:
                # The caller is talking: the reply to what they say comes with their words.
                turn.agent = None
                if not (reply.end_call or reply.transfer_to):
                    return
            elif stream.rewording or reply.text:
                if not stream.rewording:
                    await self._transcript("agent", reply.text)
                await self._say(stream, reply.text, turn)
        if item.kind is not InputKind.BARGE_IN and turn.agent is None:
            # what was released, once the stream is done (an apology that replaced a reply
            # the synthesizer failed on was recorded by _speak)
            turn.agent = stream.reply.text
            if stream.rewording and turn.agent:
                await self._transcript("agent", turn.agent)
        await self._timing(turn)
        if reply.transfer_to or reply.end_call:
            await self._playback.wait_played()
            reason = "time limit" if item.kind is InputKind.TIME_LIMIT else None
            if reply is self._given_up:
                await self._end.finish(reply, "repeated failures", status="failed")
            else:
                await self._end.finish(reply, reason)
        else:
            await self._push_upstream(AwaitingCallerFrame())

    def _turn(self, item: _Input) -> Awaitable[ReplyStream]:
        session = self._session
        if item.kind is InputKind.GREETING:
            return session.start_stream()
        if item.kind is InputKind.SPEECH:
            return session.user_text_stream(item.text or "")
        return session.event_stream(item.kind.value, item.text)

    async def _ask(self, item: _Input) -> ReplyStream:
        """Ask the dialogue; cover slowness and failures with speech."""
        task = asyncio.ensure_future(self._turn(item))
        try:
            done, _ = await asyncio.wait({task}, timeout=self._timeouts.wait_prompt_after)
            if not done:
                self._report.holds += 1
                await self._say(_one(self._phrases.wait), self._phrases.wait, None)
                done, _ = await asyncio.wait({task}, timeout=self._timeouts.turn)
            if not done:
                raise TimeoutError(f"the dialogue took longer than {self._timeouts.turn} s")
            stream = task.result()
        except BaseException as e:
            task.cancel()
            task.add_done_callback(_close_abandoned)
            if isinstance(e, asyncio.CancelledError):
                raise
            self._failures += 1
            log.error("call %s: dialogue failed: %s", self._session.call_id, e, exc_info=True)
            self._report.fault("dialogue", str(e) or type(e).__name__)
            if self._failures > self._max_failures:
                return ReplyStream(self._give_up())
            return ReplyStream(Reply(text=self._phrases.trouble, expects=self._state.expects))
        self._failures = 0
        return stream

    def _give_up(self) -> Reply:
        """The reply after repeated failures: a hand-over when there is a number, else goodbye."""
        if self._handover_number and self._handover is not None:
            reply = Reply(text=self._phrases.wait, transfer_to=self._handover_number)
        else:
            reply = Reply(text=self._phrases.goodbye_failure, end_call=True)
        self._given_up = reply
        return reply

    async def _timing(self, turn: TurnTiming) -> None:
        """Softphone calls: the turn's latency, shown beside the reply (the console)."""
        if self._transcript_events and turn.voice_to_voice is not None:
            message = {
                "event": "turn_timing",
                "kind": turn.kind,
                "voice_to_voice_ms": round(turn.voice_to_voice * 1000),
                "asr_ms": None if turn.asr_seconds is None else round(turn.asr_seconds * 1000),
            }
            await self.push_frame(OutputTransportMessageUrgentFrame(message=message))

    async def _transcript(self, role: str, text: str) -> None:
        if self._transcript_events:
            message = {"event": "transcript", "role": role, "text": text}
            await self.push_frame(OutputTransportMessageUrgentFrame(message=message))

    # Speaking -----------------------------------------------------------------------------

    def _is_speaking(self) -> bool:
        if self._speech is not None and not self._speech.done():
            return True
        return self._playback.playing()

    async def _say(self, sentences: AsyncIterable[str], text: str, turn: TurnTiming | None) -> None:
        """Speak ``sentences`` as they come (returns once all is sent, or cut by a barge-in).

        ``text`` is what the caller is told was cut if they barge in.
        """
        async with self._speak_lock:
            self._speech = self.create_task(self._speak(sentences, text, turn), "speak")
            await asyncio.wait({self._speech})

    def _owe(self, since: float, *, now: bool = False) -> None:
        """The caller's turn that ended at ``since`` waits for an answer (unless one started).

        ``now``: the dead-air watch says the wait is long already; "one moment" at once.
        """
        if self._reply_audio >= since:
            return  # its answer is playing already
        if self._owed_since is None or since < self._owed_since:
            self._owed_since = since
        self._hold_now = self._hold_now or now

    async def _keep_line(self) -> None:
        """Never leave a waiting caller in silence: "one moment" while an answer is owed.

        The first comes ``dead_air`` seconds after the caller's turn (or at once when the watch
        reports it), the next ones after ``hold_repeat`` seconds of quiet, until the answer's
        audio starts or the turn is done.
        """
        phrase = self._phrases.wait
        while True:
            await asyncio.sleep(0.05)
            since = self._owed_since
            if since is None or self._end.ending:
                phrase, self._hold_now = self._phrases.wait, False
                continue
            if self._speak_lock.locked() or self._playback.playing():
                continue
            spoke = self._playback.end > since
            quiet = time.monotonic() - max(since, self._playback.end)
            limit = self._timeouts.hold_repeat if spoke else self._timeouts.dead_air
            if quiet >= limit or (self._hold_now and not spoke):
                self._hold_now = False
                self._report.holds += 1
                await self._say(_one(phrase), phrase, None)
                phrase = self._phrases.still_waiting

    async def _speak(
        self, sentences: AsyncIterable[str], text: str, turn: TurnTiming | None
    ) -> None:
        self._speaking_text, self._speaking_turn = text, turn
        try:
            await self._send_speech(sentences, text, turn)
        except AicallError as e:
            log.error("call %s: synthesis failed: %s", self._session.call_id, e)
            self._report.fault("synthesis", str(e))
            if text == self._phrases.goodbye_failure:
                return
            self._tts_failures += 1
            # the voice layer's phrases are pinned at warm-up: they play without the engine
            last = self._tts_failures > self._max_failures
            phrase = self._phrases.goodbye_failure if last else self._phrases.trouble
            if turn is not None:
                turn.agent = phrase  # what the caller heard instead
            try:
                await self._send_speech(_one(phrase), phrase, turn)
            except AicallError:
                last = True
            if last:
                await self._playback.wait_played()
                self._spawn(self._end.abort(f"speech synthesis failed: {e}"))
            return
        if turn is not None:
            self._tts_failures = 0

    async def _send_speech(
        self, sentences: AsyncIterable[str], text: str, turn: TurnTiming | None
    ) -> None:
        sent = False
        async for sentence in sentences:
            async for audio in self._tts.stream(sentence):
                pcm = audio.resample(self._rate)
                now = self._playback.sent(pcm.duration)
                if turn is not None and turn.first_audio is None:
                    turn.first_audio = self._report.rel(now)
                    self._reply_audio, self._owed_since = now, None
                sent = True
                await self.push_frame(TTSAudioRawFrame(pcm.data, self._rate, 1))
        if sent:
            name = self._playback.mark(text)
            await self.push_frame(OutputTransportMessageFrame(message=mark_message(name)))

    async def _stop_speech(self) -> None:
        task, self._speech = self._speech, None
        if task is not None and not task.done():
            await self.cancel_task(task, timeout=0.5)

    async def _barge_in(self) -> None:
        cut = self._speaking_text
        if self._speaking_turn is not None:
            self._speaking_turn.interrupted = True
        await self._stop_speech()
        self._playback.cut()
        await self.broadcast_interruption()
        if cut:
            self._inputs.put_nowait(_Input(InputKind.BARGE_IN, cut))

    # Ending -------------------------------------------------------------------------------

    async def _push_upstream(self, frame: Frame) -> None:
        await self.push_frame(frame, FrameDirection.UPSTREAM)

    def _spawn(self, coro: Awaitable[None], name: str = "call-end") -> None:
        task = self.create_task(coro, name)  # type: ignore[arg-type]
        self._side_tasks.add(task)
        task.add_done_callback(self._side_tasks.discard)

    async def _shutdown(self, *, cancelled: bool) -> None:
        current = asyncio.current_task()
        tasks = [self._worker, self._speech, self._keeper]
        tasks += list(self._side_tasks)
        for task in tasks:
            if task is not None and task is not current and not task.done():
                await self.cancel_task(task, timeout=1.0)
        await self._end.stopped(cancelled=cancelled)


def _close_abandoned(task: asyncio.Future[ReplyStream]) -> None:
    """Close the stream of a turn given up on (a timeout) so the session's turn lock is freed."""
    if task.cancelled() or task.exception() is not None:
        return
    stream = task.result()
    if stream.rewording:
        asyncio.ensure_future(stream.aclose())  # noqa: RUF006 - short; frees the session
