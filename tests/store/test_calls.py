"""Call log: calls and their ordered event logs (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest

from agent.store import CallLog, Database
from common.errors import InputError

KST = timezone(timedelta(hours=9))
T0 = datetime(2030, 5, 17, 10, 0, tzinfo=UTC)


@pytest.fixture
def log(db: Database) -> CallLog:
    return CallLog(db)


def test_a_call_from_start_to_end(log: CallLog) -> None:
    call = log.start_call(
        call_id="CA123",
        scenario_id="bistro-ko",
        direction="inbound",
        caller="+821011112222",
        callee="+8221234567",
        started_at=T0,
    )
    assert (call.id, call.status, call.ended_at) == ("CA123", "in_progress", None)
    assert call.started_at == T0
    ended = log.end_call("CA123", "completed", outcome="booked", ended_at=T0 + timedelta(minutes=2))
    assert (ended.status, ended.outcome, ended.failure_reason) == ("completed", "booked", None)
    assert ended.ended_at == T0 + timedelta(minutes=2)
    assert log.get_call("CA123") == ended
    assert log.get_call("nope") is None


def test_generated_call_id(log: CallLog) -> None:
    call = log.start_call(scenario_id="s", direction="outbound")
    assert len(call.id) == 32
    assert call.started_at.tzinfo is not None


def test_start_call_rejects_bad_direction_and_duplicates(log: CallLog) -> None:
    with pytest.raises(InputError, match="direction"):
        log.start_call(scenario_id="s", direction="sideways")
    log.start_call(call_id="CA1", scenario_id="s", direction="inbound")
    with pytest.raises(InputError, match="exists already"):
        log.start_call(call_id="CA1", scenario_id="s", direction="inbound")


def test_failed_call(log: CallLog) -> None:
    log.start_call(call_id="CA1", scenario_id="s", direction="outbound")
    ended = log.end_call("CA1", "failed", failure_reason="stt timeout")
    assert ended.failure_reason == "stt timeout"
    with pytest.raises(InputError, match="no call"):
        log.end_call("CA2", "completed")
    with pytest.raises(InputError, match="empty"):
        log.end_call("CA1", "")


def test_events_keep_their_order_across_batches(log: CallLog) -> None:
    log.start_call(call_id="CA1", scenario_id="s", direction="inbound")
    assert log.append_events("CA1", []) == 0
    first = [
        {"type": "user", "timestamp": T0, "text": "7시에 4명 예약이요", "intent": "book"},
        {"type": "slot", "timestamp": T0, "payload": {"name": "party_size", "value": 4}},
    ]
    assert log.append_events("CA1", first) == 2
    assert log.append_events("CA1", [{"type": "bot", "timestamp": T0, "text": "네"}]) == 3
    events = log.load_events("CA1")
    assert [e.seq for e in events] == [1, 2, 3]
    assert [e.type for e in events] == ["user", "slot", "bot"]
    assert events[0].payload == {"text": "7시에 4명 예약이요", "intent": "book"}
    assert events[1].payload == {"name": "party_size", "value": 4}
    assert [e.seq for e in log.load_events("CA1", after_seq=1)] == [2, 3]


def test_event_timestamps_are_utc(log: CallLog) -> None:
    log.start_call(call_id="CA1", scenario_id="s", direction="inbound")
    log.append_events(
        "CA1",
        [
            {"type": "a", "timestamp": datetime(2030, 5, 17, 19, 0, tzinfo=KST)},
            {"type": "b", "timestamp": datetime(2030, 5, 17, 10, 0)},  # naive means UTC
            {"type": "c", "timestamp": T0.timestamp()},
            {"type": "d", "timestamp": "2030-05-17T19:00:00+09:00"},
        ],
    )
    stamps = [e.timestamp for e in log.load_events("CA1")]
    assert stamps == [T0, T0, T0, T0]
    assert all(s.tzinfo is not None and s.utcoffset() == timedelta(0) for s in stamps)


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"timestamp": T0}, "'type'"),
        ({"type": "x"}, "'timestamp' is missing"),
        ({"type": "x", "timestamp": "yesterday"}, "ISO 8601"),
        ({"type": "x", "timestamp": T0, "payload": [1]}, "must be a mapping"),
        ({"type": "x", "timestamp": T0, "value": datetime(2030, 1, 1)}, "JSON"),
    ],
)
def test_a_bad_event_stores_nothing_of_its_batch(
    log: CallLog, event: dict[str, object], message: str
) -> None:
    log.start_call(call_id="CA1", scenario_id="s", direction="inbound")
    good = {"type": "ok", "timestamp": T0}
    with pytest.raises(InputError, match=message):
        log.append_events("CA1", [good, event])
    assert log.load_events("CA1") == []


def test_events_of_unknown_call(log: CallLog) -> None:
    with pytest.raises(InputError, match="no call"):
        log.append_events("nope", [{"type": "x", "timestamp": T0}])
    with pytest.raises(InputError, match="no call"):
        log.load_events("nope")


def test_concurrent_batches_of_one_call_get_distinct_sequence_numbers(db_url: str) -> None:
    database = Database(db_url, pool_size=8, lock_timeout=60)
    log = CallLog(database)
    log.start_call(call_id="CA1", scenario_id="s", direction="inbound")
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        barrier.wait(timeout=30)
        try:
            for k in range(5):
                log.append_events(
                    "CA1",
                    [
                        {"type": "e", "timestamp": T0, "writer": n, "k": k, "part": p}
                        for p in (0, 1)
                    ],
                )
        except BaseException as e:  # asserted below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    events = log.load_events("CA1")
    assert [e.seq for e in events] == list(range(1, 81))
    # Each batch is contiguous: part 0 is directly followed by part 1 of the same batch.
    for first, second in zip(events[::2], events[1::2], strict=True):
        assert (first.payload["part"], second.payload["part"]) == (0, 1)
        assert first.payload["writer"] == second.payload["writer"]
    database.close()


def test_list_calls(log: CallLog) -> None:
    for i in range(5):
        log.start_call(
            call_id=f"CA{i}",
            scenario_id="care" if i % 2 else "bistro",
            direction="outbound" if i % 2 else "inbound",
            started_at=T0 + timedelta(minutes=i),
        )
    log.end_call("CA3", "no_answer")
    assert [c.id for c in log.list_calls()] == ["CA4", "CA3", "CA2", "CA1", "CA0"]
    assert [c.id for c in log.list_calls(limit=2)] == ["CA4", "CA3"]
    assert [c.id for c in log.list_calls(scenario_id="care")] == ["CA3", "CA1"]
    assert [c.id for c in log.list_calls(direction="inbound")] == ["CA4", "CA2", "CA0"]
    assert [c.id for c in log.list_calls(status="no_answer")] == ["CA3"]
    assert [c.id for c in log.list_calls(since=T0 + timedelta(minutes=3))] == ["CA4", "CA3"]
    since_kst = (T0 + timedelta(minutes=3)).astimezone(KST)
    assert [c.id for c in log.list_calls(since=since_kst)] == ["CA4", "CA3"]


def test_an_unreached_call_is_stored_once_even_from_racing_callbacks(log: CallLog) -> None:
    stored: list[bool] = []

    def callback() -> None:
        stored.append(
            log.record_unreached(
                call_id="CA-nobody", scenario_id="carecall-ko", status="no_answer",
                callee="+821099998888", reason="SIP 480",
            )
        )  # fmt: skip

    threads = [threading.Thread(target=callback) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(stored) == [False, False, False, True]
    call = log.get_call("CA-nobody")
    assert call is not None and (call.direction, call.status) == ("outbound", "no_answer")
    assert call.failure_reason == "SIP 480" and call.ended_at is not None


def test_an_answered_call_is_not_overwritten_as_unreached(log: CallLog) -> None:
    log.start_call(call_id="CA-ran", scenario_id="carecall-ko", direction="outbound")
    assert not log.record_unreached(call_id="CA-ran", scenario_id="carecall-ko", status="busy")
    call = log.get_call("CA-ran")
    assert call is not None and call.status == "in_progress"
