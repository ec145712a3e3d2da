"""Fault injection for live calls: one explicit seam around the speech engines.

Tests and ``bench/voice_faults.py`` wrap a process's :class:`~agent.voice.engines.VoiceEngines`
with :func:`with_faults` and arm faults on the returned :class:`Faults` while calls run::

    faults = Faults()
    engines = with_faults(VoiceEngines.from_settings(settings), faults)
    faults.arm("asr", "hang")          # the next recognitions hang (until their timeout)
    faults.arm("tts", "raise", skip=1)  # the greeting is spoken; the next reply fails
    faults.arm("loop", "block", seconds=1.5)  # a reply's synthesis blocks the event loop

The wrappers are ordinary :class:`~agent.voice.asr.SpeechRecognizer` and
:class:`~agent.voice.tts.Synthesizer` subclasses around the real engines, so every fault goes
through the same timeouts, error mapping and caching as a real failure. Faults outside the speech
engines are made for real, not injected: the database is stopped (PostgreSQL) or locked by another
process (SQLite), the LLM is an endpoint that never answers (see docs/reliability.md).

Points and modes:

* ``asr``: ``raise`` (the recognizer fails at once) or ``hang`` (it does not answer until the
  recognizer's timeout turns it into a failure);
* ``tts``: ``raise`` (synthesis of a reply fails; the voice layer's own phrases, pinned at
  warm-up, still play);
* ``loop``: ``block`` (synthesising a reply blocks the event loop ``seconds`` on purpose: a slow
  step run on the loop).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from agent.voice.asr import RecognitionOptions, SpeechRecognizer
from agent.voice.audio import PcmAudio
from agent.voice.engines import VoiceEngines
from agent.voice.tts import Synthesizer
from common.errors import BackendUnavailableError

__all__ = ["FaultyRecognizer", "FaultySynthesizer", "Faults", "with_faults"]

_MODES = {"asr": ("raise", "hang"), "tts": ("raise",), "loop": ("block",)}


@dataclass
class _Fault:
    mode: str
    skip: int
    times: int | None
    seconds: float
    seen: int = 0
    fired: int = 0


class Faults:
    """The armed faults of a process, by point (thread-safe; see the module docstring)."""

    def __init__(self) -> None:
        self._faults: dict[str, _Fault] = {}
        self._lock = threading.Lock()
        self._released = threading.Event()
        #: how many times each point fired since the process started
        self.fired: dict[str, int] = {}

    def arm(
        self,
        point: str,
        mode: str,
        *,
        skip: int = 0,
        times: int | None = None,
        seconds: float = 30.0,
    ) -> None:
        """Arm a fault.

        Args:
            point: ``asr``, ``tts`` or ``loop``.
            mode: what happens there (see the module docstring).
            skip: let this many passes through the point go by first.
            times: fire this many times, then pass again (``None``: until disarmed).
            seconds: how long ``hang`` hangs and ``block`` blocks.

        Raises:
            ValueError: an unknown point or mode.
        """
        if mode not in _MODES.get(point, ()):
            raise ValueError(f"unknown fault {point}={mode} (known: {_MODES})")
        with self._lock:
            self._faults[point] = _Fault(mode, skip, times, seconds)
            self._released.clear()

    def disarm(self, point: str | None = None) -> None:
        """Disarm one point (all when ``None``); hanging recognitions return at once."""
        with self._lock:
            if point is None:
                self._faults.clear()
            else:
                self._faults.pop(point, None)
            self._released.set()

    def take(self, point: str) -> _Fault | None:
        """Pass through ``point``: the fault to apply now, or ``None``."""
        with self._lock:
            fault = self._faults.get(point)
            if fault is None:
                return None
            fault.seen += 1
            if fault.seen <= fault.skip or (fault.times is not None and fault.fired >= fault.times):
                return None
            fault.fired += 1
            self.fired[point] = self.fired.get(point, 0) + 1
            return fault

    def hang(self, seconds: float) -> None:
        """Block the calling (worker) thread ``seconds``, or until disarmed."""
        self._released.wait(seconds)


class FaultyRecognizer(SpeechRecognizer):
    """A recognizer that fails or hangs when the ``asr`` point is armed (else the real one)."""

    def __init__(self, inner: SpeechRecognizer, faults: Faults) -> None:
        super().__init__(timeout=inner.timeout)
        self.inner = inner
        self.faults = faults
        self.sample_rate = inner.sample_rate
        self.parallel = inner.parallel

    def warm_up(self) -> None:
        """Load the real model."""
        self.inner.warm_up()

    def _recognize(self, audio: PcmAudio, options: RecognitionOptions) -> tuple[str, float]:
        fault = self.faults.take("asr")
        if fault is not None:
            if fault.mode == "raise":
                raise BackendUnavailableError("speech recognition failed (injected fault)")
            self.faults.hang(fault.seconds)
        return self.inner._recognize(audio, options)


class FaultySynthesizer(Synthesizer):
    """A synthesizer that fails (``tts``) or blocks the loop (``loop``) when armed.

    Only replies fail: the voice layer's own phrases pinned at warm-up
    (:meth:`~agent.voice.tts.Synthesizer.pin`) are played from memory, as a real outage would
    leave them.
    """

    def __init__(self, inner: Synthesizer, faults: Faults) -> None:
        super().__init__(timeout=inner.timeout, cache_size=0)
        self.inner = inner
        self.faults = faults
        self.language = inner.language

    def warm_up(self) -> None:
        """Load the real voice."""
        self.inner.warm_up()

    def sample_rate_hint(self) -> int:
        """The real engine's rate."""
        return self.inner.sample_rate_hint()

    async def stream(self, text: str) -> AsyncIterator[PcmAudio]:
        """The real stream, unless a fault is armed for this reply."""
        block = self.faults.take("loop")
        if block is not None:
            time.sleep(block.seconds)  # noqa: ASYNC251 - on purpose: a step blocking the loop
        if not self.is_pinned(text):
            if self.faults.take("tts") is not None:
                await asyncio.sleep(0)
                raise BackendUnavailableError("speech synthesis failed (injected fault)")
        async for audio in super().stream(text):
            yield audio

    def _synthesize(self, text: str) -> PcmAudio:
        return self.inner.synthesize_sync(text)


def with_faults(engines: VoiceEngines, faults: Faults) -> VoiceEngines:
    """``engines`` with every recognizer and synthesizer behind the fault points of ``faults``."""
    return VoiceEngines(
        recognizers={k: FaultyRecognizer(v, faults) for k, v in engines.recognizers.items()},
        synthesizers={k: FaultySynthesizer(v, faults) for k, v in engines.synthesizers.items()},
    )
