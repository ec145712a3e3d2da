"""Shared, process-wide speech engines for the voice tests (models load once per session).

The tests need the ``voice`` extra; without it they are not collected.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_NEEDED = ("faster_whisper", "piper", "pipecat", "twilio", "fastapi")
collect_ignore_glob = (
    [] if all(importlib.util.find_spec(m) for m in _NEEDED) else ["test_*.py", "fakes.py"]
)


@pytest.fixture(scope="session")
def voice_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("voice-data")


@pytest.fixture(scope="session")
def engines(voice_data_dir: Path):
    from agent.config import Settings
    from agent.voice.engines import VoiceEngines

    return VoiceEngines.from_settings(Settings(data_dir=voice_data_dir))
