"""The pipeline stage that cuts the caller's audio into utterances and recognises them."""

from __future__ import annotations

import asyncio
import collections
import time

import numpy as np
from pipecat.frames.frames import (
    CancelFrame,
    EndFrame,
    Frame,
    InputAudioRawFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from agent.voice.asr import RecognitionOptions, SpeechRecognizer
from agent.voice.audio import PcmAudio
from agent.voice.endpointing import EndpointPolicy
from agent.voice.frames import (
    CallState,
    RecognitionFailedFrame,
    UserUtteranceFrame,
    UtteranceDroppedFrame,
    UtteranceEndedFrame,
)
from common.errors import AicallError

__all__ = ["SpeechRecognitionProcessor"]

#: RMS of a 20 ms frame of 16-bit audio (about -40 dBFS) above which the caller may be talking
ONSET_RMS = 330.0


class SpeechRecognitionProcessor(FrameProcessor):
    """Buffers caller audio between VAD start and end of speech and recognises it.

    Consumes the caller's audio (it goes no further down the pipeline); forwards VAD frames;
    pushes :class:`UserUtteranceFrame` (or :class:`RecognitionFailedFrame`) per caller turn.

    Args:
        recognizer: the shared speech recognizer.
        options: language and vocabulary of the call.
        state: the call's shared state (what the dialogue expects, for end-of-turn).
        endpoint: end-of-turn policy.
        preroll: seconds of audio kept from before VAD's start of speech.
        max_utterance: seconds after which an utterance is cut and recognised anyway.
        forward_audio: pass the caller's audio on down the pipeline (for a recorder).
    """

    def __init__(
        self,
        recognizer: SpeechRecognizer,
        options: RecognitionOptions,
        state: CallState,
        *,
        endpoint: EndpointPolicy | None = None,
        preroll: float = 0.5,
        max_utterance: float = 20.0,
        forward_audio: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self._recognizer = recognizer
        self._options = options
        self._state = state
        self._endpoint = endpoint or EndpointPolicy()
        self._preroll_secs = preroll
        self._max_utterance = max_utterance
        self._forward_audio = forward_audio
        self._preroll: collections.deque[bytes] = collections.deque()
        self._preroll_bytes = 0
        self._utterance = bytearray()
        self._capturing = False
        self._rate = 16000
        self._pending: asyncio.Task | None = None
        self._committed = False
        self._stop_mark = 0  # bytes of the utterance at VAD's end of speech
        self._guess: str | None = None  # speculative transcript at this utterance's last pause

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        """Buffer audio, track VAD, recognise at end of turn."""
        await super().process_frame(frame, direction)
        if isinstance(frame, InputAudioRawFrame):
            self._on_audio(frame)
            if self._capturing and len(self._utterance) / 2 / self._rate > self._max_utterance:
                await self._end_of_speech(time.monotonic())
            if self._forward_audio:
                await self.push_frame(frame, direction)
            return
        if isinstance(frame, VADUserStartedSpeakingFrame):
            await self._start_of_speech()
        elif isinstance(frame, VADUserStoppedSpeakingFrame):
            await self._end_of_speech(time.monotonic() - self._endpoint.vad_stop_secs)
        elif isinstance(frame, (EndFrame, CancelFrame)):
            await self._cancel_pending()
        await self.push_frame(frame, direction)

    def _on_audio(self, frame: InputAudioRawFrame) -> None:
        self._rate = frame.sample_rate
        if self._capturing or (self._pending is not None and not self._committed):
            self._utterance += frame.audio
            return
        self._preroll.append(frame.audio)
        self._preroll_bytes += len(frame.audio)
        limit = int(self._preroll_secs * self._rate) * 2
        while self._preroll_bytes > limit and self._preroll:
            self._preroll_bytes -= len(self._preroll.popleft())

    async def _start_of_speech(self) -> None:
        if self._pending is not None and not self._committed:
            # The caller went on talking during the hold: same utterance, drop the guess.
            await self._cancel_pending()
        elif not self._capturing:
            self._utterance = bytearray(b"".join(self._preroll))
            self._guess = None
        self._preroll.clear()
        self._preroll_bytes = 0
        self._capturing = True

    async def _end_of_speech(self, speech_end: float) -> None:
        if not self._capturing:
            return
        self._capturing = False
        self._stop_mark = len(self._utterance)
        audio = PcmAudio(bytes(self._utterance), self._rate)
        hold = self._endpoint.hold(self._state.expects)
        self._committed = False
        self._pending = self.create_task(self._finish(audio, speech_end, hold), "recognise")

    async def _cancel_pending(self) -> None:
        task, self._pending = self._pending, None
        if task is not None and not task.done():
            await self.cancel_task(task, timeout=1.0)

    def _voiced_since_stop(self, seconds: float) -> bool:
        """Whether the last ``seconds`` of audio since VAD's end of speech sound like voice."""
        start = max(self._stop_mark, len(self._utterance) - int(seconds * self._rate) * 2)
        tail = np.frombuffer(bytes(self._utterance[start : len(self._utterance) // 2 * 2]), "<i2")
        frame = max(1, self._rate // 50)
        for i in range(0, len(tail), frame):
            chunk = tail[i : i + frame].astype(np.float64)
            if chunk.size and float(np.sqrt(np.mean(chunk * chunk))) > ONSET_RMS:
                return True
        return False

    async def _await_onset(self) -> None:
        """Hold the turn while the caller may be starting again.

        VAD reports a start of speech only after ``vad_start_secs`` of voice (and its own
        analysis window): a caller who resumes after a 0.3 s pause at a comma ("Yes, but…")
        is talking ~0.1 s before VAD says so. Voice-loud audio in the last
        ``onset_secs`` holds the turn ``onset_guard`` longer for VAD's verdict; VAD's start of
        speech then cancels this task and the utterance goes on (a click or a breath costs
        that much once).
        """
        if self._voiced_since_stop(self._endpoint.onset_secs):
            await asyncio.sleep(self._endpoint.onset_guard)

    async def _finish(self, audio: PcmAudio, speech_end: float, hold: float) -> None:
        recognition = asyncio.ensure_future(self._recognizer.recognize(audio, self._options))
        earlier = self._guess
        try:
            await self._endpoint.wait(
                recognition, self._state.expects, self._state.judge, earlier=earlier
            )
            await self._await_onset()
            # Committed: later speech starts a new utterance.
            self._committed = True
            self._utterance = bytearray()
            await self.push_frame(UtteranceEndedFrame(speech_end=speech_end))
            try:
                transcript = await recognition
            except AicallError as e:
                await self.push_frame(RecognitionFailedFrame(reason=str(e), speech_end=speech_end))
                return
        except asyncio.CancelledError:  # the caller went on: keep what this pause heard
            if recognition.done() and not recognition.cancelled():
                if recognition.exception() is None:
                    self._guess = recognition.result().text or self._guess
            recognition.cancel()
            raise
        finally:
            if self._pending is asyncio.current_task():
                self._pending = None
        if not transcript.text:
            await self.push_frame(UtteranceDroppedFrame())
        else:
            await self.push_frame(
                UserUtteranceFrame(
                    text=transcript.text,
                    speech_end=speech_end,
                    transcript_ready=time.monotonic(),
                    asr_seconds=transcript.seconds,
                    audio_seconds=transcript.audio_seconds,
                )
            )
