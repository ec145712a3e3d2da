"""Whisper decoding on an encoder window cut to the utterance instead of 30 s.

Whisper's encoder was trained on 30 s windows and faster-whisper always pads the log-mel
features to 3000 frames, so a 1.5 s "yes" costs the encoder as much as 30 s of speech.
CTranslate2's encoder accepts fewer frames (the positional embedding is sliced, as with
whisper.cpp's ``audio_ctx``): feeding the utterance plus a margin of padding made the encoder
~20x cheaper on phone turns with the same transcripts (figures in docs/voice.md, from
``python -m bench.voice_asr_window``).

This module rebuilds the few steps of faster-whisper's ``transcribe`` that a single short
segment needs (features, prompt, one greedy ``generate``), with the same options the recognizer
uses, so the only difference from the stock path is the window length.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["WindowSegment", "decode_window", "drop_repeated_tail", "window_frames"]

#: Frames in Whisper's full 30 s window (10 ms hop).
FULL_WINDOW = 3000
#: Samples per feature frame at 16 kHz.
HOP = 160


@dataclass(frozen=True)
class WindowSegment:
    """The result of decoding one window.

    Attributes:
        text: the decoded words, stripped.
        no_speech_prob: the model's probability that the window held no speech.
        avg_logprob: average log-probability of the tokens (as faster-whisper computes it).
    """

    text: str
    no_speech_prob: float
    avg_logprob: float


def _letters(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def drop_repeated_tail(text: str) -> str:
    """``"Yes. Yes."`` -> ``"Yes."``: cut the text where it starts repeating itself.

    On a short window Whisper sometimes reads the utterance again after its end ("John
    Smith. John Smith, John Smith", "Do you have parking? Do you", "John Smith John Smith").
    When everything after a punctuation mark repeats what came before it, or after a space
    repeats it at least once whole (ignoring case and punctuation), only the first reading is
    kept. A caller who really says "no, no" loses nothing of meaning.
    """
    for match in re.finditer(r"[.?!,。、]\s*|\s+", text):
        punctuated = not match.group().isspace()
        head = text[: match.start() + int(punctuated)]
        tail = text[match.end() :]
        head_letters, tail_letters = _letters(head), _letters(tail)
        if not head_letters or not tail_letters:
            continue
        if not punctuated and len(tail_letters) < len(head_letters):
            continue
        repeated = head_letters * (len(tail_letters) // len(head_letters) + 1)
        if repeated.startswith(tail_letters):
            return head.strip()
    return text


def window_frames(content_frames: int, *, margin: int, minimum: int, step: int = 100) -> int:
    """Encoder frames for ``content_frames`` of features: content + margin, rounded up.

    Rounding to ``step`` keeps the number of distinct shapes small; the result is clamped to
    ``[minimum, FULL_WINDOW]``.
    """
    if content_frames < 0 or margin < 0 or minimum < 1 or step < 1:
        raise ValueError("frames, margin, minimum and step must be positive")
    frames = math.ceil((content_frames + margin) / step) * step
    return max(minimum, min(FULL_WINDOW, frames))


def decode_window(
    model: Any,
    audio: np.ndarray,
    *,
    language: str,
    frames: int,
    initial_prompt: str | None = None,
    hotwords: str | None = None,
    max_new_tokens: int = 96,
    no_repeat_ngram_size: int = 3,
) -> WindowSegment:
    """Greedy, timestamp-free decoding of ``audio`` on an encoder window of ``frames``.

    Args:
        model: a ``faster_whisper.WhisperModel``.
        audio: 16 kHz float32 samples, at most ``frames`` long (10 ms per frame).
        language: the language token to force (``"en"``, ``"ko"``).
        frames: encoder window in feature frames (see :func:`window_frames`).
        initial_prompt: text given as previous context (faster-whisper's ``initial_prompt``).
        hotwords: words given as previous context (faster-whisper's ``hotwords``).
        max_new_tokens: token budget of the answer.
        no_repeat_ngram_size: n-gram ban against repetition loops.

    Raises:
        ValueError: the audio does not fit the window.
    """
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import get_suppressed_tokens

    content = len(audio) // HOP
    if content > frames or frames > FULL_WINDOW:
        raise ValueError(f"{content} frames of audio do not fit a window of {frames}")
    # Pad with silent audio, not with zero features: the margin then reads as silence after
    # the last word (as in Whisper's training data), and the decoder stops instead of
    # repeating the utterance.
    padded = np.zeros(frames * HOP, dtype=np.float32)
    padded[: len(audio)] = audio
    features = model.feature_extractor(padded)[:, :frames]
    window = features[None].astype(np.float32)
    multilingual = bool(model.model.is_multilingual)
    tokenizer = Tokenizer(
        model.hf_tokenizer,
        multilingual,
        task="transcribe" if multilingual else None,
        language=language if multilingual else None,
    )
    previous = tokenizer.encode(" " + initial_prompt.strip()) if initial_prompt else []
    prompt = model.get_prompt(
        tokenizer, previous, without_timestamps=True, hotwords=hotwords or None
    )
    encoded = model.encode(window)
    result = model.model.generate(
        encoded,
        [prompt],
        beam_size=1,
        max_length=len(prompt) + max_new_tokens,
        return_scores=True,
        return_no_speech_prob=True,
        suppress_blank=True,
        suppress_tokens=get_suppressed_tokens(tokenizer, [-1]),
        no_repeat_ngram_size=no_repeat_ngram_size,
    )[0]
    tokens = result.sequences_ids[0]
    avg_logprob = result.scores[0] * len(tokens) / (len(tokens) + 1)
    return WindowSegment(
        text=drop_repeated_tail(tokenizer.decode(tokens).strip()),
        no_speech_prob=float(result.no_speech_prob),
        avg_logprob=float(avg_logprob),
    )
