"""A phone call's voice record is written and stored without the caller's personal numbers."""

from __future__ import annotations

import json
from pathlib import Path

from agent.store import CallLog, Database, VoiceTurnLog
from agent.voice.report import CallReport, TurnTiming

CALL = "CA" + "0123456789abcdef" * 2


def test_the_json_record_and_the_stored_turns_are_masked_and_keep_the_booking_phone(
    tmp_path: Path,
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'aicall.db'}")
    try:
        CallLog(db).start_call(call_id=CALL, scenario_id="restaurant-ko", direction="inbound")
        report = CallReport(call_id=CALL, scenario="restaurant-ko", keep=("010-1234-5678",))
        report.turns = [
            TurnTiming(
                kind="speech", user="카드는 사일일일 일일일일 일일일일 일일일일이요", agent="네"
            ),
            TurnTiming(
                kind="speech",
                user="공일공 일이삼사 오육칠팔이요, 남편은 공일공 구팔칠육 오사삼이",
                agent="연락처 010-1234-5678로 예약할까요?",
            ),
        ]
        report.save(tmp_path / "calls", db)
        written = json.loads((tmp_path / "calls" / f"{CALL}.json").read_text(encoding="utf-8"))
        stored = VoiceTurnLog(db).load_turns(CALL)
    finally:
        db.close()
    for turns in (
        [(t["user"], t["agent"]) for t in written["turns"]],
        [(t.user, t.agent) for t in stored],
    ):
        assert turns == [
            ("카드는 [CARD]이요", "네"),
            ("공일공 일이삼사 오육칠팔이요, 남편은 [PHONE]", "연락처 010-1234-5678로 예약할까요?"),
        ]
