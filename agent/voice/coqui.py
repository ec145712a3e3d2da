"""coqui-tts behind the :class:`~agent.voice.tts.Synthesizer` seam (optional extra ``coqui``).

A voice is a local model directory: coqui's ``config.json`` and a checkpoint (``model.pth``,
``best_model.pth``, ``checkpoint_*.pth`` or ``model_file.pth``; VITS or any single-model
architecture coqui's ``Synthesizer`` loads). Nothing is fetched from a hub: a directory that
is not there is a :class:`~common.errors.NotConfiguredError`.

coqui-tts ships no voices, and ``import TTS`` requires torchaudio, whose PyPI builds are CUDA
builds made for older torch releases (docs/voice.md, "coqui-tts"). Check an installation with
``python -m agent.voice.coqui --check DIR``: it writes a tiny VITS with random weights to
``DIR``, loads it through this adapter and synthesises a Korean and an English sentence.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from agent.voice.audio import PcmAudio
from agent.voice.tts import Synthesizer
from common.errors import AicallError, NotConfiguredError

__all__ = ["CoquiSynthesizer", "find_checkpoint", "write_tiny_vits"]

_CHECKPOINTS = ("model.pth", "best_model.pth", "model_file.pth", "model.pt")
_INSTALL_HINT = (
    "pip install 'aicall[coqui]', then torchaudio without its dependencies and without its "
    "CUDA extension (see docs/voice.md, section coqui-tts)"
)


def _import_coqui() -> Any:
    """The ``Synthesizer`` class of coqui; import problems become :class:`NotConfiguredError`."""
    try:
        from TTS.utils.synthesizer import Synthesizer as CoquiEngine
    except ImportError as e:
        raise NotConfiguredError(
            f"coqui-tts is not installed or incomplete ({e}); {_INSTALL_HINT}"
        ) from e
    except OSError as e:  # torchaudio's CUDA extension cannot load against the CPU torch
        raise NotConfiguredError(f"coqui-tts cannot load torchaudio ({e}); {_INSTALL_HINT}") from e
    return CoquiEngine


def find_checkpoint(model_dir: Path) -> tuple[Path, Path]:
    """The ``(config.json, checkpoint)`` of a coqui model directory.

    Raises:
        NotConfiguredError: no such directory, no ``config.json`` or no checkpoint in it.
    """
    if not model_dir.is_dir():
        raise NotConfiguredError(f"coqui model directory {model_dir} does not exist")
    config = model_dir / "config.json"
    if not config.is_file():
        raise NotConfiguredError(f"coqui model directory {model_dir} has no config.json")
    for name in _CHECKPOINTS:
        if (model_dir / name).is_file():
            return config, model_dir / name
    found = sorted(model_dir.glob("checkpoint_*.pth"))
    if found:
        return config, found[-1]
    names = ", ".join((*_CHECKPOINTS, "checkpoint_*.pth"))
    raise NotConfiguredError(f"coqui model directory {model_dir} has no checkpoint ({names})")


class CoquiSynthesizer(Synthesizer):
    """Speech with a coqui-tts model loaded once from a local directory.

    Args:
        model_dir: the model directory (``config.json`` and a checkpoint).
        language: the language the voice speaks (``"ko"``, ``"en"``).
        speaker: the speaker name of a multi-speaker model.
        threads: torch threads for synthesis (``None``: leave torch's setting).
        timeout: seconds after which one sentence counts as failed.
        cache_size: sentences whose audio is kept.

    Raises:
        NotConfiguredError: the directory, its config or its checkpoint is missing.
    """

    default_timeout = 10.0

    def __init__(
        self,
        model_dir: Path | str,
        *,
        language: str = "en",
        speaker: str | None = None,
        threads: int | None = None,
        timeout: float | None = None,
        cache_size: int = 256,
    ) -> None:
        super().__init__(timeout=timeout, cache_size=cache_size)
        self.model_dir = Path(model_dir)
        self.config_path, self.checkpoint = find_checkpoint(self.model_dir)
        self.language = language
        self.speaker = speaker
        self.threads = threads
        self._engine: Any = None
        self._load_lock = threading.Lock()
        self._run_lock = threading.Lock()

    def warm_up(self) -> None:
        """Load the model (once)."""
        self._load()

    def _load(self) -> Any:
        with self._load_lock:
            if self._engine is None:
                engine_class = _import_coqui()
                if self.threads:
                    import torch  # noqa: PLC0415 - torch loads only when a coqui voice is used

                    torch.set_num_threads(self.threads)
                try:
                    self._engine = engine_class(
                        tts_checkpoint=str(self.checkpoint),
                        tts_config_path=str(self.config_path),
                        use_cuda=False,
                    )
                except AicallError:
                    raise
                except Exception as e:
                    raise NotConfiguredError(
                        f"coqui could not load the model in {self.model_dir}: {e}"
                    ) from e
            return self._engine

    def sample_rate_hint(self) -> int:
        """The model's output rate once loaded; 22050 Hz (coqui's usual) before."""
        engine = self._engine
        return int(engine.output_sample_rate) if engine is not None else 22050

    def _synthesize(self, text: str) -> PcmAudio:

        engine = self._load()
        # One torch model per voice: serialise use of it rather than oversubscribe the cores.
        with self._run_lock:
            wav = engine.tts(text, speaker_name=self.speaker, split_sentences=False)
        samples = np.clip(np.asarray(wav, dtype=np.float32), -1.0, 1.0)
        pcm = (samples * 32767.0).astype("<i2").tobytes()
        return PcmAudio(pcm, int(engine.output_sample_rate))


def write_tiny_vits(directory: Path, *, sample_rate: int = 16000) -> Path:
    """Write a tiny VITS with random weights (``config.json`` + ``model.pth``) to ``directory``.

    It speaks noise, not words: it exists to check that coqui-tts loads and runs here, and for
    tests. Its characters are Latin letters and the Hangul syllables of the check sentences
    (coqui drops unknown characters with a warning).

    Raises:
        NotConfiguredError: coqui-tts is not usable.
    """
    _import_coqui()
    import torch  # noqa: PLC0415 - torch loads only when a coqui voice is used
    from TTS.tts.configs.shared_configs import CharactersConfig
    from TTS.tts.configs.vits_config import VitsConfig
    from TTS.tts.models.vits import Vits, VitsArgs

    args = VitsArgs(
        use_sdp=False,
        init_discriminator=False,
        hidden_channels=32,
        hidden_channels_ffn_text_encoder=64,
        num_heads_text_encoder=2,
        num_layers_text_encoder=2,
        num_layers_flow=2,
        num_layers_posterior_encoder=2,
        resblock_type_decoder="2",
        resblock_kernel_sizes_decoder=[3],
        resblock_dilation_sizes_decoder=[[1, 3]],
        upsample_rates_decoder=[8, 8, 4],
        upsample_initial_channel_decoder=32,
        upsample_kernel_sizes_decoder=[16, 16, 8],
        spec_segment_size=8,
    )
    characters = CharactersConfig(
        characters_class="TTS.tts.models.vits.VitsCharacters",
        pad="<PAD>",
        eos="<EOS>",
        bos="<BOS>",
        blank="<BLNK>",
        characters="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ안녕하세요감사합니다",
        punctuations="!'(),-.:;? ",
        phonemes=None,
    )
    config = VitsConfig(
        model_args=args,
        use_phonemes=False,
        text_cleaner="multilingual_cleaners",
        characters=characters,
        add_blank=True,
    )
    config.audio.sample_rate = sample_rate
    torch.manual_seed(0)
    model = Vits(config)
    directory.mkdir(parents=True, exist_ok=True)
    config.save_json(str(directory / "config.json"))
    torch.save({"model": model.state_dict()}, directory / "model.pth")
    return directory


def _check(directory: Path) -> int:
    """``--check``: write a tiny VITS, load it through the adapter, synthesise, print figures."""
    started = time.perf_counter()
    write_tiny_vits(directory)
    written = time.perf_counter()
    tts = CoquiSynthesizer(directory, language="ko")
    tts.warm_up()
    loaded = time.perf_counter()
    for text in ("안녕하세요.", "Hello, thank you."):
        t0 = time.perf_counter()
        audio = tts.synthesize_sync(text)
        took = time.perf_counter() - t0
        phone = audio.to_mulaw_8k()
        print(
            f"{text!r}: {audio.duration:.2f} s at {audio.sample_rate} Hz in {took:.2f} s; "
            f"{len(phone)} bytes of 8 kHz mu-law"
        )
    print(f"tiny VITS written in {written - started:.2f} s, loaded in {loaded - written:.2f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m agent.voice.coqui --check DIR``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", type=Path, required=True, metavar="DIR")
    ns = parser.parse_args(argv)
    try:
        return _check(ns.check)
    except AicallError as e:
        print(f"aicall: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
