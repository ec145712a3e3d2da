"""Audio buffers and conversions shared by recognition, synthesis and telephony.

Audio travels as :class:`PcmAudio`: signed 16-bit little-endian mono PCM with its sample rate.
The phone leg is 8 kHz G.711 mu-law (Twilio Media Streams); conversions live here so no other
module has to know the codec.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass

import numpy as np
import soxr

__all__ = [
    "PcmAudio",
    "TWILIO_FRAME_BYTES",
    "TWILIO_RATE",
    "mulaw_decode",
    "mulaw_encode",
    "read_wav",
    "write_wav",
]

#: Twilio Media Streams audio: 8 kHz mu-law, sent in 20 ms frames of 160 bytes.
TWILIO_RATE = 8000
TWILIO_FRAME_BYTES = 160

_BIAS = 0x84
_SEG_END = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF])


def _build_decode_table() -> np.ndarray:
    codes = np.arange(256, dtype=np.int32)
    u = ~codes & 0xFF
    sign = u & 0x80
    exponent = (u >> 4) & 0x07
    mantissa = u & 0x0F
    magnitude = (((mantissa << 3) + _BIAS) << exponent) - _BIAS
    return np.where(sign != 0, -magnitude, magnitude).astype(np.int16)


_DECODE = _build_decode_table()


def mulaw_decode(data: bytes) -> bytes:
    """Decode G.711 mu-law bytes into 16-bit PCM bytes (same sample rate)."""
    codes = np.frombuffer(data, dtype=np.uint8)
    return _DECODE[codes].tobytes()


def mulaw_encode(pcm: bytes) -> bytes:
    """Encode 16-bit PCM bytes into G.711 mu-law bytes (same sample rate, as audioop does)."""
    x = np.frombuffer(pcm, dtype=np.int16).astype(np.int32) >> 2
    mask = np.where(x < 0, 0x7F, 0xFF)
    mag = np.minimum(np.abs(x), 8159) + 0x21
    seg = np.searchsorted(_SEG_END, mag)  # first segment whose end >= magnitude
    code = np.where(
        seg >= 8, 0x7F, (np.minimum(seg, 7) << 4) | ((mag >> (np.minimum(seg, 7) + 1)) & 0x0F)
    )
    return (code ^ mask).astype(np.uint8).tobytes()


@dataclass(frozen=True)
class PcmAudio:
    """Mono 16-bit PCM audio.

    Attributes:
        data: little-endian signed 16-bit samples.
        sample_rate: samples per second.
    """

    data: bytes
    sample_rate: int

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.data) / 2 / self.sample_rate

    def samples(self) -> np.ndarray:
        """The samples as an int16 array (a view of ``data``)."""
        return np.frombuffer(self.data, dtype=np.int16)

    def float32(self) -> np.ndarray:
        """The samples scaled to -1..1 as float32 (what Whisper takes)."""
        return self.samples().astype(np.float32) / 32768.0

    def resample(self, rate: int) -> PcmAudio:
        """The same audio at another sample rate (high-quality soxr resampling)."""
        if rate == self.sample_rate or not self.data:
            return PcmAudio(self.data, rate)
        out = soxr.resample(self.samples(), self.sample_rate, rate)
        return PcmAudio(np.asarray(out, dtype=np.int16).tobytes(), rate)

    def to_mulaw_8k(self) -> bytes:
        """The audio as 8 kHz mu-law bytes for the phone."""
        return mulaw_encode(self.resample(TWILIO_RATE).data)

    @classmethod
    def from_mulaw_8k(cls, data: bytes) -> PcmAudio:
        """Audio from 8 kHz mu-law bytes."""
        return cls(mulaw_decode(data), TWILIO_RATE)

    @classmethod
    def silence(cls, seconds: float, sample_rate: int) -> PcmAudio:
        """``seconds`` of digital silence."""
        return cls(bytes(2 * round(seconds * sample_rate)), sample_rate)

    def __add__(self, other: PcmAudio) -> PcmAudio:
        if other.sample_rate != self.sample_rate:
            other = other.resample(self.sample_rate)
        return PcmAudio(self.data + other.data, self.sample_rate)


def read_wav(data: bytes) -> PcmAudio:
    """Read a mono or stereo 16-bit WAV file's bytes (stereo is mixed down)."""
    with wave.open(io.BytesIO(data)) as w:
        if w.getsampwidth() != 2:
            raise ValueError(f"only 16-bit WAV is supported, not {8 * w.getsampwidth()}-bit")
        frames = w.readframes(w.getnframes())
        rate = w.getframerate()
        channels = w.getnchannels()
    if channels > 1:
        x = np.frombuffer(frames, dtype=np.int16).reshape(-1, channels).mean(axis=1)
        frames = x.astype(np.int16).tobytes()
    return PcmAudio(frames, rate)


def write_wav(audio: PcmAudio) -> bytes:
    """The bytes of a mono 16-bit WAV file holding ``audio``."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(audio.sample_rate)
        w.writeframes(audio.data)
    return buf.getvalue()
