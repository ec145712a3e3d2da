"""``aicall calls list`` / ``aicall calls show``: stored calls with their per-turn voice timings."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from agent.store import CallLog, Database, VoiceTurnLog, VoiceTurnRecord
from cli import calls as calls_cli
from common.errors import InputError

T0 = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'aicall.db'}"
    with Database(url) as db:
        log = CallLog(db)
        log.start_call(
            call_id="CAko",
            scenario_id="restaurant-ko",
            direction="inbound",
            caller="+821012345678",
            started_at=T0,
        )
        VoiceTurnLog(db).save_turns(
            "CAko",
            [
                VoiceTurnRecord(
                    kind="greeting", agent="안녕하세요, 한강식당 지수입니다.", reply_ready=0.2
                ),
                VoiceTurnRecord(
                    kind="speech",
                    user="예약하고 싶어요",
                    agent="몇 월 며칠로 예약해 드릴까요?",
                    speech_end=4.0,
                    transcript_ready=4.6,
                    reply_ready=4.61,
                    first_audio=4.65,
                    asr_seconds=0.5,
                ),
                VoiceTurnRecord(
                    kind="dtmf", user="4", agent="좌석은 룸, 홀, 야외 중 어디로 해 드릴까요?"
                ),
                VoiceTurnRecord(
                    kind="speech",
                    user="홀",
                    agent="예약자 성함을 말씀해 주세요.",
                    speech_end=9.0,
                    first_audio=10.25,
                    interrupted=True,
                ),
            ],
        )
        log.end_call("CAko", "completed", outcome="completed", ended_at=T0 + timedelta(seconds=61))
        log.start_call(
            call_id="CAen",
            scenario_id="restaurant-en",
            direction="inbound",
            started_at=T0 + timedelta(minutes=5),
        )
        log.end_call("CAen", "failed", failure_reason="bad media stream message: base64")
    return url


def _run(*args: str):
    app = typer.Typer()
    calls_cli.register(app)
    app.command("noop")(lambda: None)  # a second command keeps ``calls`` a subcommand
    return CliRunner().invoke(app, list(args))


def test_show_prints_each_turn_with_its_timings(url: str) -> None:
    result = _run("calls", "show", "CAko", "--database", url)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "restaurant-ko" in out and "lasted 61.0 s" in out and "status completed" in out
    assert "예약하고 싶어요 | 몇 월 며칠로 예약해 드릴까요?" in out
    speech = next(line for line in out.splitlines() if "예약하고 싶어요" in line)
    assert speech.split()[1:5] == ["speech", "4.00", "0.50", "0.65"]
    assert "[cut]" in out
    assert "voice-to-voice over 2 spoken turns: p50 0.95 s, max 1.25 s" in out


def test_show_as_json(url: str) -> None:
    result = _run("calls", "show", "CAko", "--json", "--database", url)
    data = json.loads(result.output)
    assert data["call"]["status"] == "completed"
    assert [t["kind"] for t in data["turns"]] == ["greeting", "speech", "dtmf", "speech"]
    assert data["turns"][1]["voice_to_voice"] == pytest.approx(0.65)


def test_list_newest_first_with_the_failure_reason(url: str) -> None:
    result = _run("calls", "list", "--database", url)
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == ["CAen", "CAko"]
    assert "bad media stream message: base64" in lines[0]
    only = _run("calls", "list", "--status", "completed", "--json", "--database", url)
    assert [c["id"] for c in json.loads(only.output)] == ["CAko"]


def test_a_text_call_has_no_voice_turns(url: str) -> None:
    result = _run("calls", "show", "CAen", "--database", url)
    assert "no voice turns" in result.output and "reason: bad media stream" in result.output


def test_unknown_call_is_a_clear_error(url: str) -> None:
    result = _run("calls", "show", "CAnope", "--database", url)
    assert isinstance(result.exception, InputError)
    assert "aicall calls list" in str(result.exception)
