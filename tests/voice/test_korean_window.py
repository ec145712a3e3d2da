"""The checked short window: a cut-window transcript that looks wrong is decoded again on 30 s."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import agent.voice.whisper as whisper
from agent.config import Settings
from agent.voice.asr import RecognitionOptions
from agent.voice.audio import PcmAudio
from agent.voice.engines import VoiceEngines
from agent.voice.whisper import Decoded, FasterWhisperRecognizer
from agent.voice.whisper_window import (
    WindowSegment,
    compression_ratio,
    looks_wrong,
    reread,
    runaway_repetition,
)

#: What Whisper base wrote on a cut window for real Korean speech (the kospeech dev set, see
#: docs/voice.md) and for English, with what was said.
LOOPS = [
    ("ko", "영상에서 영상에서 영상에서 영상에서"),  # the n-gram ban off: an exact loop
    ("ko", "크리셉 크리셔 크리션 크리 셀 크리 샷 크리샷 크리멍 크리서"),  # said: 글쎄
    ("ko", "야, 저 어리네? 야, 그 어리넬? 야 저 어리늘?"),  # said: 야 아직 어리네
    ("ko", "투푸를 자주 하얗지 않죠. 투푸를 자주 하여지 않정. 투 푸를 잘 좋아하지 않죠?"),
    ("en", "thank you thank you thank you thank you"),
    ("en", "Could I speak to someone, please? Could I be to someone? Please?"),
]
FINE = [
    ("ko", "네"),
    ("ko", "네 네 네"),
    ("ko", "아니요"),
    ("ko", "예약하고 싶어요"),
    ("ko", "여기 살아 여기 어디지? 상수동"),  # a repeated word is not a second reading
    ("ko", "내일 저녁 일곱 시, 아니 여덟 시"),
    ("ko", "얘는 바쁘고 나는 여유롭다고 여유로운 사람이 매달리고 나랑 놀자 이러고"),
    ("en", "Yes."),
    ("en", "no no no"),
    ("en", "Yes, yes that's right."),
    ("en", "I'd like to book a table for four people tomorrow at seven."),
]


def _segment(text: str, *, logprob: float = -0.4, budget_spent: bool = False) -> WindowSegment:
    return WindowSegment(
        text=text,
        no_speech_prob=0.05,
        avg_logprob=logprob,
        tokens=96 if budget_spent else 10,
        budget_spent=budget_spent,
    )


@pytest.mark.parametrize(("language", "text"), LOOPS)
def test_runaway_repetitions_and_second_readings_look_wrong(language: str, text: str) -> None:
    reason = looks_wrong(_segment(text), audio_seconds=3.0, language=language)
    assert reason is not None, text
    assert runaway_repetition(text) is not None or reread(text), reason


@pytest.mark.parametrize(("language", "text"), FINE)
def test_ordinary_answers_are_trusted(language: str, text: str) -> None:
    seconds = max(1.0, len(text) / 6)
    assert looks_wrong(_segment(text), audio_seconds=seconds, language=language) is None


def test_the_exact_repeated_piece_is_named() -> None:
    assert runaway_repetition("아아아아아아아아아") == "아"
    assert runaway_repetition("영상에서 영상에서 영상에서") == "영상에서"
    assert runaway_repetition("네 네 네") is None  # 3 letters: shorter than a loop
    assert runaway_repetition("") is None


def test_loops_compress_like_loops() -> None:
    assert compression_ratio("좋아요 " * 20) > 2.4
    assert compression_ratio("예약하고 싶어요") < 2.4
    assert compression_ratio("") == 0.0


@pytest.mark.parametrize(
    ("segment", "seconds", "language", "reason"),
    [
        (_segment("금방 4시까지 금\ufffd방"), 2.0, "ko", "broken characters"),
        (_segment("아 분소리 아 content"), 3.0, "ko", "Latin words in Korean"),
        (_segment("가나다라마바사아자차카타파하거너더러머버서"), 1.0, "ko", "letters in"),
        (_segment("예약하고 싶어요", budget_spent=True), 2.0, "ko", "token budget"),
        (_segment("I would like to book a table for four at seven"), 0.5, "en", "letters in"),
    ],
)
def test_the_other_signs_of_a_bad_decode(
    segment: WindowSegment, seconds: float, language: str, reason: str
) -> None:
    decided = looks_wrong(segment, audio_seconds=seconds, language=language)
    assert decided is not None and reason in decided, decided


def test_low_confidence_is_a_sign_only_when_asked() -> None:
    unsure = _segment("아 뭔 소리야", logprob=-1.4)
    assert looks_wrong(unsure, audio_seconds=3.0, language="ko") is None
    decided = looks_wrong(unsure, audio_seconds=3.0, language="ko", min_logprob=-1.0)
    assert decided == "avg log-prob -1.40"


def test_english_words_in_english_and_an_empty_window_are_fine() -> None:
    assert looks_wrong(_segment("content"), audio_seconds=1.0, language="en") is None
    # nothing decoded with low confidence is silence, which the recognizer drops itself
    empty = _segment("", logprob=-2.0)
    assert looks_wrong(empty, audio_seconds=1.0, language="ko", min_logprob=-1.0) is None


class _StubbedRecognizer(FasterWhisperRecognizer):
    """The recognizer with both decoders replaced by what a test says they return."""

    def __init__(self, window: WindowSegment, **kwargs: Any) -> None:
        super().__init__(Path("/nonexistent"), **kwargs)
        self.window = window
        self.stock_calls = 0

    def _decode_stock(
        self, model: Any, samples: np.ndarray, language: str, bias: dict[str, Any]
    ) -> Decoded:
        self.stock_calls += 1
        return Decoded("야 저 오리네?", 0.04, -0.71, "stock")


@pytest.fixture
def stub_decoders(monkeypatch: pytest.MonkeyPatch):
    """No model: the cut window returns the recognizer's ``window`` segment."""
    monkeypatch.setattr(whisper, "_load_model", lambda model_dir, threads: object())

    def decode_window(model: Any, audio: np.ndarray, **kwargs: Any) -> WindowSegment:
        recognizer: _StubbedRecognizer = decode_window.recognizer  # type: ignore[attr-defined]
        decode_window.frames = kwargs["frames"]  # type: ignore[attr-defined]
        return recognizer.window

    monkeypatch.setattr(whisper, "decode_window", decode_window)
    return decode_window


