"""Taking one of the alternatives offered when the time asked is full (issue #3).

The private room is full from 17:30 to 20:30 on Thursday (a party of 12 at 19:00). A caller
asking for 19:30 is offered 20:30 (an hour away) before 17:30 (two hours away): a bare yes takes
the nearest, the one named first; the caller may also pick one by its place or its time.
"""

from __future__ import annotations

from datetime import datetime, time

import pytest

from agent.runtime import AgentRuntime
from tests.conversation.harness import Call, book_directly, start_call

KO_CALLER = "+821012345678"
ASK = {
    "restaurant-ko": "내일 저녁 7시 반에 4명 방으로 예약할게요",
    "restaurant-en": "a table for four tomorrow at 7:30 pm in a private room",
}
OFFERED = {
    "restaurant-ko": "저녁 8시 30분 또는 저녁 5시 30분 또는 저녁 7시 30분 홀",
    "restaurant-en": "8:30 pm or 5:30 pm or 7:30 pm in the main hall",
}


def _offered(runtime: AgentRuntime, scenario: str) -> Call:
    book_directly(runtime, datetime(2026, 11, 26, 19, 0), seating="room", party_size=12)
    call = start_call(runtime, scenario, caller=KO_CALLER)
    call.user(ASK[scenario]).agent(OFFERED[scenario])
    assert call.state.awaiting == "offer"
    return call


@pytest.mark.parametrize(
    ("scenario", "yes"), [("restaurant-ko", "네 좋아요"), ("restaurant-en", "yes")]
)
def test_yes_takes_the_nearest_time_named_first(
    runtime: AgentRuntime, scenario: str, yes: str
) -> None:
    call = _offered(runtime, scenario)
    call.user(yes)
    assert (call.slots["time"], call.slots["seating"]) == (time(20, 30), "room")
    assert call.state.requested == "name"


@pytest.mark.parametrize(
    ("scenario", "said", "at", "seating"),
    [
        ("restaurant-ko", "두 번째요", time(17, 30), "room"),
        ("restaurant-ko", "더 이른 시간으로 해 주세요", time(17, 30), "room"),
        ("restaurant-ko", "마지막 거요", time(19, 30), "hall"),
        ("restaurant-ko", "5시 반으로요", time(17, 30), "room"),
        ("restaurant-ko", "홀로 할게요", time(19, 30), "hall"),
        ("restaurant-en", "the second one", time(17, 30), "room"),
        ("restaurant-en", "the earlier one please", time(17, 30), "room"),
        ("restaurant-en", "the last one", time(19, 30), "hall"),
        ("restaurant-en", "5:30 please", time(17, 30), "room"),
        ("restaurant-en", "the main hall is fine", time(19, 30), "hall"),
    ],
)
def test_the_caller_picks_an_offer(
    runtime: AgentRuntime, scenario: str, said: str, at: time, seating: str
) -> None:
    call = _offered(runtime, scenario)
    call.user(said)
    assert (call.slots["time"], call.slots["seating"]) == (at, seating)
    assert call.state.requested == "name"
