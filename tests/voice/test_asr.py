"""Recognition of real synthesized speech, short answers included, through the phone band."""

from __future__ import annotations

import asyncio
import time
from datetime import date

import pytest

from agent.voice.asr import RecognitionOptions, SpeechRecognizer
from agent.voice.audio import PcmAudio
from common.errors import BackendUnavailableError
from nlu.parsers import extract_all
from tests.voice.heard import words


def _over_the_phone(audio: PcmAudio) -> PcmAudio:
    """What the agent hears: 8 kHz mu-law, back to 16 kHz."""
    return PcmAudio.from_mulaw_8k(audio.to_mulaw_8k()).resample(16000)


@pytest.mark.parametrize(
    ("said", "values", "keywords"),
    [
        ("yes", {"yesno": True}, ()),
        ("no", {"yesno": False}, ()),
        ("Yes, that's right.", {"yesno": True}, ()),
        ("I'd like to book a table for four people tomorrow.", {"count": 4}, ("book", "table")),
    ],
)
def test_english_answers_are_recognised(
    engines, said: str, values: dict[str, object], keywords: tuple[str, ...]
) -> None:
    # what must hold on any CPU is what the dialogue reads, not Whisper's exact wording
    audio = _over_the_phone(engines.synthesizer("en").synthesize_sync(said))
    result = engines.recognizer("en").recognize_sync(audio, RecognitionOptions("en"))
    read = {v.name: v.value for v in extract_all(result.text, "en", date(2026, 11, 25))}
    assert {k: read.get(k) for k in values} == values, result
    assert set(keywords) <= set(words(result.text)), result


def test_korean_short_answer_is_not_dropped(engines) -> None:
    audio = _over_the_phone(engines.synthesizer("ko").synthesize_sync("네"))
    options = RecognitionOptions("ko", vocabulary=("예약", "네", "아니요"))
    result = engines.recognizer("ko").recognize_sync(audio, options)
    assert words(result.text) in (["네"], ["예"]), result


class _Slow(SpeechRecognizer):
    default_timeout = 0.05

    def _recognize(self, audio: PcmAudio, options: RecognitionOptions) -> tuple[str, float]:
        time.sleep(0.3)
        return "late", 0.0


class _Broken(SpeechRecognizer):
    def _recognize(self, audio: PcmAudio, options: RecognitionOptions) -> tuple[str, float]:
        raise RuntimeError("vendor exploded")


def test_timeout_and_vendor_errors_become_backend_unavailable() -> None:
    audio = PcmAudio.silence(0.1, 16000)
    slow = _Slow()
    with pytest.raises(BackendUnavailableError, match="longer than"):
        asyncio.run(slow.recognize(audio, RecognitionOptions("en")))
    assert slow.metrics.failures == 1
    with pytest.raises(BackendUnavailableError, match="vendor exploded"):
        asyncio.run(_Broken().recognize(audio, RecognitionOptions("en")))
