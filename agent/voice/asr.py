"""The speech-recognition seam: a base class that owns timeouts, metrics and errors.

An implementation fills in one blocking method, :meth:`SpeechRecognizer._recognize`; the base
runs it off the event loop, bounds it with a timeout and turns any vendor exception into
:class:`~common.errors.BackendUnavailableError` (``raise ... from e``), so a live call can
apologise and carry on.

Recognitions run on the recognizer's own threads (:attr:`SpeechRecognizer.parallel`), not on
asyncio's default executor: a model decodes one utterance at a time, and when eight calls
ended a turn together the queued recognitions held every default thread, so the dialogue
and synthesis of the calls (also ``asyncio.to_thread``) waited behind them.
"""

from __future__ import annotations

import abc
import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from agent.voice.audio import PcmAudio
from common.errors import AicallError, BackendUnavailableError

__all__ = ["RecognitionOptions", "RecognizerMetrics", "SpeechRecognizer", "Transcript"]


@dataclass(frozen=True)
class RecognitionOptions:
    """Per-call recognition settings.

    Attributes:
        language: ``"ko"`` or ``"en"`` (from the scenario; never auto-detected).
        vocabulary: words to bias recognition towards (menu items, the venue's name...).
    """

    language: str
    vocabulary: tuple[str, ...] = ()


@dataclass(frozen=True)
class Transcript:
    """What was heard in one utterance.

    Attributes:
        text: the words, stripped; empty when nothing was recognised.
        language: the language it was decoded in.
        seconds: wall time the recognition took.
        audio_seconds: length of the audio.
        no_speech_prob: the model's probability that the audio held no speech (0..1).
    """

    text: str
    language: str
    seconds: float = 0.0
    audio_seconds: float = 0.0
    no_speech_prob: float = 0.0


@dataclass
class RecognizerMetrics:
    """Process-wide counters of one recognizer (read by benchmarks and logs).

    Attributes:
        calls: recognitions done.
        failures: recognitions that raised or timed out.
        total_seconds: wall time spent recognising.
        last_seconds: wall time of the latest recognition.
    """

    calls: int = 0
    failures: int = 0
    total_seconds: float = 0.0
    last_seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, seconds: float, *, failed: bool) -> None:
        """Count one recognition."""
        with self._lock:
            self.calls += 1
            self.failures += int(failed)
            self.total_seconds += seconds
            self.last_seconds = seconds


class SpeechRecognizer(abc.ABC):
    """Turns one utterance of audio into text.

    Subclasses implement :meth:`_recognize`. The base class is safe to share between calls
    (it holds no per-call state).

    Args:
        timeout: seconds after which a recognition counts as failed.
    """

    #: The sample rate the implementation wants; audio is resampled to it.
    sample_rate: int = 16000
    #: Seconds after which a recognition is abandoned.
    default_timeout: float = 8.0
    #: Recognitions run at once (more wait in a queue); one model decodes one at a time.
    parallel: int = 2

    def __init__(self, *, timeout: float | None = None) -> None:
        self.timeout = self.default_timeout if timeout is None else timeout
        self.metrics = RecognizerMetrics()
        self._executor: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()

    def _threads(self) -> ThreadPoolExecutor:
        """The recognizer's own worker threads (created on first use)."""
        with self._executor_lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self.parallel, thread_name_prefix="asr")
            return self._executor

    def warm_up(self) -> None:
        """Load models now (blocking) instead of at the first utterance."""
        return None

    async def recognize(self, audio: PcmAudio, options: RecognitionOptions) -> Transcript:
        """Recognise one utterance without blocking the event loop.

        Args:
            audio: the utterance, at any sample rate.
            options: language and vocabulary of the call.

        Returns:
            The transcript (``text`` empty when nothing was said).

        Raises:
            BackendUnavailableError: the recognizer failed or took longer than ``timeout``.
        """
        started = time.perf_counter()
        try:
            loop = asyncio.get_running_loop()
            transcript = await asyncio.wait_for(
                loop.run_in_executor(self._threads(), self.recognize_sync, audio, options),
                self.timeout,
            )
        except TimeoutError as e:
            self.metrics.record(time.perf_counter() - started, failed=True)
            raise BackendUnavailableError(
                f"speech recognition took longer than {self.timeout:.1f} s"
            ) from e
        except AicallError:
            self.metrics.record(time.perf_counter() - started, failed=True)
            raise
        self.metrics.record(transcript.seconds, failed=False)
        return transcript

    def recognize_sync(self, audio: PcmAudio, options: RecognitionOptions) -> Transcript:
        """Recognise one utterance, blocking (for threads, tools and tests).

        Raises:
            BackendUnavailableError: the recognizer failed.
        """
        started = time.perf_counter()
        try:
            text, no_speech = self._recognize(audio.resample(self.sample_rate), options)
        except AicallError:
            raise
        except Exception as e:
            raise BackendUnavailableError(f"speech recognition failed: {e}") from e
        return Transcript(
            text=text.strip(),
            language=options.language,
            seconds=time.perf_counter() - started,
            audio_seconds=audio.duration,
            no_speech_prob=no_speech,
        )

    @abc.abstractmethod
    def _recognize(self, audio: PcmAudio, options: RecognitionOptions) -> tuple[str, float]:
        """Recognise ``audio`` (already at :attr:`sample_rate`), blocking.

        Returns:
            The text and the no-speech probability.
        """
