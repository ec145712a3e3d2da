"""Goal scripts: read into a task and values, written as dialogues, run against the agent."""

from __future__ import annotations

from datetime import date, time

import pytest

from authoring.dialogue_llm import goal_dialogues
from authoring.goals import GoalError, plan_goal
from authoring.model import Dialogue
from authoring.runs import run_dialogue
from common.errors import InputError
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


@pytest.mark.parametrize(
    ("sid", "text", "first", "then"),
    [
        ("restaurant-ko", "손님이 내일 저녁 7시에 4명 예약하고 룸을 원하다가 6명으로 바꾼다",
         {"party_size": 4}, {"party_size": 6}),
        ("restaurant-ko", "손님이 내일 저녁 7시에 네 명 야외로 예약하다가 룸으로 바꾼다",
         {"seating": "outdoor"}, {"seating": "room"}),
        ("restaurant-en", "a table for 4 tomorrow at 7 outside, then switches to a room",
         {"seating": "outdoor"}, {"seating": "room"}),
    ],
)  # fmt: skip
def test_changes_before_the_confirmation(
    scenarios: dict[str, Scenario], sid: str, text: str, first: dict, then: dict
) -> None:
    goal = plan_goal(scenarios[sid], text, today=TODAY)
    assert {k: goal.values[k] for k in first} == first and goal.corrections == then


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
        ("restaurant-ko", "손님이 내일 저녁 7시에 네 명 야외로 예약하다가 룸으로 바꾼다"),
        (
            "restaurant-en",
            "a customer wants a table for 2 tomorrow at 7 outside, then switches to a room",
        ),
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


# ----------------------------------------------------------------------------- change, cancel

CHANGE_AND_CANCEL = [
    ("restaurant-en", "a customer who booked a table for 4 tomorrow at 7 wants to change it to 6 people",
     "change", {"date": date(2026, 11, 26), "time": time(19, 0), "party_size": 4}, {"party_size": 6}),
    ("restaurant-en", "a caller wants to move their reservation for Friday at 6 pm to 8 pm",
     "change", {"date": date(2026, 11, 27), "time": time(18, 0)}, {"time": time(20, 0)}),
    ("restaurant-en", "a customer wants to cancel their booking for tomorrow at 7",
     "cancel", {"date": date(2026, 11, 26), "time": time(19, 0)}, {}),
    ("restaurant-ko", "내일 저녁 7시 4명 예약을 6명으로 변경하려는 손님",
     "change", {"date": date(2026, 11, 26), "time": time(19, 0), "party_size": 4}, {"party_size": 6}),
    ("restaurant-ko", "손님이 내일 저녁 7시 예약을 야외로 변경", "change",
     {"date": date(2026, 11, 26), "time": time(19, 0)}, {"seating": "outdoor"}),
    ("restaurant-ko", "손님이 모레 예약을 취소한다", "cancel", {"date": date(2026, 11, 27)}, {}),
]  # fmt: skip


@pytest.mark.parametrize(("sid", "text", "task", "prior", "changes"), CHANGE_AND_CANCEL)
def test_change_and_cancel_goals_name_the_prior_booking(
    scenarios: dict[str, Scenario], sid: str, text: str, task: str, prior: dict, changes: dict
) -> None:
    goal = plan_goal(scenarios[sid], text, today=TODAY)
    assert goal.task == task
    assert {k: goal.prior[k] for k in prior} == prior
    assert goal.corrections == changes
    # what the goal does not say is a default, marked as assumed
    assert set(goal.prior) == {"date", "time", "party_size", "seating", "name"}
    assert "name" in goal.assumed and not set(prior) & set(goal.assumed)


@pytest.mark.parametrize(("sid", "text"), [(c[0], c[1]) for c in CHANGE_AND_CANCEL])
def test_change_and_cancel_dialogues_run_against_the_real_agent(
    scenarios: dict[str, Scenario], sid: str, text: str
) -> None:
    for d in goal_dialogues(scenarios[sid], text, 2):
        assert d.prior and d.source == "template"
        result = run_dialogue(d, scenarios)
        assert result.passed, "\n".join([*result.problems, *result.transcript])
        assert result.transcript[0].startswith("(booked before the call")


def test_the_database_is_checked_after_a_change(scenarios: dict[str, Scenario]) -> None:
    (d,) = goal_dialogues(
        scenarios["restaurant-en"], "a customer with a booking for tomorrow at 7 wants to "
        "change it to 5 people", 1,
    )  # fmt: skip
    d.expect["party_size"] = 7  # the database holds what the caller said: 5
    result = run_dialogue(d, scenarios)
    assert not result.passed
    assert result.problems == ["booking 1 party_size: expected 7, the database has 5"]


def test_a_change_goal_must_say_what_changes(scenarios: dict[str, Scenario]) -> None:
    for sid, text in [("restaurant-ko", "손님이 예약을 변경하고 싶어한다"),
                      ("restaurant-en", "a customer who booked for tomorrow wants to change it")]:  # fmt: skip
        with pytest.raises(GoalError, match="what the booking changes to"):
            plan_goal(scenarios[sid], text, today=TODAY)


def test_a_stored_dialogue_round_trips(scenarios: dict[str, Scenario]) -> None:
    (d,) = goal_dialogues(scenarios["restaurant-ko"], "손님이 내일 저녁 7시 예약을 취소한다", 1)
    assert Dialogue.from_dict(d.as_dict()) == d
    with pytest.raises(InputError, match="malformed"):
        Dialogue.from_dict({"scenario": "restaurant-ko"})
