"""Goal scripts: read into a task and values, written as dialogues, run against the agent."""

from __future__ import annotations

from datetime import date, time

import pytest

from scenarios.authoring.dialogues import GoalError, goal_dialogues, plan_goal, run_dialogue
from scenarios.schema import Scenario

TODAY = date(2026, 11, 25)


def test_goal_with_a_change(scenarios: dict[str, Scenario]) -> None:
    goal = plan_goal(
        scenarios["restaurant-en"],
        "a customer wants a table for 4 tomorrow at 7, asks for a room, then changes to 6 people",
        today=TODAY,
    )
    assert goal.task == "book"
    assert goal.values["date"] == date(2026, 11, 26)
    assert goal.values["time"] == time(19, 0)  # 7 is in the evening: the venue opens at 11
    assert goal.values["party_size"] == 4 and goal.values["seating"] == "room"
    assert goal.corrections == {"party_size": 6}
    assert {"name", "phone"} <= set(goal.assumed)


def test_korean_goal(scenarios: dict[str, Scenario]) -> None:
    goal = plan_goal(
        scenarios["restaurant-ko"], "손님이 모레 저녁 6시 반에 두 명, 야외 자리로 예약", today=TODAY
    )
    assert goal.final() | {} == {
        "date": date(2026, 11, 27), "time": time(18, 30), "party_size": 2,
        "seating": "outdoor", "name": "김민수",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("sid", "text", "missing"),
    [
        ("restaurant-en", "", "empty"),
        ("restaurant-en", "the caller asks about the weather", "what the caller wants"),
        ("restaurant-en", "a customer wants a table tomorrow", "time"),
        ("restaurant-ko", "내일 예약하려는 손님", "party_size"),
        ("carecall-ko", "어르신이 식사는 잘 드셨다", "sleep (one of: 잘 잤 / 못 잤)"),
    ],
)
def test_goal_errors_name_what_is_missing(
    scenarios: dict[str, Scenario], sid: str, text: str, missing: str
) -> None:
    with pytest.raises(GoalError, match=missing.replace("(", r"\(").replace(")", r"\)")):
        plan_goal(scenarios[sid], text, today=TODAY)


@pytest.mark.parametrize(
    ("sid", "goal"),
    [
        ("restaurant-ko", "손님이 내일 저녁 7시에 4명 예약하고 룸을 원하다가 6명으로 바꾼다"),
        ("carecall-en", "ate well, slept badly, has a cough, feels lonely, needs nothing"),
    ],
)
def test_dialogues_pass_against_the_real_agent(
    scenarios: dict[str, Scenario], sid: str, goal: str
) -> None:
    for d in goal_dialogues(scenarios[sid], goal, 3):
        result = run_dialogue(d, scenarios)
        assert result.passed, "\n".join([*result.problems, *result.transcript])
        assert d.caller_turns and d.turns[0][0] == "agent"


def test_a_failing_script_is_reported(scenarios: dict[str, Scenario]) -> None:
    (d,) = goal_dialogues(scenarios["restaurant-en"], "a table for 2 tomorrow at 7 pm", 1)
    d.expect["party_size"] = 3  # the agent cannot end up with what the caller never said
    result = run_dialogue(d, scenarios)
    assert not result.passed and result.problems == ["party_size: expected 3, the agent has 2"]
