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
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "WindowSegment",
    "compression_ratio",
    "decode_window",
    "drop_repeated_tail",
    "looks_wrong",
    "reread",
    "runaway_repetition",
    "window_frames",
]

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
        tokens: tokens generated.
        budget_spent: decoding stopped at the token budget, not at end-of-text.
    """

    text: str
    no_speech_prob: float
    avg_logprob: float
    tokens: int = 0
    budget_spent: bool = False


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
    beam_size: int = 1,
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
        beam_size: 1 for greedy decoding.

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
        beam_size=beam_size,
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
        tokens=len(tokens),
        budget_spent=len(tokens) >= max_new_tokens,
    )


def runaway_repetition(text: str, *, min_span: int = 8, min_repeats: int = 3) -> str | None:
    """The piece of ``text`` that repeats itself back to back, or None.

    Letters only (case, spaces and punctuation ignored): a run of ``min_repeats`` or more
    copies of one piece covering at least ``min_span`` letters, e.g. "영상에서 영상에서
    영상에서" or "thank you thank you thank you". Short answers a caller really repeats
    ("네 네 네", "no no no") are shorter than ``min_span``.
    """
    letters = _letters(text)
    n = len(letters)
    for size in range(1, n // min_repeats + 1):
        start = 0
        while start + size * min_repeats <= n:
            piece = letters[start : start + size]
            repeats = 1
            while letters[start + repeats * size : start + (repeats + 1) * size] == piece:
                repeats += 1
            if repeats >= min_repeats and repeats * size >= min_span:
                return piece
            start += 1
    return None


def _distance(a: str, b: str) -> int:
    """Levenshtein distance between two strings."""
    d = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, d[0] = d[0], i
        for j, y in enumerate(b, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (x != y))
    return d[len(b)]


def reread(text: str, *, min_tail: int = 4, max_difference: float = 0.34) -> bool:
    """Whether ``text`` reads the utterance again with small changes after its end.

    On a short window Whisper may go on after the last word with variations of what it
    already wrote ("야, 저 어리네? 야, 그 어리넬? 야 저 어리늘?", "금방 4시까지 금방 4시 까지
    금빵 4시"); the n-gram ban keeps the copies from being exact, so
    :func:`drop_repeated_tail` does not see them. True when, after some space or
    punctuation mark, what follows (at least ``min_tail`` letters and half the head, compared
    over the head's length) is within ``max_difference`` edits per letter of the head's start.
    """
    for match in re.finditer(r"[.?!,。、]\s*|\s+", text):
        head = _letters(text[: match.start()])
        tail = _letters(text[match.end() :])[: len(head)]
        if len(head) < 2 or len(tail) < max(min_tail, len(head) / 2):
            continue
        if _distance(tail, head[: len(tail)]) <= max_difference * len(tail):
            return True
    return False


def compression_ratio(text: str) -> float:
    """UTF-8 length over zlib-compressed length, as Whisper computes it (loops compress well)."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


#: Letters per second of audio above which a transcript holds more than was said: fast
#: Korean speech runs ~7-8 syllables a second, fast English ~15-18 letters.
MAX_LETTERS_PER_SECOND = {"ko": 12.0, "en": 25.0}


def looks_wrong(
    segment: WindowSegment,
    *,
    audio_seconds: float,
    language: str,
    max_compression: float = 2.4,
    min_logprob: float | None = None,
) -> str | None:
    """Why a transcript decoded on a cut window should not be trusted, or None.

    The signs of a decode gone wrong: a runaway repetition or a second reading with small
    changes, broken characters (a multi-byte character cut between tokens), Latin words in a
    Korean transcript (Whisper base's Korean never writes them on a phone line), a transcript
    that compresses like a loop (Whisper's own test, ratio above 2.4), the token budget spent,
    more letters than the audio could hold (a hallucinated tail), and, when ``min_logprob``
    is given, a low average log-probability (Whisper's temperature-fallback test uses -1).
    The log-probability test is off by default: on the Korean dev set it sent 10 in 100
    utterances to the stock window for no significant gain (docs/voice.md).
    """
    text = segment.text
    if (piece := runaway_repetition(text)) is not None:
        return f"repeats {piece!r}"
    if reread(text):
        return "reads the utterance again"
    if "\ufffd" in text:
        return "broken characters"
    if language == "ko" and re.search(r"[A-Za-z]{3,}", text):
        return "Latin words in Korean"
    if (ratio := compression_ratio(text)) > max_compression:
        return f"compression ratio {ratio:.1f}"
    if segment.budget_spent:
        return "token budget spent"
    letters = len(_letters(text))
    limit = MAX_LETTERS_PER_SECOND.get(language, 25.0) * max(audio_seconds, 0.5)
    if letters > limit:
        return f"{letters} letters in {audio_seconds:.1f} s"
    if text and min_logprob is not None and segment.avg_logprob < min_logprob:
        return f"avg log-prob {segment.avg_logprob:.2f}"
    return None
