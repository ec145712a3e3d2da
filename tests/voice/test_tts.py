from __future__ import annotations

import asyncio

import pytest

from agent.errors import BackendUnavailableError
from agent.voice.audio import PcmAudio
from agent.voice.tts import Synthesizer, split_sentences


def test_split_sentences_handles_both_languages() -> None:
    assert split_sentences("Hello. How many people? ") == ["Hello.", "How many people?"]
    assert split_sentences("안녕하세요. 몇 분이세요?") == ["안녕하세요.", "몇 분이세요?"]


def test_piper_speaks_english_and_caches_fixed_prompts(engines) -> None:
    tts = engines.synthesizer("en")
    audio = asyncio.run(tts.synthesize("Thank you for calling. How can I help?"))
    assert audio.sample_rate == 22050 and 1.0 < audio.duration < 6.0
    hits = tts.cache_hits
    again = asyncio.run(tts.synthesize("Thank you for calling. How can I help?"))
    assert again == audio and tts.cache_hits == hits + 2
    assert len(audio.to_mulaw_8k()) == pytest.approx(audio.duration * 8000, abs=2)


def test_espeak_speaks_korean(engines) -> None:
    audio = engines.synthesizer("ko").synthesize_sync("예약 도와드릴게요.")
    assert audio.duration > 0.5


class _Broken(Synthesizer):
    def _synthesize(self, text: str) -> PcmAudio:
        raise OSError("no voice")


def test_vendor_errors_become_backend_unavailable() -> None:
    with pytest.raises(BackendUnavailableError, match="no voice"):
        asyncio.run(_Broken().synthesize("hi."))


def test_long_sentences_are_split_at_commas_for_early_audio() -> None:
    text = (
        "So that's Thursday, November 26th at 7 pm, 4 people, main hall seating, "
        "under John Smith, phone 555-010-0200. Shall I book it?"
    )
    chunks = split_sentences(text)
    assert chunks[-1] == "Shall I book it?"
    assert all(len(c) <= 60 for c in chunks[:-1]) and len(chunks) >= 3
    assert " ".join(chunks) == text