def _recognizer(stub, window: WindowSegment, **kwargs: Any) -> _StubbedRecognizer:
    recognizer = _StubbedRecognizer(window, window_languages=frozenset({"ko"}), **kwargs)
    stub.recognizer = recognizer
    return recognizer


AUDIO = PcmAudio.silence(2.2, 16000)
KO = RecognitionOptions("ko")


def test_a_looping_cut_window_falls_back_to_the_stock_window(stub_decoders) -> None:
    looping = _segment("야, 저 어리네? 야, 그 어리넬? 야 저 어리늘?")
    recognizer = _recognizer(stub_decoders, looping, checked_languages=frozenset({"ko"}))
    decoded = recognizer.decode(AUDIO, KO)
    assert decoded.window == "cut, then stock"
    assert decoded.text == "야 저 오리네?"
    assert decoded.suspect == "reads the utterance again"
    assert recognizer.stock_calls == 1
    assert recognizer.recognize_sync(AUDIO, KO).text == "야 저 오리네?"


def test_a_plausible_cut_window_is_kept_without_a_second_decode(stub_decoders) -> None:
    recognizer = _recognizer(
        stub_decoders, _segment("야, 저 오리네?"), checked_languages=frozenset({"ko"})
    )
    decoded = recognizer.decode(AUDIO, KO)
    assert (decoded.window, decoded.text, decoded.suspect) == ("cut", "야, 저 오리네?", None)
    assert recognizer.stock_calls == 0


def test_an_unchecked_language_keeps_the_cut_windows_transcript(stub_decoders) -> None:
    looping = _segment("야, 저 어리네? 야, 그 어리넬? 야 저 어리늘?")
    recognizer = _recognizer(stub_decoders, looping)  # checked_languages: none
    assert recognizer.decode(AUDIO, KO).window == "cut"
    assert recognizer.stock_calls == 0


def test_the_window_minimum_is_per_language(stub_decoders) -> None:
    recognizer = _recognizer(stub_decoders, _segment("네"))
    recognizer.window_languages = frozenset({"ko", "en"})
    recognizer.decode(AUDIO, KO)
    assert stub_decoders.frames == 1000  # Korean: at least 10 s (docs/voice.md)
    recognizer.decode(AUDIO, RecognitionOptions("en"))
    assert stub_decoders.frames == 400  # English: 2.2 s + 1 s, rounded up to 1 s
    fixed = _recognizer(stub_decoders, _segment("네"), window_min=3.0)
    fixed.decode(AUDIO, KO)
    assert stub_decoders.frames == 400  # a configured minimum holds for every language


def test_the_checked_languages_follow_the_settings(voice_data_dir: Path) -> None:
    default = VoiceEngines.from_settings(Settings(data_dir=voice_data_dir)).recognizer("ko")
    assert isinstance(default, FasterWhisperRecognizer)
    # the default: Korean on a cut window of at least 10 s, checked, the 30 s window behind it
    assert "ko" in default.window_languages
    assert default.checked_languages == {"ko"}
    assert default.minimum_window("ko") == 10.0
    unchecked = VoiceEngines.from_settings(
        Settings(data_dir=voice_data_dir, asr_checked_languages=[])
    ).recognizer("ko")
    assert getattr(unchecked, "checked_languages", None) == frozenset()


def _over_the_phone(audio: PcmAudio) -> PcmAudio:
    return PcmAudio.from_mulaw_8k(audio.to_mulaw_8k()).resample(16000)


def test_a_korean_phrase_on_the_checked_window_is_heard_once(engines) -> None:
    """A real decode through the default Korean path: the key word, and no runaway loop."""
    recognizer = engines.recognizer("ko")
    assert isinstance(recognizer, FasterWhisperRecognizer)
    options = RecognitionOptions("ko", vocabulary=("예약", "홀", "야외"))
    audio = _over_the_phone(engines.synthesizer("ko").synthesize_sync("예약하고 싶어요"))
    decoded = recognizer.decode(audio.resample(16000), options)
    assert decoded.window in ("cut", "cut, then stock"), decoded
    assert "예약" in decoded.text, decoded
    assert runaway_repetition(decoded.text) is None, decoded
    assert not reread(decoded.text), decoded
    assert len(decoded.text) < 40, decoded  # one short sentence, not a hallucinated tail
