"""Goal dialogues written by an LLM (scripted here), checked, with the template as fallback."""

from __future__ import annotations

import json
from datetime import date

import pytest

from authoring.dialogue_llm import goal_dialogues, json_keys, turn_keys
from authoring.goals import plan_goal
from authoring.model import Dialogue
from authoring.runs import run_dialogue
from scenarios.schema import Scenario
from tests.augment.conftest import ScriptedLLM
from tests.llm.fakes import FakeLLM

TODAY = date(2026, 11, 25)
EN_GOAL = "a customer wants a table for 4 tomorrow at 7, asks for a room, then changes to 6 people"
KO_CANCEL = "손님이 내일 저녁 7시 예약을 취소한다"
EN_LINES = {
    "request": "hello, could I get a table for four tomorrow at 7 pm",
    "seating": "a private room if you have one",
    "name": "sure, it's Alex Kim",
    "confirm": "actually, can we make that six people",
    "confirm_2": "yes, perfect",
    "goodbye": "nope, that's everything",
}
KO_LINES = {
    "request": "예약 좀 취소하려고요",
    "confirm": "네 취소해 주세요",
    "goodbye": "아니요 괜찮아요",
}


def _one(sc: Scenario, goal: str, reply: dict[str, str] | str) -> Dialogue:
    if isinstance(reply, dict):  # the scripted model answers under the keys the schema asks for
        (template,) = goal_dialogues(sc, goal, 1)
        keys = json_keys(sc, plan_goal(sc, goal, today=TODAY), template.turns, TODAY)
        reply = json.dumps(dict(zip(keys, reply.values(), strict=True)), ensure_ascii=False)
    (d,) = goal_dialogues(sc, goal, 1, llm=ScriptedLLM([reply]), writer="json")
    return d


def test_the_turn_keys_name_what_each_caller_turn_answers(scenarios: dict[str, Scenario]) -> None:
    sc = scenarios["restaurant-en"]
    (d,) = goal_dialogues(sc, EN_GOAL, 1)
    assert [k for k, _ in turn_keys(sc, d.turns)] == list(EN_LINES)
    keys = json_keys(sc, plan_goal(sc, EN_GOAL, today=TODAY), d.turns, TODAY)
    assert keys[0] == "request: table for 4, tomorrow, 7 pm" and keys[-2] == "confirm_2: yes"
    assert keys[3] == "confirm: no, 6 people"
    (d,) = goal_dialogues(scenarios["restaurant-ko"], KO_CANCEL, 1)
    assert [k for k, _ in turn_keys(scenarios["restaurant-ko"], d.turns)] == list(KO_LINES)


@pytest.mark.parametrize(
    ("sid", "goal", "lines"),
    [("restaurant-en", EN_GOAL, EN_LINES), ("restaurant-ko", KO_CANCEL, KO_LINES)],
)
def test_lines_that_pass_the_checks_are_the_dialogue(
    scenarios: dict[str, Scenario], sid: str, goal: str, lines: dict[str, str]
) -> None:
    d = _one(scenarios[sid], goal, lines)
    assert d.source == "llm" and d.note is None, d.note
    assert d.caller_turns == list(lines.values())
    result = run_dialogue(d, scenarios)
    assert result.passed, "\n".join([*result.problems, *result.transcript])


@pytest.mark.parametrize(
    ("sid", "goal", "change", "why"),
    [
        ("restaurant-en", EN_GOAL, {"seating": "outside please"}, "missing ('seating', 'room')"),
        ("restaurant-en", EN_GOAL, {"request": "a table for four tomorrow at 7 pm on Friday"},
         "extra ('date'"),
        ("restaurant-en", EN_GOAL, {"name": "May I have the name for the booking?"}, "agent_line"),
        ("restaurant-en", EN_GOAL, {"seating": "룸으로 해 주세요"}, "wrong_language"),
        ("restaurant-ko", KO_CANCEL, {"request": "주차 되나요?"}, "intent: request read as"),
        ("restaurant-ko", KO_CANCEL, {"confirm": "yes please"}, "wrong_language"),
        ("restaurant-ko", KO_CANCEL, {"confirm": "아니요"}, "missing ('yesno', True)"),
        ("restaurant-ko", KO_CANCEL, {"request": "무엇을 도와드릴까요?"}, "agent_line"),
    ],
)  # fmt: skip
def test_lines_that_fail_a_check_leave_the_template(
    scenarios: dict[str, Scenario], sid: str, goal: str, change: dict[str, str], why: str
) -> None:
    base = EN_LINES if sid.endswith("en") else KO_LINES
    d = _one(scenarios[sid], goal, {**base, **change})
    assert d.source == "template"
    assert why in (d.note or "")
    (template,) = goal_dialogues(scenarios[sid], goal, 1)
    assert d.turns == template.turns


@pytest.mark.parametrize(
    ("reply", "why"),
    [("not json at all", "LLMOutputError"), ('{"request": "hi"}', "LLMOutputError")],
)
def test_malformed_output_leaves_the_template(
    scenarios: dict[str, Scenario], reply: str, why: str
) -> None:
    d = _one(scenarios["restaurant-en"], EN_GOAL, reply)
    assert d.source == "template" and why in (d.note or "")


def test_an_unreachable_llm_leaves_the_template(scenarios: dict[str, Scenario]) -> None:
    llm = FakeLLM(fail_first=99, max_retries=0)
    ds = goal_dialogues(scenarios["restaurant-ko"], KO_CANCEL, 2, llm=llm)
    assert [d.source for d in ds] == ["template", "template"]
    assert all("LLMBackendError" in (d.note or "") for d in ds)


def test_the_template_handed_back_is_not_called_llm(scenarios: dict[str, Scenario]) -> None:
    sc = scenarios["restaurant-ko"]
    (template,) = goal_dialogues(sc, KO_CANCEL, 1)
    d = _one(sc, KO_CANCEL, dict(zip(KO_LINES, template.caller_turns, strict=True)))
    assert d.source == "template" and (d.note or "").startswith("copy")


@pytest.mark.parametrize(
    ("line", "why"),
    [("예약 취소 요청이에요", "prompt_echo"), ("여섯 명로 취소해 주세요", "particle")],
)
def test_prompt_echoes_and_broken_particles_are_caught(
    scenarios: dict[str, Scenario], line: str, why: str
) -> None:
    d = _one(scenarios["restaurant-ko"], KO_CANCEL, {**KO_LINES, "request": line})
    assert d.source == "template" and (d.note or "").startswith(why)
