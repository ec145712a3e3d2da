"""The database goes away mid-call: the agent apologises, the call ends, nothing half-written.

The failure is real, not a mock: the runtime's database is closed under the live call (every
pooled connection disposed), so the next write raises the store's own error.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from agent.runtime import AgentRuntime
from agent.store import Database, SqlBookingBackend, SqlCareCallRecorder
from common.errors import StoreUnavailableError
from tests.conversation.harness import make_runtime, start_call


@pytest.mark.parametrize(
    ("scenario", "lines", "yes", "sorry"),
    [
        (
            "restaurant-ko",
            ["내일 저녁 7시에 4명 홀로 예약할게요", "김민수입니다"],
            "네",
            "예약 시스템에 문제가",
        ),
        (
            "restaurant-en",
            ["table for four tomorrow at 7 pm in the main hall", "John Smith"],
            "yes",
            "booking system has a problem",
        ),
    ],
)
def test_store_down_at_booking_time(
    tmp_path: Path, runtime: AgentRuntime, scenario: str, lines: list[str], yes: str, sorry: str
) -> None:
    call = start_call(runtime, scenario, caller="+821012345678")
    for said in lines:
        call.user(said)
    assert call.state.confirming
    runtime.db.close()  # the database goes away under the live call

    call.user(yes).agent(sorry).ends("failed")
    assert call.user(
        "여보세요" if scenario.endswith("ko") else "hello?"
    ).reply.end_call  # stays over
    call.close()  # storing the end fails too: logged, not raised

    with Database(f"sqlite:///{tmp_path / 'aicall.db'}") as db:
        assert SqlBookingBackend(db).list(include_cancelled=True) == []  # nothing half-written


@pytest.mark.parametrize(
    ("scenario", "answers", "sorry"),
    [
        (
            "carecall-ko",
            ["네", "잘 먹었어요", "잘 잤어요", "아픈 데 없어요", "좋아요"],
            "기록에 문제가",
        ),
        (
            "carecall-en",
            ["yes", "I ate well", "slept well", "no pain", "good"],
            "trouble saving your answers",
        ),
    ],
)
def test_store_down_when_the_care_call_is_recorded(
    tmp_path: Path, runtime: AgentRuntime, scenario: str, answers: list[str], sorry: str
) -> None:
    call = start_call(runtime, scenario)
    for said in answers:
        call.user(said)
    runtime.db.close()
    call.user("없어요" if scenario.endswith("ko") else "nothing").agent(sorry).ends("failed")
    with Database(f"sqlite:///{tmp_path / 'aicall.db'}") as db:
        assert SqlCareCallRecorder(db).results() == []


def test_store_down_at_lookup(runtime: AgentRuntime) -> None:
    call = start_call(runtime, "restaurant-ko", caller="+821012345678")
    runtime.db.close()
    call.user("예약 취소하고 싶어요").agent("예약 시스템에 문제가").ends("failed")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_postgresql_fails_the_call_start_with_a_clear_error(tmp_path: Path) -> None:
    url = f"postgresql://aicall:secret@127.0.0.1:{_closed_port()}/aicall"
    runtime = make_runtime(tmp_path, database_url=url)
    try:
        with pytest.raises(StoreUnavailableError) as err:
            runtime.new_call("restaurant-ko", caller="+821012345678")
    finally:
        runtime.close()
    assert "127.0.0.1" in str(err.value) and "secret" not in str(err.value)
