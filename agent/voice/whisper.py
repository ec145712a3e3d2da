"""Speech recognition with faster-whisper (CTranslate2), tuned for short phone answers.

Settings chosen from measurements on this project's audio (see docs/voice.md):

* the language always comes from the scenario: auto-detection picked Thai on Korean;
* greedy decoding at temperature 0 (no temperature fallback): the latency of a live call
  matters more than the last point of accuracy;
* Whisper's own "no speech" rule is bypassed: short answers such as "네" or "yes that's
  right" get no-speech probabilities of 0.3-0.8 and the stock threshold (0.6) drops them.
  The audio reaching the recognizer has already passed voice activity detection, so a segment
  is dropped only when the model is very sure (``no_speech_prob >= 0.9``) *and* unsure of
  its words (``avg_logprob < -1``);
* the scenario's vocabulary biases decoding (a prompt in English, hotwords in Korean);
* a token budget and an n-gram ban stop the repetition loops Whisper falls into on
  unclear audio;
* in the languages where it was measured not to lose words, the encoder runs on the
  utterance plus a margin instead of a 30 s padded window (:mod:`agent.voice.whisper_window`):
  English on at least 3 s (a tenth of the time), Korean on at least 10 s with its transcript
  checked (runaway repetition, a second reading, a hallucinated tail) and decoded again on
  the 30 s window when it looks wrong: the stock window's character error rate on real Korean
  speech at about a fifth of the time (docs/voice.md, "Korean on real speech").

One model per directory is loaded per process and shared by every call.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from agent.voice.asr import RecognitionOptions, SpeechRecognizer
from agent.voice.audio import PcmAudio
from agent.voice.whisper_window import FULL_WINDOW, decode_window, looks_wrong, window_frames
from common.errors import NotConfiguredError

__all__ = ["WINDOW_MIN", "Decoded", "FasterWhisperRecognizer"]

#: The shortest cut window per language, in seconds (docs/voice.md, "Speech recognition"):
#: English loses nothing on the utterance + 1 s with 3 s at least; on real Korean speech a
#: short utterance on a 3 s window was read again with variations ("야, 저 어리네? 야, 그
#: 어리넬?") where a 10 s window of mostly silence lets the decoder stop.
WINDOW_MIN = {"en": 3.0, "ko": 10.0}
DEFAULT_WINDOW_MIN = 3.0

_MODELS: dict[tuple[str, int], Any] = {}
_MODELS_LOCK = threading.Lock()


def _load_model(model_dir: Path, threads: int) -> Any:
    """The process-wide model of ``model_dir`` (loaded on first use)."""
    key = (str(model_dir), threads)
    with _MODELS_LOCK:
        model = _MODELS.get(key)
        if model is None:
            try:
                from faster_whisper import WhisperModel
            except ImportError as e:
                raise NotConfiguredError(
                    "faster-whisper is not installed; pip install 'aicall[voice]'"
                ) from e
            model = WhisperModel(
                str(model_dir), device="cpu", compute_type="int8", cpu_threads=threads
            )
            _MODELS[key] = model
        return model


def _echoes_vocabulary(text: str, vocabulary: tuple[str, ...], run: int = 2) -> bool:
    """Whether ``text`` holds ``run`` or more vocabulary items in a row, in list order."""
    tokens = [t for t in re.split(r"[\s,.]+", text) if t]
    position = {w: i for i, w in enumerate(vocabulary)}
    streak = 1
    for a, b in itertools.pairwise(tokens):
        if a in position and b in position and position[b] == position[a] + 1:
            streak += 1
            if streak >= run:
                return True
        else:
            streak = 1
    return False


@dataclass(frozen=True)
class Decoded:
    """One utterance as the recognizer decoded it.

    Attributes:
        text: the words (empty when dropped as silence).
        no_speech_prob: the model's probability that the audio held no speech.
        avg_logprob: average log-probability of the kept tokens (the lowest segment's).
        window: "cut", "stock", or "cut, then stock" when the cut window's transcript
            looked wrong and the stock window decoded it again.
        suspect: why the cut window's transcript was not trusted.
    """

    text: str
    no_speech_prob: float
    avg_logprob: float
    window: str
    suspect: str | None = None


class FasterWhisperRecognizer(SpeechRecognizer):
    """A :class:`SpeechRecognizer` on a faster-whisper model directory.

    Args:
        model_dir: a CTranslate2 Whisper model directory (see :mod:`agent.voice.models`).
        threads: CPU threads for one recognition.
        timeout: seconds after which a recognition counts as failed.
        no_speech_prob: drop a segment only when its no-speech probability reaches this...
        min_logprob: ...and its average log-probability is below this.
        max_new_tokens: upper bound on tokens per utterance (a phone turn is short).
        window_languages: languages decoded on a window cut to the utterance; the others
            take faster-whisper's stock path (a 30 s window whatever the utterance).
        window_margin: seconds of padding after the utterance in a cut window.
        window_min: the shortest cut window, in seconds; None for the measured minimum of
            each language (:data:`WINDOW_MIN`).
        checked_languages: languages whose cut-window transcript is checked
            (:func:`~agent.voice.whisper_window.looks_wrong`: runaway repetition, a
            hallucinated tail, low confidence) and decoded again on the stock window when it
            looks wrong.
        beam_size: 1 for greedy decoding.
        suspect_logprob: a checked cut-window transcript whose average log-probability is
            below this is decoded again on the stock window too; None: not a sign.
    """

    def __init__(
        self,
        model_dir: Path,
        *,
        threads: int = 2,
        timeout: float | None = None,
        no_speech_prob: float = 0.9,
        min_logprob: float = -1.0,
        max_new_tokens: int = 96,
        window_languages: frozenset[str] = frozenset(),
        window_margin: float = 1.0,
        window_min: float | None = None,
        checked_languages: frozenset[str] = frozenset(),
        beam_size: int = 1,
        suspect_logprob: float | None = None,
    ) -> None:
        super().__init__(timeout=timeout)
        self.model_dir = Path(model_dir)
        self.threads = threads
        self.no_speech_prob = no_speech_prob
        self.min_logprob = min_logprob
        self.max_new_tokens = max_new_tokens
        if not (0 <= window_margin <= 30 and (window_min is None or 0 < window_min <= 30)):
            raise ValueError("window_margin and window_min must be seconds within 0-30")
        self.window_languages = frozenset(window_languages)
        self.window_margin = window_margin
        self.window_min = window_min
        self.checked_languages = frozenset(checked_languages)
        if beam_size < 1:
            raise ValueError("beam_size must be at least 1")
        self.beam_size = beam_size
        self.suspect_logprob = suspect_logprob
        self.english_only = self.model_dir.name.endswith(".en") or "tiny.en" in str(model_dir)

    def minimum_window(self, language: str) -> float:
        """The shortest cut window for ``language``, in seconds."""
        if self.window_min is not None:
            return self.window_min
        return WINDOW_MIN.get(language, DEFAULT_WINDOW_MIN)

    def warm_up(self) -> None:
        """Load the model (once per process)."""
        _load_model(self.model_dir, self.threads)

    def _bias(self, options: RecognitionOptions) -> dict[str, Any]:
        """How the vocabulary biases decoding, per language (measured, see docs/voice.md).

        English: as an initial prompt (a comma list: "4 people" instead of "for people").
        Korean: as hotwords; as a comma list Whisper base tends to copy the list back on
        unclear audio.
        """
        if not options.vocabulary:
            return {}
        words = list(options.vocabulary[:40])
        if options.language == "en":
            return {"initial_prompt": ", ".join(words) + "."}
        return {"hotwords": " ".join(words)}

    def _recognize(self, audio: PcmAudio, options: RecognitionOptions) -> tuple[str, float]:
        decoded = self.decode(audio, options)
        return decoded.text, decoded.no_speech_prob

    def decode(self, audio: PcmAudio, options: RecognitionOptions) -> Decoded:
        """Recognise 16 kHz ``audio``, blocking, and say how (for benchmarks and logs)."""
        if self.english_only and options.language != "en":
            raise NotConfiguredError(
                f"the ASR model {self.model_dir} is English-only; the call is in "
                f"{options.language!r}: configure the multilingual 'base' model"
            )
        model = _load_model(self.model_dir, self.threads)
        bias = self._bias(options)
        decoded = self._decode(model, audio, options.language, bias)
        if bias and _echoes_vocabulary(decoded.text, options.vocabulary):
            # On unclear audio Whisper may read the biasing list back: decode without it.
            decoded = self._decode(model, audio, options.language, {})
        return decoded

    def _decode(self, model: Any, audio: PcmAudio, language: str, bias: dict[str, Any]) -> Decoded:
        samples = audio.float32()
        content = len(samples) // 160 + 1  # 10 ms feature frames
        if language not in self.window_languages:
            return self._decode_stock(model, samples, language, bias)
        frames = window_frames(
            content,
            margin=round(self.window_margin * 100),
            minimum=max(1, round(self.minimum_window(language) * 100)),
        )
        if frames >= FULL_WINDOW:  # nothing to cut: the stock path as it is
            return self._decode_stock(model, samples, language, bias)
        segment = decode_window(
            model,
            samples,
            language=language,
            frames=frames,
            max_new_tokens=self.max_new_tokens,
            beam_size=self.beam_size,
            **bias,
        )
        if language in self.checked_languages:
            reason = looks_wrong(
                segment,
                audio_seconds=audio.duration,
                language=language,
                min_logprob=self.suspect_logprob,
            )
            if reason is not None:
                # The short window went wrong on this utterance: the stock window decides.
                stock = self._decode_stock(model, samples, language, bias)
                return dataclasses.replace(stock, window="cut, then stock", suspect=reason)
        if self._is_silence(segment.no_speech_prob, segment.avg_logprob):
            return Decoded("", segment.no_speech_prob, segment.avg_logprob, "cut")
        return Decoded(segment.text, segment.no_speech_prob, segment.avg_logprob, "cut")

    def _decode_stock(
        self, model: Any, samples: np.ndarray, language: str, bias: dict[str, Any]
    ) -> Decoded:
        """faster-whisper's own path: the utterance padded to a 30 s window."""
        segments, _info = model.transcribe(
            samples,
            language=language,
            task="transcribe",
            beam_size=self.beam_size,
            best_of=1,
            temperature=0.0,
            condition_on_previous_text=False,
            without_timestamps=True,
            vad_filter=False,
            no_speech_threshold=None,
            max_new_tokens=self.max_new_tokens,
            no_repeat_ngram_size=3,
            **bias,
        )
        words: list[str] = []
        worst = 0.0
        logprob = 0.0
        for seg in segments:
            if self._is_silence(seg.no_speech_prob, seg.avg_logprob):
                continue
            worst = max(worst, seg.no_speech_prob)
            logprob = min(logprob, seg.avg_logprob)
            words.append(seg.text.strip())
        return Decoded(" ".join(w for w in words if w), worst, logprob, "stock")

    def _is_silence(self, no_speech_prob: float, avg_logprob: float) -> bool:
        """VAD already gated the audio: drop only when Whisper is sure and unsure of words."""
        return no_speech_prob >= self.no_speech_prob and avg_logprob < self.min_logprob
