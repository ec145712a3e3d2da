"""End-of-turn settings: short answers must start a turn at all."""

from __future__ import annotations

import asyncio

import pytest

from agent.voice.audio import PcmAudio
from agent.voice.endpointing import EndpointPolicy
from agent.voice.simulator import _trim


def _vad_hears(policy: EndpointPolicy, audio: PcmAudio) -> bool:
    from pipecat.audio.utils import create_stream_resampler, ulaw_to_pcm

    async def run() -> bool:
        phone = b"\xff" * 8000 + audio.to_mulaw_8k() + b"\xff" * 8000
        resampler = create_stream_resampler()
        vad = policy.vad_analyzer()
        vad.set_sample_rate(16000)
        heard = False
        for i in range(0, len(phone), 160):
            pcm = await ulaw_to_pcm(phone[i : i + 160], 8000, 16000, resampler)
            heard |= (await vad.analyze_audio(pcm)).name == "SPEAKING"
        return heard

    return asyncio.run(run())


@pytest.mark.parametrize(("language", "word"), [("en", "Yes."), ("en", "No."), ("ko", "네")])
def test_vad_hears_one_word_answers_over_the_phone(engines, language: str, word: str) -> None:
    tts = engines.synthesizer(language)
    # Piper's output varies from run to run (noise in the model): try several renditions.
    for _ in range(4 if language == "en" else 1):
        audio = _trim(tts._synthesize(word))
        assert _vad_hears(EndpointPolicy(), audio)


def test_hold_depends_on_what_the_dialogue_expects() -> None:
    policy = EndpointPolicy()
    assert policy.hold("phone") > policy.hold("date") > policy.hold(None) > policy.hold("yesno")
