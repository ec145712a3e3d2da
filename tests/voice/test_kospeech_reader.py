"""bench/voice_asr_kospeech reads the Korean dev set from AICALL_KOSPEECH_DIR, through the phone band."""

from __future__ import annotations

import math
import struct
import sys
from pathlib import Path

import pytest

from bench import voice_asr_kospeech as kospeech


def _write_utterance(directory: Path, name: str, text: str, seconds: float = 0.5) -> None:
    samples = [
        int(8000 * math.sin(2 * math.pi * 440 * i / 16000)) for i in range(int(16000 * seconds))
    ]
    (directory / f"{name}.pcm").write_bytes(struct.pack(f"<{len(samples)}h", *samples))
    (directory / f"{name}.txt").write_bytes(text.encode("cp949"))


def test_kospeech_dir_is_where_the_bench_reads_the_dev_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AICALL_KOSPEECH_DIR", raising=False)
    monkeypatch.setattr(sys, "argv", ["voice_asr_kospeech"])
    kospeech.main()
    assert "skipped: set AICALL_KOSPEECH_DIR" in capsys.readouterr().out

    _write_utterance(tmp_path, "KaiSpeech_000001", "예약하고 싶은데요")
    monkeypatch.setenv("AICALL_KOSPEECH_DIR", str(tmp_path))
    # the directory is taken (no "skipped"): the bench goes on to check the settings asked for
    monkeypatch.setattr(sys, "argv", ["voice_asr_kospeech", "--settings", "no-such-setting"])
    with pytest.raises(SystemExit) as exit_info:
        kospeech.main()
    assert exit_info.value.code == 2
    assert "skipped" not in capsys.readouterr().out


def test_the_dev_set_is_read_in_cp949_through_the_phone_band(tmp_path: Path) -> None:
    _write_utterance(tmp_path, "KaiSpeech_000001", "네 그렇습니다", seconds=0.5)
    _write_utterance(tmp_path, "KaiSpeech_000002", "다음 주 화요일", seconds=1.0)
    utterances = kospeech.load(tmp_path)
    assert [u.text for u in utterances] == ["네 그렇습니다", "다음 주 화요일"]
    assert [round(u.audio.duration, 1) for u in utterances] == [0.5, 1.0]


def test_character_errors_ignore_spaces_and_punctuation_when_asked() -> None:
    assert kospeech.errors("예약 하고 싶어요.", "예약하고 싶어요", spaces=False) == (0, 7)
    assert kospeech.errors("예약 하고", "예약하고", spaces=True)[0] == 1
    assert kospeech.errors("다음 주", "다음초", spaces=False) == (1, 3)
