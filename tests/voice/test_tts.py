from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from agent.voice.audio import PcmAudio
from agent.voice.tts import Synthesizer, speech_chunks
from common.errors import BackendUnavailableError


def test_speech_chunks_are_sentences_in_both_languages() -> None:
    assert speech_chunks("Hello. How many people? ") == ["Hello.", "How many people?"]
    assert speech_chunks("안녕하세요. 몇 분이세요?") == ["안녕하세요.", "몇 분이세요?"]


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
    chunks = speech_chunks(text)
    assert chunks[-1] == "Shall I book it?"
    assert all(len(c) <= 60 for c in chunks[:-1]) and len(chunks) >= 3
    assert " ".join(chunks) == text


# coqui-tts adapter. coqui-tts is an optional extra that is not installed with the project (see
# docs/voice.md): these tests put a stand-in ``TTS`` package in ``sys.modules`` and check what
# the adapter does around it. The real engine is checked with
# ``python -m agent.voice.coqui --check DIR`` where the extra is installed.


class _FakeCoquiEngine:
    """Stands in for ``TTS.utils.synthesizer.Synthesizer``: a 440 Hz tone, 0.5 s per call."""

    instances: list[_FakeCoquiEngine] = []
    output_sample_rate = 22050

    def __init__(self, **kwargs) -> None:
        self.kwargs = kwargs
        self.calls: list[tuple[str, dict]] = []
        if "broken" in str(kwargs["tts_config_path"]):
            raise RuntimeError("size mismatch for text_encoder.emb.weight")
        _FakeCoquiEngine.instances.append(self)

    def tts(self, text: str, **kwargs) -> list[float]:
        import math

        self.calls.append((text, kwargs))
        if text == "boom.":
            raise RuntimeError("kernel size can't be greater than actual input size")
        n = self.output_sample_rate // 2
        return [0.5 * math.sin(2 * math.pi * 440 * i / self.output_sample_rate) for i in range(n)]


@pytest.fixture()
def fake_coqui(monkeypatch: pytest.MonkeyPatch):
    import types

    package, utils, module = (
        types.ModuleType(n) for n in ("TTS", "TTS.utils", "TTS.utils.synthesizer")
    )
    module.Synthesizer = _FakeCoquiEngine  # type: ignore[attr-defined]
    for name, mod in (("TTS", package), ("TTS.utils", utils), ("TTS.utils.synthesizer", module)):
        monkeypatch.setitem(sys.modules, name, mod)
    _FakeCoquiEngine.instances = []
    return _FakeCoquiEngine


def _model_dir(path: Path, checkpoint: str = "model.pth") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "config.json").write_text("{}")
    (path / checkpoint).write_bytes(b"\0")
    return path


def test_coqui_speaks_from_a_local_model_and_gives_8khz_phone_audio(fake_coqui, tmp_path) -> None:
    from agent.voice.coqui import CoquiSynthesizer

    model = _model_dir(tmp_path / "voice-ko")
    tts = CoquiSynthesizer(model, language="ko", speaker="kss")
    audio = asyncio.run(tts.synthesize("안녕하세요. 어르신, 식사는 하셨어요?"))
    (engine,) = fake_coqui.instances
    assert engine.kwargs == {
        "tts_checkpoint": str(model / "model.pth"),
        "tts_config_path": str(model / "config.json"),
        "use_cuda": False,
    }
    # The seam splits sentences; coqui must not split them again.
    assert [t for t, _ in engine.calls] == ["안녕하세요.", "어르신, 식사는 하셨어요?"]
    assert all(kw == {"speaker_name": "kss", "split_sentences": False} for _, kw in engine.calls)
    assert audio.sample_rate == 22050 and audio.duration == pytest.approx(1.0, abs=0.01)
    assert len(audio.to_mulaw_8k()) == pytest.approx(8000, abs=2)
    assert asyncio.run(tts.synthesize("안녕하세요.")).duration == pytest.approx(0.5, abs=0.01)
    assert tts.cache_hits == 1 and len(engine.calls) == 2


