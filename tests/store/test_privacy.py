"""The store masks personal numbers before it writes, and keeps what the call collected."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from agent.store import CallLog, Database, VoiceTurnLog, VoiceTurnRecord

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
SAID = "제 주민번호는 900101-1234567이고 카드번호는 4111 1111 1111 1111예요"


def _all_text(db: Database) -> str:
    """Every value of every table, as text: what someone reading the database would see."""
    out = []
    with db.session() as session:
        for table in ("calls", "call_events", "voice_turns"):
            for row in session.execute(text(f"SELECT * FROM {table}")):
                out.append(" ".join(str(v) for v in row))
    return "\n".join(out)


def test_events_are_stored_masked_and_the_bookings_phone_stays(db: Database) -> None:
    calls = CallLog(db)
    calls.start_call(call_id="CA1", scenario_id="restaurant-ko", direction="inbound")
    calls.append_events(
        "CA1",
        [
            {"type": "user", "timestamp": T0, "text": SAID, "slots": []},
            {"type": "user", "timestamp": T0, "text": "010-1234-5678이요", "slots": []},
            {"type": "slot", "timestamp": T0, "name": "phone", "value": "01012345678"},
            {"type": "user", "timestamp": T0, "text": "남편은 010-9876-5432", "slots": []},
            {"type": "bot", "timestamp": T0, "text": "연락처 010-1234-5678로 예약할까요?"},
        ],
    )
    payloads = [e.payload for e in calls.load_events("CA1")]
    assert payloads[0]["text"] == "제 주민번호는 [RRN]이고 카드번호는 [CARD]예요"
    assert payloads[1]["text"] == "010-1234-5678이요"  # the slot set in the same batch
    assert payloads[2]["value"] == "01012345678"
    assert payloads[3]["text"] == "남편은 [PHONE]"
    assert payloads[4]["text"] == "연락처 010-1234-5678로 예약할까요?"
    # a later batch still knows the phone the call collected
    calls.append_events("CA1", [{"type": "user", "timestamp": T0, "text": "01012345678 맞아요"}])
    assert calls.load_events("CA1", after_seq=5)[0].payload["text"] == "01012345678 맞아요"
    stored = _all_text(db)
    assert "900101" not in stored and "4111" not in stored and "9876" not in stored


def test_failure_reasons_and_voice_turns_are_masked(db: Database) -> None:
    calls = CallLog(db)
    calls.start_call(
        call_id="CA2", scenario_id="restaurant-en", direction="inbound", caller="+15558675309"
    )
    turns = [
        VoiceTurnRecord(
            kind="speech", user="my card is four one one one " + "one " * 12, agent="ok"
        ),
        VoiceTurnRecord(kind="speech", user="call me on 555 867 5309", agent="Thanks."),
    ]
    VoiceTurnLog(db).save_turns("CA2", turns, keep=("+8225550100",))
    calls.end_call("CA2", "failed", failure_reason="ValueError: bad account 110-123-456789 (bank)")
    stored = VoiceTurnLog(db).load_turns("CA2")
    assert stored[0].user == "my card is [CARD] "
    assert stored[1].user == "call me on 555 867 5309"  # the caller's own number
    record = calls.get_call("CA2")
    assert record is not None
    assert record.failure_reason == "ValueError: bad account [ACCOUNT] (bank)"
    assert "4111" not in _all_text(db).replace(" ", "")


def test_an_unreached_calls_reason_is_masked(db: Database) -> None:
    calls = CallLog(db)
    assert calls.record_unreached(
        call_id="CA3",
        scenario_id="carecall-ko",
        status="no_answer",
        callee="+821055556666",
        reason="busy; fallback 010-2222-3333 tried; callee 010-5555-6666",
    )
    record = calls.get_call("CA3")
    assert record is not None
    assert record.failure_reason == "busy; fallback [PHONE] tried; callee 010-5555-6666"


def test_a_hand_over_reason_keeps_the_scenarios_number(db: Database) -> None:
    """The hand-over number is the business's, not a person's: "transferred to …" keeps it."""
    calls = CallLog(db)
    calls.start_call(call_id="CA3", scenario_id="restaurant-ko", direction="inbound")
    reason = "caller asked for a person, transferred to 02-555-0100; card 4111 1111 1111 1111"
    calls.end_call("CA3", "completed", failure_reason=reason, keep=("02-555-0100",))
    record = calls.get_call("CA3")
    assert record is not None
    assert record.failure_reason == (
        "caller asked for a person, transferred to 02-555-0100; card [CARD]"
    )
