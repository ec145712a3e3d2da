from __future__ import annotations

import warnings

import numpy as np

from agent.voice.audio import PcmAudio, mulaw_decode, mulaw_encode, read_wav, write_wav

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop


def test_mulaw_matches_the_g711_reference() -> None:
    pcm = np.arange(-32768, 32768, 7, dtype=np.int16).tobytes()
    assert mulaw_encode(pcm) == audioop.lin2ulaw(pcm, 2)
    codes = bytes(range(256))
    assert mulaw_decode(codes) == audioop.ulaw2lin(codes, 2)


def test_resample_and_phone_roundtrip_keep_duration() -> None:
    t = np.arange(22050) / 22050
    tone = (8000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16).tobytes()
    audio = PcmAudio(tone, 22050)
    phone = audio.to_mulaw_8k()
    assert len(phone) == 8000
    back = PcmAudio.from_mulaw_8k(phone).resample(16000)
    assert abs(back.duration - 1.0) < 0.01


def test_wav_roundtrip() -> None:
    audio = PcmAudio(np.arange(100, dtype=np.int16).tobytes(), 8000)
    assert read_wav(write_wav(audio)) == audio
