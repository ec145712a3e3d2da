"""Answers read in the light of the question just asked (issues #3 and #4).

A bare number answers the slot asked ("What time?" "for 7"; "What date?" "the 3rd"), and a care
call's health question is answered "no" by denying a symptom ("기침은 안 해요", "I don't have a
cough"), not re-asked.
"""

from __future__ import annotations

from datetime import date, time

import pytest

from agent.runtime import AgentRuntime
from tests.conversation.harness import start_call

EN_CALLER = "+15551234567"
KO_CALLER = "+821012345678"


def test_what_time_for_seven_is_seven_pm_en(runtime: AgentRuntime) -> None:
    call = start_call(runtime, "restaurant-en", caller=EN_CALLER)
    call.user("I'd like to book a table tomorrow").agent("What time")
    call.user("for 7").agent("How many people")
    assert call.slots["time"] == time(19, 0) and "party_size" not in call.slots


@pytest.mark.parametrize(
    ("scenario", "caller", "day"),
    [
        ("restaurant-en", EN_CALLER, "the 3rd"),
        ("restaurant-en", EN_CALLER, "3"),
        ("restaurant-ko", KO_CALLER, "3이요"),
    ],
)
def test_what_date_a_bare_day_is_the_day_of_the_month(
    runtime: AgentRuntime, scenario: str, caller: str, day: str
) -> None:
    call = start_call(runtime, scenario, caller=caller)
    call.user("I'd like to book a table" if scenario.endswith("en") else "예약하고 싶어요")
    call.agent("What date" if scenario.endswith("en") else "며칠")
    call.user(day)
    assert call.slots["date"] == date(2026, 12, 3) and call.state.requested == "time"


@pytest.mark.parametrize(
    ("scenario", "lines", "change", "bare", "read_back"),
    [
        (
            "restaurant-ko",
            ["내일 저녁 7시에 4명 홀로 예약할게요", "김민수입니다"],
            "아니요",
            "여덟이요",
            "저녁 8시, 4명",
        ),
        (
            "restaurant-en",
            ["a table for 4 tomorrow at 7 pm in the main hall", "John Smith"],
            "no",
            "8",
            "at 8 pm, 4 people",
        ),
    ],
)
def test_what_to_change_a_bare_number_is_the_time(
    runtime: AgentRuntime, scenario: str, lines: list[str], change: str, bare: str, read_back: str
) -> None:
    call = start_call(runtime, scenario, caller=KO_CALLER)
    for line in lines:
        call.user(line)
    call.user(change).agent("바꿔" if scenario.endswith("ko") else "change")
    call.user(bare).agent(read_back)
    assert call.slots["time"] == time(20, 0) and call.state.confirming


@pytest.mark.parametrize(
    ("scenario", "answers", "denial"),
    [
        ("carecall-ko", ["네", "잘 먹었어요", "잘 잤어요"], "기침은 안 해요"),
        ("carecall-ko", ["네", "잘 먹었어요", "잘 잤어요"], "열은 안 나요"),
        ("carecall-en", ["yes", "I ate well", "I slept well"], "I don't have a cough"),
        ("carecall-en", ["yes", "I ate well", "I slept well"], "I haven't had any fever"),
    ],
)
def test_denying_a_symptom_answers_the_health_question(
    runtime: AgentRuntime, scenario: str, answers: list[str], denial: str
) -> None:
    call = start_call(runtime, scenario)
    for line in answers:
        call.user(line)
    call.agent("기침" if scenario.endswith("ko") else "cough")
    call.user(denial).agent("기분" if scenario.endswith("ko") else "mood")
    call.agent_not("못 알아들었어요", "didn't catch")
    assert call.slots["health"] == ["none"]


@pytest.mark.parametrize(
    ("scenario", "answers", "said", "health"),
    [
        ("carecall-ko", ["네", "잘 먹었어요", "잘 잤어요"], "열은 없는데 기침을 해요", ["cough"]),
        (
            "carecall-en",
            ["yes", "I ate well", "I slept well"],
            "no fever but I'm coughing",
            ["cough"],
        ),
    ],
)
def test_a_symptom_said_beside_a_denial_is_kept(
    runtime: AgentRuntime, scenario: str, answers: list[str], said: str, health: list[str]
) -> None:
    call = start_call(runtime, scenario)
    for line in answers:
        call.user(line)
    call.user(said)
    assert call.slots["health"] == health
