"""Voice timings per turn, linked to the call (SQLite and PostgreSQL)."""

from __future__ import annotations

import math

import pytest

from agent.store import CallLog, Database, VoiceTurnLog, VoiceTurnRecord
from common.errors import InputError

GREETING = VoiceTurnRecord(
    kind="greeting", agent="안녕하세요, 한강식당 지수입니다.", reply_ready=0.21
)
SPEECH = VoiceTurnRecord(
    kind="speech",
    user="예약하고 싶어요",
    agent="몇 월 며칠로 예약해 드릴까요?",
    speech_end=4.5,
    transcript_ready=5.25,
    reply_ready=5.262,
    first_audio=5.3,
    asr_seconds=0.61,
)
KEYS = VoiceTurnRecord(kind="dtmf", user="4", agent="Which seating?", reply_ready=9.0)
CUT = VoiceTurnRecord(kind="barge_in", user="Would you like...", interrupted=True)


@pytest.fixture
def voice(db: Database) -> VoiceTurnLog:
    CallLog(db).start_call(call_id="CA1", scenario_id="restaurant-ko", direction="inbound")
    return VoiceTurnLog(db)


def test_turns_round_trip_in_order_with_korean_text(voice: VoiceTurnLog) -> None:
    assert voice.save_turns("CA1", [GREETING, SPEECH, KEYS, CUT]) == 4
    turns = voice.load_turns("CA1")
    assert [t.seq for t in turns] == [1, 2, 3, 4]
    assert [t.kind for t in turns] == ["greeting", "speech", "dtmf", "barge_in"]
    speech = turns[1]
    assert (speech.user, speech.agent) == (SPEECH.user, SPEECH.agent)
    assert speech.speech_end == pytest.approx(4.5)
    assert speech.voice_to_voice == pytest.approx(0.8)
    assert turns[0].voice_to_voice is None and turns[0].speech_end is None
    assert turns[3].interrupted and not turns[2].interrupted


def test_saving_again_replaces_the_turns(voice: VoiceTurnLog) -> None:
    voice.save_turns("CA1", [GREETING, SPEECH])
    voice.save_turns("CA1", [GREETING])
    assert [t.kind for t in voice.load_turns("CA1")] == ["greeting"]


def test_a_call_without_voice_has_no_turns(voice: VoiceTurnLog) -> None:
    assert voice.load_turns("CA1") == []


def test_unknown_call_is_input_error(voice: VoiceTurnLog) -> None:
    with pytest.raises(InputError, match="no call"):
        voice.save_turns("CA404", [GREETING])
    with pytest.raises(InputError, match="no call"):
        voice.load_turns("CA404")


@pytest.mark.parametrize(
    ("turn", "message"),
    [
        (VoiceTurnRecord(kind="shouting"), "unknown kind"),
        (VoiceTurnRecord(kind="speech", speech_end=math.nan), "speech_end"),
        (VoiceTurnRecord(kind="speech", first_audio="5"), "first_audio"),  # type: ignore[arg-type]
        (VoiceTurnRecord(kind="speech", asr_seconds=True), "asr_seconds"),
    ],
)
def test_malformed_turns_store_nothing(
    voice: VoiceTurnLog, turn: VoiceTurnRecord, message: str
) -> None:
    voice.save_turns("CA1", [GREETING])
    with pytest.raises(InputError, match=message):
        voice.save_turns("CA1", [SPEECH, turn])
    assert [t.kind for t in voice.load_turns("CA1")] == ["greeting"]


def test_a_call_report_is_stored_and_written(db: Database, tmp_path) -> None:
    import json

    from agent.voice.report import CallReport, TurnTiming

    CallLog(db).start_call(call_id="CA7", scenario_id="restaurant-en", direction="inbound")
    report = CallReport(call_id="CA7", scenario="restaurant-en", status="completed")
    report.turns += [TurnTiming(kind="greeting", agent="Hello."), _timed()]
    report.save(tmp_path / "calls", db)
    stored = VoiceTurnLog(db).load_turns("CA7")
    assert [t.kind for t in stored] == ["greeting", "speech"]
    assert stored[1].voice_to_voice == pytest.approx(0.9)
    written = json.loads((tmp_path / "calls" / "CA7.json").read_text())
    assert written["turns"][1]["voice_to_voice"] == pytest.approx(0.9)


def test_a_report_of_an_unlogged_call_is_still_written(db: Database, tmp_path, caplog) -> None:
    from agent.voice.report import CallReport

    report = CallReport(call_id="CA8", scenario="restaurant-en")
    report.turns.append(_timed())
    report.save(tmp_path, db)  # no call row: logged, not raised
    assert (tmp_path / "CA8.json").exists()
    assert "could not store" in caplog.text


def _timed():
    from agent.voice.report import TurnTiming

    return TurnTiming(kind="speech", user="yes", agent="Booked.", speech_end=3.0, first_audio=3.9)
