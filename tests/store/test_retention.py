"""Expired transcripts and one person's records, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agent.store import CallLog, Database, SqlCareCallRecorder, VoiceTurnLog, VoiceTurnRecord
from agent.store.retention import CallRetention, PersonRecords, phone_key

T0 = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def _call(db: Database, call_id: str, started: datetime, **numbers: str) -> None:
    calls = CallLog(db)
    calls.start_call(
        call_id=call_id,
        scenario_id=numbers.pop("scenario", "restaurant-ko"),
        direction="inbound",
        started_at=started,
        **numbers,
    )
    calls.append_events(call_id, [{"type": "user", "timestamp": started, "text": "4명이요"}])
    VoiceTurnLog(db).save_turns(call_id, [VoiceTurnRecord(kind="speech", user="4명이요")])
    calls.end_call(call_id, "completed", ended_at=started + timedelta(minutes=3))


def test_expired_calls_lose_their_words_and_numbers_only(db: Database) -> None:
    _call(db, "CAold", T0, caller="+821011112222")
    _call(db, "CAnew", T0 + timedelta(days=60), caller="+821011112222")
    _call(db, "CAcare", T0, scenario="carecall-ko", callee="+821033334444")
    CallLog(db).start_call(
        call_id="CAlive", scenario_id="restaurant-ko", direction="inbound", started_at=T0
    )
    retention = CallRetention(db)
    cutoffs = {"restaurant-ko": T0 + timedelta(days=30)}  # carecall-ko keeps everything
    expired = retention.expired(cutoffs)
    assert [(c.id, c.events, c.turns) for c in expired] == [("CAold", 1, 1)]  # not in progress
    assert retention.purge(c.id for c in expired) == (1, 1)
    assert CallLog(db).load_events("CAold") == [] and VoiceTurnLog(db).load_turns("CAold") == []
    old = CallLog(db).get_call("CAold")
    assert old is not None and (old.status, old.caller) == ("completed", None)
    assert len(CallLog(db).load_events("CAnew")) == 1
    assert retention.expired(cutoffs) == []  # purged once, not found again
    assert retention.started_before(cutoffs, ["CAold", "CAnew", "CAcare", "CAx"]) == {"CAold"}


def test_a_persons_records_are_collected_and_deleted_by_number_or_name(db: Database) -> None:
    _call(db, "CA1", T0, caller="+82 10-1111-2222")
    _call(db, "CA2", T0, caller="+821099990000")
    _call(db, "CA3", T0, scenario="carecall-ko", callee="+821055556666")
    SqlCareCallRecorder(db).record_answers("CA3", "carecall-ko", "박순자", {"mood": "good"})
    people = PersonRecords(db)
    assert phone_key("010 1111 2222") == "01011112222"
    by_number = people.collect("010-1111-2222")
    assert by_number.call_ids == ["CA1"] and by_number.calls[0]["events"]
    by_name = people.collect("박순자")
    assert by_name.call_ids == ["CA3"] and by_name.carecall_answers[0]["answers"] == {
        "mood": "good"
    }
    assert people.collect("김철수").empty()
    deleted = people.delete("박순자")
    assert deleted.call_ids == ["CA3"]
    assert CallLog(db).get_call("CA3") is None and people.collect("박순자").empty()
    assert CallLog(db).get_call("CA2") is not None
