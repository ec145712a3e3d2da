"""Callers on a bad line key dates, times and the seating; the agent says how, on the phone only."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from agent.runtime import AgentRuntime
from tests.conversation.harness import Clock, start_call

CALLER = "+821012345678"
KO, EN = "restaurant-ko", "restaurant-en"
BOOK = {KO: "예약하고 싶어요", EN: "I'd like to book a table"}
SORRY = {KO: "잘 이해하지 못했습니다", EN: "didn't quite understand"}
KEYPAD = {KO: "키패드로", EN: "use the keypad"}
DATE_HINT = {KO: "1126, 우물 정자를 눌러 주세요", EN: "press 1 1 2 6 and then pound"}
TIME_HINT = {KO: "1900, 우물 정자", EN: "press 1 9 0 0 and then pound"}
SEATING_HINT = {KO: "룸은 1번, 홀은 2번, 야외는 3번", EN: "press 1 for a private room"}
NAME_PROMPT = {KO: "성함", EN: "name"}


@pytest.mark.parametrize("scenario", [KO, EN])
def test_date_time_party_and_seating_keyed(runtime: AgentRuntime, scenario: str) -> None:
    call = start_call(runtime, scenario, caller=CALLER, channel="voice")
    call.user(BOOK[scenario])
    call.keys("1126#")
    assert call.slots == {"date": date(2026, 11, 26)} and call.state.requested == "time"
    call.keys("1300#")
    assert call.slots["time"] == time(13, 0)
    call.keys("4#")
    assert call.state.requested == "seating"
    call.keys("3#").agent(NAME_PROMPT[scenario])
    assert call.slots["seating"] == "outdoor"
    call.user("김민수입니다" if scenario == KO else "John Smith")
    assert call.state.confirming
    call.keys("1")
    (booking,) = runtime.bookings.list()
    assert (booking.start, booking.party_size, booking.seating) == (
        datetime(2026, 11, 26, 13, 0),
        4,
        "outdoor",
    )


@pytest.mark.parametrize("scenario", [KO, EN])
@pytest.mark.parametrize(
    ("day", "hour", "when"),
    [
        ("3", "7", datetime(2026, 12, 3, 19, 0)),  # the next 3rd; 7 like "7시": the evening
        ("26", "730", datetime(2026, 11, 26, 19, 30)),
        ("1127", "12", datetime(2026, 11, 27, 12, 0)),
        ("1203", "1130", datetime(2026, 12, 3, 11, 30)),
    ],
)
def test_short_keys_read_like_spoken_values(
    runtime: AgentRuntime, scenario: str, day: str, hour: str, when: datetime
) -> None:
    call = start_call(runtime, scenario, caller=CALLER, channel="voice")
    call.user(BOOK[scenario]).keys(day).keys(hour)
    assert datetime.combine(call.slots["date"], call.slots["time"]) == when


@pytest.mark.parametrize(
    ("scenario", "spoken", "says"),
    [(KO, "오늘이요", "이미 지난 시간"), (EN, "today", "already passed")],
)
def test_keyed_past_time_is_refused_like_a_spoken_one(
    runtime: AgentRuntime, clock: Clock, scenario: str, spoken: str, says: str
) -> None:
    clock.now = datetime(2026, 11, 25, 18, 0)  # Wednesday, six in the evening
    keyed = start_call(runtime, scenario, caller=CALLER, channel="voice")
    keyed.user(BOOK[scenario]).keys("1125#").keys("1700#").agent(says)
    said = start_call(runtime, scenario, caller=CALLER)
    said.user(BOOK[scenario]).user(spoken).user("5 pm" if scenario == EN else "오후 5시요")
    assert keyed.reply.text == said.reply.text
    assert "time" not in keyed.slots and keyed.state.requested == "time"


@pytest.mark.parametrize(
    ("scenario", "closed", "hours"),
    [(KO, "휴무일", "오전 11시부터"), (EN, "closed on", "from 11 am")],
)
def test_keyed_closed_day_and_hour_get_the_spoken_replies(
    runtime: AgentRuntime, scenario: str, closed: str, hours: str
) -> None:
    call = start_call(runtime, scenario, caller=CALLER, channel="voice")
    call.user(BOOK[scenario]).keys("1130#").agent(closed)  # Monday the 30th
    assert "date" not in call.slots and call.state.requested == "date"
    call.keys("1126#").keys("0900#").agent(hours)  # 24-hour 0900: before opening
    assert "time" not in call.slots and call.state.requested == "time"


@pytest.mark.parametrize("scenario", [KO, EN])
@pytest.mark.parametrize(
    ("before", "bad", "slot"),
    [
        ((), "1332#", "date"),  # no 13th month
        ((), "0026#", "date"),  # no month 0
        ((), "123#", "date"),
        ((), "45#", "date"),  # no 45th day
        (("1126#",), "2460#", "time"),
        (("1126#",), "12345#", "time"),
        (("1126#", "1300#", "4#"), "5#", "seating"),  # the menu has four entries
    ],
)
def test_keys_that_say_nothing_are_not_understood(
    runtime: AgentRuntime, scenario: str, before: tuple[str, ...], bad: str, slot: str
) -> None:
    call = start_call(runtime, scenario, caller=CALLER, channel="voice")
    call.user(BOOK[scenario])
    for keys in before:
        call.keys(keys)
    call.keys(bad).agent(SORRY[scenario], KEYPAD[scenario])
    assert slot not in call.slots and call.state.requested == slot


@pytest.mark.parametrize("scenario", [KO, EN])
def test_the_phone_reprompt_says_what_can_be_keyed(runtime: AgentRuntime, scenario: str) -> None:
    call = start_call(runtime, scenario, caller=CALLER, channel="voice")
    call.user(BOOK[scenario]).agent_not(KEYPAD[scenario])  # the first ask stays short
    call.user("음" if scenario == KO else "hmm").agent(SORRY[scenario], DATE_HINT[scenario])
    call.keys("1126#").agent_not(KEYPAD[scenario])
    call.user("글쎄요" if scenario == KO else "well").agent(TIME_HINT[scenario])
    call.keys("1300#").keys("4#").agent_not(KEYPAD[scenario])
    call.user("음" if scenario == KO else "hmm").agent(SEATING_HINT[scenario])
    call.keys("2#")
    assert call.slots["seating"] == "hall"
    call.user("어").agent_not(KEYPAD[scenario])  # the name cannot be keyed


@pytest.mark.parametrize("scenario", [KO, EN])
def test_text_chat_never_mentions_the_keypad(runtime: AgentRuntime, scenario: str) -> None:
    call = start_call(runtime, scenario, caller=CALLER)
    call.user(BOOK[scenario])
    call.user("음" if scenario == KO else "hmm").agent(SORRY[scenario]).agent_not(KEYPAD[scenario])
    assert call.state.channel is None


@pytest.mark.parametrize("scenario", [KO, EN])
def test_the_channel_survives_a_replay(runtime: AgentRuntime, scenario: str) -> None:
    call = start_call(runtime, scenario, caller=CALLER, channel="voice")
    call.user(BOOK[scenario])
    assert runtime.replay(call.call_id).state.channel == "voice"
