"""The speech recognition settings, through :meth:`VoiceEngines.from_settings` and the loader.

No model is loaded: faster-whisper's ``WhisperModel`` is replaced by a recorder, so the tests
see which directory and how many threads a call's recognizer would load the model with.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent.config import Settings
from agent.voice.engines import VoiceEngines
from agent.voice.whisper import FasterWhisperRecognizer


def _model_dir(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "model.bin").write_bytes(b"")  # what resolve_whisper_model checks for
    return path


@pytest.fixture()
def loads(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Each ``WhisperModel(...)`` the recognizers would load: directory and CPU threads."""
    import faster_whisper

    seen: list[dict[str, Any]] = []

    class Recorder:
        def __init__(self, model_dir: str, **kwargs: Any) -> None:
            seen.append({"dir": Path(model_dir), **kwargs})

    monkeypatch.setattr(faster_whisper, "WhisperModel", Recorder)
    return seen


def _recognizer(engines: VoiceEngines, language: str) -> FasterWhisperRecognizer:
    recognizer = engines.recognizer(language)
    assert isinstance(recognizer, FasterWhisperRecognizer)
    return recognizer


def test_asr_model_and_threads_are_what_calls_load(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, loads: list[dict[str, Any]]
) -> None:
    model = _model_dir(tmp_path / "whisper-small")
    monkeypatch.setenv("AICALL_ASR_MODEL", str(model))
    monkeypatch.setenv("AICALL_ASR_THREADS", "3")
    engines = VoiceEngines.from_settings(Settings())
    korean, english = _recognizer(engines, "ko"), _recognizer(engines, "en")
    assert korean is english and korean.model_dir == model  # one model for both languages
    korean.warm_up()
    assert loads == [{"dir": model, "device": "cpu", "compute_type": "int8", "cpu_threads": 3}]


def test_asr_threads_default_is_two(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, loads: list[dict[str, Any]]
) -> None:
    monkeypatch.setenv("AICALL_ASR_MODEL", str(_model_dir(tmp_path / "m")))
    _recognizer(VoiceEngines.from_settings(Settings()), "ko").warm_up()
    assert loads[0]["cpu_threads"] == 2


def test_an_english_only_asr_model_leaves_korean_without_a_recognizer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AICALL_ASR_MODEL", str(_model_dir(tmp_path / "whisper-small.en")))
    engines = VoiceEngines.from_settings(Settings())
    assert _recognizer(engines, "en").english_only
    assert "ko" not in engines.recognizers


def test_asr_model_en_is_the_english_calls_model(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, loads: list[dict[str, Any]]
) -> None:
    main = _model_dir(tmp_path / "whisper-multi")
    english = _model_dir(tmp_path / "whisper-tiny.en")
    monkeypatch.setenv("AICALL_ASR_MODEL", str(main))
    monkeypatch.setenv("AICALL_ASR_MODEL_EN", str(english))
    engines = VoiceEngines.from_settings(Settings())
    assert _recognizer(engines, "ko").model_dir == main
    assert _recognizer(engines, "en").model_dir == english
    _recognizer(engines, "en").warm_up()
    assert [load["dir"] for load in loads] == [english]