def test_coqui_picks_the_latest_training_checkpoint(fake_coqui, tmp_path) -> None:
    from agent.voice.coqui import CoquiSynthesizer

    model = _model_dir(tmp_path / "trained", "checkpoint_1000.pth")
    (model / "checkpoint_2000.pth").write_bytes(b"\0")
    tts = CoquiSynthesizer(model)
    assert tts.checkpoint == model / "checkpoint_2000.pth"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (None, "does not exist"),
        ((), "has no config.json"),
        (("config.json",), "has no checkpoint"),
    ],
)
def test_coqui_needs_a_complete_local_model(tmp_path, files, message) -> None:
    from agent.voice.coqui import CoquiSynthesizer
    from common.errors import NotConfiguredError

    model = tmp_path / "voice"
    if files is not None:
        model.mkdir()
        for name in files:
            (model / name).write_text("{}")
    with pytest.raises(NotConfiguredError, match=message):
        CoquiSynthesizer(model)


def test_coqui_without_its_package_is_not_configured(monkeypatch, tmp_path) -> None:
    from agent.voice.coqui import CoquiSynthesizer
    from common.errors import NotConfiguredError

    monkeypatch.setitem(sys.modules, "TTS", None)  # import TTS -> ImportError
    tts = CoquiSynthesizer(_model_dir(tmp_path / "voice"))
    with pytest.raises(NotConfiguredError, match=r"aicall\[coqui\]"):
        tts.warm_up()


def test_coqui_with_a_cuda_only_torchaudio_is_not_configured(fake_coqui, monkeypatch, tmp_path):
    import types

    from agent.voice.coqui import CoquiSynthesizer
    from common.errors import NotConfiguredError

    class _CudaOnly(types.ModuleType):
        def __getattr__(self, name: str):
            raise OSError("libc10_cuda.so: cannot open shared object file")

    monkeypatch.setitem(sys.modules, "TTS.utils.synthesizer", _CudaOnly("TTS.utils.synthesizer"))
    tts = CoquiSynthesizer(_model_dir(tmp_path / "voice"))
    with pytest.raises(NotConfiguredError, match="cannot load torchaudio.*libc10_cuda"):
        tts.warm_up()


def test_coqui_model_and_synthesis_failures_are_the_projects_errors(fake_coqui, tmp_path):
    from agent.voice.coqui import CoquiSynthesizer
    from common.errors import NotConfiguredError

    broken = CoquiSynthesizer(_model_dir(tmp_path / "broken"))
    with pytest.raises(NotConfiguredError, match="could not load the model.*size mismatch"):
        broken.warm_up()
    tts = CoquiSynthesizer(_model_dir(tmp_path / "voice"))
    with pytest.raises(BackendUnavailableError, match="kernel size"):
        asyncio.run(tts.synthesize("boom."))


def test_a_configured_coqui_model_replaces_that_languages_voice(
    fake_coqui, monkeypatch, tmp_path
) -> None:
    from agent.config import Settings
    from agent.voice.coqui import CoquiSynthesizer
    from agent.voice.engines import VoiceEngines
    from agent.voice.synthesizers import PiperSynthesizer
    from common.errors import NotConfiguredError

    # the recognizers are not this test's subject: no model assembly for them
    monkeypatch.setattr("agent.voice.models.resolve_whisper_model", lambda name, d: tmp_path)
    model = _model_dir(tmp_path / "voice-ko")
    settings = Settings(data_dir=tmp_path, tts_coqui_model_ko=model)
    engines = VoiceEngines.from_settings(settings)
    korean = engines.synthesizer("ko")
    assert isinstance(korean, CoquiSynthesizer) and korean.model_dir == model
    assert isinstance(engines.synthesizer("en"), PiperSynthesizer)
    with pytest.raises(NotConfiguredError, match="voice-en"):
        VoiceEngines.from_settings(
            Settings(data_dir=tmp_path, tts_coqui_model_en=tmp_path / "voice-en")
        )
