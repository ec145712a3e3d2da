"""Whisper on an encoder window cut to the utterance: same words as the stock 30 s window."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import Settings
from agent.voice.asr import RecognitionOptions
from agent.voice.audio import PcmAudio
from agent.voice.engines import VoiceEngines
from agent.voice.whisper import FasterWhisperRecognizer
from agent.voice.whisper_window import decode_window, drop_repeated_tail, window_frames
from tests.voice.heard import words


def _over_the_phone(audio: PcmAudio) -> PcmAudio:
    return PcmAudio.from_mulaw_8k(audio.to_mulaw_8k()).resample(16000)


@pytest.mark.parametrize(
    ("content", "frames"),
    [(0, 300), (150, 300), (291, 400), (1950, 2100), (2950, 3000), (5000, 3000)],
)
def test_window_is_the_utterance_plus_margin_rounded_and_clamped(content, frames) -> None:
    assert window_frames(content, margin=100, minimum=300) == frames


def test_window_rejects_negative_sizes() -> None:
    with pytest.raises(ValueError, match="positive"):
        window_frames(-1, margin=100, minimum=300)
    with pytest.raises(ValueError, match="positive"):
        window_frames(100, margin=100, minimum=0)


@pytest.mark.parametrize(
    ("decoded", "kept"),
    [
        ("Yes. Yes.", "Yes."),
        ("John Smith. John Smith, John Smith", "John Smith."),
        ("Do you have parking? Do you", "Do you have parking?"),
        ("John Smith John Smith", "John Smith"),
        ("민소 민소", "민소"),
        ("John Smith John", "John Smith John"),
        ("Yes, yes that's right.", "Yes, yes that's right."),
        ("네. 네.", "네."),
        ("예약하고 싶어요. 예약하고", "예약하고 싶어요."),
        ("No, thank you.", "No, thank you."),
        ("Four, four people.", "Four, four people."),
        ("Tomorrow at 7 p.m.", "Tomorrow at 7 p.m."),
        ("", ""),
    ],
)
def test_a_repeated_reading_is_cut(decoded: str, kept: str) -> None:
    assert drop_repeated_tail(decoded) == kept


def test_recognizer_rejects_a_bad_window() -> None:
    with pytest.raises(ValueError, match="window"):
        FasterWhisperRecognizer(Path("/nonexistent"), window_margin=-1.0)
    with pytest.raises(ValueError, match="window"):
        FasterWhisperRecognizer(Path("/nonexistent"), window_min=0.0)


def test_windowed_and_stock_decoding_hear_the_same_words(engines) -> None:
    windowed = engines.recognizer("en")
    assert isinstance(windowed, FasterWhisperRecognizer)
    assert "en" in windowed.window_languages  # the default: English on a cut window
    stock = FasterWhisperRecognizer(windowed.model_dir)
    options = RecognitionOptions("en", vocabulary=("reservation", "booking", "hall"))
    for said in ("I'd like to book a table.", "The main hall, please."):
        audio = _over_the_phone(engines.synthesizer("en").synthesize_sync(said))
        assert words(windowed.recognize_sync(audio, options).text) == words(said)
        assert words(stock.recognize_sync(audio, options).text) == words(said)


def test_short_english_answers_are_read_once(engines) -> None:
    options = RecognitionOptions("en", vocabulary=("reservation", "booking", "hall"))
    for said in ("Yes.", "No.", "John Smith."):
        audio = _over_the_phone(engines.synthesizer("en").synthesize_sync(said))
        heard = engines.recognizer("en").recognize_sync(audio, options).text
        # once: "Yes." and "yes" alike, never "Yes. Yes."
        assert words(heard) == words(said), heard


def test_audio_longer_than_the_window_is_refused(engines) -> None:
    from agent.voice.whisper import _load_model

    recognizer = engines.recognizer("en")
    model = _load_model(recognizer.model_dir, recognizer.threads)
    audio = PcmAudio.silence(2.0, 16000).float32()
    with pytest.raises(ValueError, match="do not fit"):
        decode_window(model, audio, language="en", frames=100)


def test_the_window_follows_the_settings(voice_data_dir: Path) -> None:
    stock = VoiceEngines.from_settings(Settings(data_dir=voice_data_dir, asr_window_languages=[]))
    recognizer = stock.recognizer("en")
    assert isinstance(recognizer, FasterWhisperRecognizer)
    assert recognizer.window_languages == frozenset()
    both = VoiceEngines.from_settings(
        Settings(data_dir=voice_data_dir, asr_window_languages=["en", "ko"])
    )
    assert getattr(both.recognizer("ko"), "window_languages", None) == {"en", "ko"}
    tiny = VoiceEngines.from_settings(Settings(data_dir=voice_data_dir, asr_model_en="tiny.en"))
    english = tiny.recognizer("en")
    assert isinstance(english, FasterWhisperRecognizer)
    assert english.window_languages == frozenset()  # tiny.en loops on short windows
