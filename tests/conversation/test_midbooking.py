"""Changing one's mind in the middle of a new booking (issue #3): a change corrects the booking
being made, a cancel asks before dropping it, and a party size said as a range is confirmed.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from agent.runtime import AgentRuntime
from tests.conversation.harness import start_call

KO_CALLER = "+821012345678"
EN_CALLER = "+15551234567"
TOMORROW = date(2026, 11, 26)


def test_a_change_mid_booking_updates_the_party_ko(runtime: AgentRuntime) -> None:
    call = start_call(runtime, "restaurant-ko", caller=KO_CALLER)
    call.user("내일 저녁 7시에 4명 예약하고 싶어요").agent("좌석은")
    call.user("인원 변경할게요 6명으로요").agent("좌석은").agent_not("찾지 못했습니다")
    assert call.state.task == "book" and call.slots["party_size"] == 6
    call.user("홀이요").agent("성함")
    call.user("김민수입니다").agent("저녁 7시, 6명, 홀 좌석, 김민수 님")
    call.user("네").agent("예약이 완료되었습니다")
    (booking,) = runtime.bookings.list()
    assert (booking.start, booking.party_size) == (datetime(2026, 11, 26, 19, 0), 6)


def test_a_change_mid_booking_updates_the_party_en(runtime: AgentRuntime) -> None:
    call = start_call(runtime, "restaurant-en", caller=EN_CALLER)
    call.user("I'd like to book a table for 4 tomorrow at 7 pm").agent("private room")
    call.user("I need to change the reservation to 6 people").agent("private room")
    call.agent_not("couldn't find a booking")
    assert call.state.task == "book" and call.slots["party_size"] == 6
    call.user("the main hall").user("John Smith").agent("at 7 pm, 6 people, main hall")


@pytest.mark.parametrize(
    ("scenario", "caller", "opening", "change", "what", "new_time", "pending"),
    [
        (
            "restaurant-ko",
            KO_CALLER,
            "내일 저녁 7시에 4명 예약하고 싶어요",
            "예약 변경하고 싶어요",
            "어느 부분을 바꿔 드릴까요?",
            "여덟이요",
            "좌석은",
        ),
        (
            "restaurant-en",
            EN_CALLER,
            "I'd like to book a table for 4 tomorrow at 7 pm",
            "I want to change the reservation",
            "What would you like to change?",
            "8",
            "private room",
        ),
    ],
)
def test_a_change_without_values_asks_what_then_a_bare_number_is_the_time(
    runtime: AgentRuntime,
    scenario: str,
    caller: str,
    opening: str,
    change: str,
    what: str,
    new_time: str,
    pending: str,
) -> None:
    call = start_call(runtime, scenario, caller=caller)
    call.user(opening).agent(pending)
    call.user(change).agent(what)
    assert call.state.task == "book" and call.slots["party_size"] == 4
    call.user(new_time).agent(pending)
    assert call.slots["time"] == time(20, 0)


@pytest.mark.parametrize(
    ("scenario", "caller", "opening", "cancel", "drop", "no", "pending", "yes", "dropped"),
    [
        (
            "restaurant-ko",
            KO_CALLER,
            "내일 저녁 7시에 4명 예약하고 싶어요",
            "아 그냥 취소할게요",
            "예약을 그만둘까요?",
            "아니요",
            "좌석은",
            "네",
            "예약은 진행하지 않겠습니다",
        ),
        (
            "restaurant-en",
            EN_CALLER,
            "I'd like to book a table for 4 tomorrow at 7 pm",
            "cancel",
            "Shall I stop making this booking?",
            "no",
            "private room",
            "yes",
            "I won't make the booking",
        ),
    ],
)
def test_cancel_mid_booking_asks_before_dropping_it(
    runtime: AgentRuntime,
    scenario: str,
    caller: str,
    opening: str,
    cancel: str,
    drop: str,
    no: str,
    pending: str,
    yes: str,
    dropped: str,
) -> None:
    call = start_call(runtime, scenario, caller=caller)
    call.user(opening).agent(pending)
    call.user(cancel).agent(drop)
    call.user(no).agent(pending)  # kept: the pending question again, nothing lost
    assert call.state.task == "book" and call.slots["party_size"] == 4
    call.user(cancel).agent(drop)
    call.user(yes).agent(dropped).goes_on()
    assert call.state.task is None and call.state.completed == [("book", "abandoned")]
    assert runtime.bookings.list() == []


@pytest.mark.parametrize(
    ("scenario", "caller", "lines", "drop"),
    [
        (
            "restaurant-ko",
            KO_CALLER,
            ["내일 저녁 7시에 4명 홀로 예약할게요", "김민수입니다", "예약 취소할게요"],
            "예약을 그만둘까요?",
        ),
        (
            "restaurant-en",
            EN_CALLER,
            ["a table for 4 tomorrow at 7 pm in the main hall", "John Smith", "cancel that"],
            "stop making this booking",
        ),
    ],
)
def test_cancel_at_the_read_back_asks_before_dropping(
    runtime: AgentRuntime, scenario: str, caller: str, lines: list[str], drop: str
) -> None:
    call = start_call(runtime, scenario, caller=caller)
    for line in lines:
        call.user(line)
    call.agent(drop)
    call.user("네" if scenario.endswith("ko") else "yes")
    assert call.state.completed == [("book", "abandoned")] and runtime.bookings.list() == []


@pytest.mark.parametrize(
    ("scenario", "caller", "lines", "confirm", "yes", "no", "again", "exact"),
    [
        (
            "restaurant-ko",
            KO_CALLER,
            ["내일 저녁 7시에 예약하고 싶어요", "대여섯 명이요"],
            "넉넉하게 6명으로 준비해 드릴까요?",
            "네",
            "아니요",
            "몇 분이",
            "다섯 명이요",
        ),
        (
            "restaurant-en",
            EN_CALLER,
            ["I'd like to book a table tomorrow at 7 pm", "five or six of us"],
            "Shall I make it 6 people, to be safe?",
            "yes",
            "no",
            "How many people",
            "five",
        ),
    ],
)
def test_a_party_said_as_a_range_is_confirmed(
    runtime: AgentRuntime,
    scenario: str,
    caller: str,
    lines: list[str],
    confirm: str,
    yes: str,
    no: str,
    again: str,
    exact: str,
) -> None:
    call = start_call(runtime, scenario, caller=caller)
    for line in lines:
        call.user(line)
    call.agent(confirm)
    assert call.slots["party_size"] == 6
    call.user(yes).agent_not(confirm)
    assert call.state.requested == "seating" and call.slots["party_size"] == 6

    other = start_call(runtime, scenario, caller=caller)
    for line in lines:
        other.user(line)
    other.user(no).agent(again)
    other.user(exact)
    assert other.slots["party_size"] == 5 and other.state.requested == "seating"


@pytest.mark.parametrize(
    ("scenario", "opening", "confirm", "yes", "next_question"),
    [
        ("restaurant-ko", "내일 저녁 7시에 대여섯 명 예약이요", "넉넉하게 6명으로", "네", "좌석은"),
        (
            "restaurant-en",
            "a table for five or six tomorrow at 7 pm",
            "make it 6 people",
            "yes",
            "private room",
        ),
    ],
)
def test_a_range_in_the_first_sentence_is_confirmed_too(
    runtime: AgentRuntime, scenario: str, opening: str, confirm: str, yes: str, next_question: str
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    call.user(opening).agent(confirm)
    call.user(yes).agent(next_question)
    assert (call.slots["party_size"], call.slots["date"]) == (6, TOMORROW)
