"""A meal or a part of the day is not a time: the agent asks the hour, and reads it in that part.

The venue takes bookings 11:00-20:30, so lunch is 11:00-14:30 and dinner 17:00-20:30.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from agent.runtime import AgentRuntime
from tests.conversation.harness import start_call

KO_CALLER = "+821055550101"
EN_CALLER = "+15551234567"
TOMORROW = date(2026, 11, 26)  # Thursday
NEXT_FRIDAY = date(2026, 12, 4)


def test_lunch_next_friday_asks_the_hour_in_the_lunch_window_ko(runtime: AgentRuntime) -> None:
    call = start_call(runtime, "restaurant-ko", caller=KO_CALLER)
    call.user("다음 주 금요일 점심에 예약 좀 하려고요")
    call.agent("점심 몇 시에 오실 예정이세요?", "오전 11시부터 오후 2시 30분까지")
    assert call.slots == {"date": NEXT_FRIDAY}  # no 12:00 booked without asking
    call.user("1시요").agent("몇 분이")
    assert call.slots["time"] == time(13, 0)
    call.user("두 명이요").agent("좌석은")
    call.user("홀로 해 주세요").agent("성함")
    call.user("김민수입니다").agent("12월 4일 금요일 오후 1시, 2명", "예약해 드릴까요?")
    call.user("네").agent("예약이 완료되었습니다")
    (booking,) = runtime.bookings.list()
    assert booking.start == datetime(2026, 12, 4, 13, 0)


def test_lunch_on_friday_asks_the_hour_in_the_lunch_window_en(runtime: AgentRuntime) -> None:
    call = start_call(runtime, "restaurant-en", caller=EN_CALLER)
    call.user("I'd like to book a table for lunch next Friday")
    call.agent("What time would you like to come for lunch?", "from 11 am to 2:30 pm")
    assert call.slots == {"date": NEXT_FRIDAY}
    call.user("1").agent("How many people")
    assert call.slots["time"] == time(13, 0)


def test_dinner_then_a_bare_seven_is_seven_in_the_evening_en(runtime: AgentRuntime) -> None:
    call = start_call(runtime, "restaurant-en", caller=EN_CALLER)
    call.user("can I get a table for dinner tomorrow").agent("come for dinner", "8:30 pm")
    assert "time" not in call.slots
    call.user("7").agent("How many people")
    assert call.slots == {"date": TOMORROW, "time": time(19, 0)}


def test_dinner_then_a_bare_seven_is_seven_in_the_evening_ko(runtime: AgentRuntime) -> None:
    call = start_call(runtime, "restaurant-ko", caller=KO_CALLER)
    call.user("내일 저녁에 예약하고 싶어요").agent("저녁 몇 시에", "저녁 8시 30분까지")
    call.user("일곱 시요").agent("몇 분이")
    assert call.slots == {"date": TOMORROW, "time": time(19, 0)}


def test_the_noon_hour_reads_back_one_way_ko(runtime: AgentRuntime) -> None:
    """ "낮 12시" and "오후 12시 30분" once came out in one call: the noon hour is 낮."""
    call = start_call(runtime, "restaurant-ko", caller=KO_CALLER)
    call.user("내일 점심에 두 명 홀로 예약할게요").agent("점심 몇 시에", "오전 11시부터")
    call.user("12시 반이요").agent("성함")
    call.user("김민수입니다").agent("낮 12시 30분, 2명").agent_not("오후 12시")
    call.user("네").agent("낮 12시 30분에 2명").agent_not("오후 12시")
    (booking,) = runtime.bookings.list()
    assert booking.start == datetime(2026, 11, 26, 12, 30)


@pytest.mark.parametrize(
    ("scenario", "opening", "vague", "asks", "bare", "booked_at"),
    [
        # answers to "몇 시로?" / "What time?" that name only a part of the day
        (
            "restaurant-ko",
            "내일 4명 예약할게요",
            "저녁쯤에요",
            "저녁 몇 시에",
            "7시요",
            time(19, 0),
        ),
        (
            "restaurant-ko",
            "내일 4명 예약할게요",
            "점심때 갈게요",
            "점심 몇 시에",
            "한 시 반",
            time(13, 30),
        ),
        (
            "restaurant-ko",
            "내일 4명 예약할게요",
            "오후에 갈게요",
            "오후 몇 시에",
            "3시요",
            time(15, 0),
        ),
        (
            "restaurant-ko",
            "내일 4명 예약할게요",
            "점심시간에요",
            "점심 몇 시에",
            "열두 시 반",
            time(12, 30),
        ),
        (
            "restaurant-en",
            "a table for four tomorrow",
            "around dinner time",
            "for dinner",
            "seven",
            time(19, 0),
        ),
        (
            "restaurant-en",
            "a table for four tomorrow",
            "in the afternoon",
            "in the afternoon",
            "3",
            time(15, 0),
        ),
        (
            "restaurant-en",
            "a table for four tomorrow",
            "for lunch",
            "for lunch",
            "half past twelve",
            time(12, 30),
        ),
        (
            "restaurant-en",
            "a table for four tomorrow",
            "sometime in the evening",
            "in the evening",
            "half past six",
            time(18, 30),
        ),
    ],
)
def test_a_part_of_the_day_answering_what_time(
    runtime: AgentRuntime,
    scenario: str,
    opening: str,
    vague: str,
    asks: str,
    bare: str,
    booked_at: time,
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    call.user(opening)
    assert call.state.requested == "time"
    call.user(vague).agent(asks)
    assert call.state.requested == "time" and "time" not in call.slots
    call.user(bare)
    assert call.slots["time"] == booked_at
    assert call.state.requested == "seating"


@pytest.mark.parametrize(
    ("scenario", "first", "asks", "bare", "when"),
    [
        (
            "restaurant-ko",
            "오늘 밤에 두 명 자리 있어요?",
            "저녁 몇 시에",
            "8시요",
            datetime(2026, 11, 25, 20, 0),
        ),
        (
            "restaurant-ko",
            "토요일 점심에 세 명 예약이요",
            "점심 몇 시에",
            "열한 시 반",
            datetime(2026, 11, 28, 11, 30),
        ),
        (
            "restaurant-en",
            "table for two later this evening",
            "in the evening",
            "8",
            datetime(2026, 11, 25, 20, 0),
        ),
        (
            "restaurant-en",
            "hi, could I book a table for two tonight?",
            "in the evening",
            "around 7",
            datetime(2026, 11, 25, 19, 0),
        ),
        (
            "restaurant-en",
            "a table for three people tonight please",
            "in the evening",
            "quarter past seven",
            datetime(2026, 11, 25, 19, 15),
        ),
        (
            "restaurant-en",
            "dinner for two on Saturday",
            "for dinner",
            "6:30",
            datetime(2026, 11, 28, 18, 30),
        ),
    ],
)
def test_the_first_sentence_names_only_a_part_of_the_day(
    runtime: AgentRuntime, scenario: str, first: str, asks: str, bare: str, when: datetime
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    call.user(first).agent(asks)
    assert "time" not in call.slots and call.slots["date"] == when.date()
    call.user(bare)
    assert (call.slots["date"], call.slots["time"]) == (when.date(), when.time())


@pytest.mark.parametrize(
    ("scenario", "first", "then"),
    [
        ("restaurant-ko", "내일 저녁 7시에 4명 예약할게요", "좌석은"),
        ("restaurant-ko", "내일 점심 1시에 4명 예약할게요", "좌석은"),
        ("restaurant-en", "a table for four tomorrow at 7 in the evening", "seating"),
        ("restaurant-en", "dinner for four tomorrow at 7", "seating"),
    ],
)
def test_a_part_of_the_day_with_its_hour_is_a_time(
    runtime: AgentRuntime, scenario: str, first: str, then: str
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    call.user(first).agent(then)
    assert call.slots["time"] in (time(19, 0), time(13, 0))
