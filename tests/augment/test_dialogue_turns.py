"""Caller lines written turn by turn (scripted LLM): exact values, k candidates, template fallback."""

from __future__ import annotations

import random
from datetime import date

import pytest

from authoring.dialogue_llm import (
    check_line,
    check_lines,
    llm_dialogue_turns,
    turn_prompt,
    turn_specs,
)
from authoring.dialogues import write_dialogue
from authoring.goals import plan_goal
from authoring.model import Dialogue
from scenarios.schema import Scenario
from tests.augment.conftest import ScriptedLLM

TODAY = date(2026, 11, 25)
EN_GOAL = "a customer wants a table for 4 tomorrow at 7, asks for a room, then changes to 6 people"
KO_GOAL = "손님이 내일 저녁 7시에 4명 예약하고 룸을 원하다가 6명으로 바꾼다"
CARE_EN = "she slept poorly, ate a little, has a cough, feels low and needs nothing"


def _write(sc: Scenario, goal_text: str, replies: list[str]) -> tuple[Dialogue, Dialogue]:
    goal = plan_goal(sc, goal_text, today=TODAY)
    template = write_dialogue(sc, goal, today=TODAY, variant=0)
    written = llm_dialogue_turns(ScriptedLLM(replies), sc, goal, template, today=TODAY, seed=1)
    return template, written


def test_each_turn_asks_for_its_slots_and_the_blanks_get_the_goals_words(
    scenarios: dict[str, Scenario],
) -> None:
    sc = scenarios["restaurant-en"]
    goal = plan_goal(sc, EN_GOAL, today=TODAY)
    template = write_dialogue(sc, goal, today=TODAY, variant=0)
    specs = turn_specs(sc, goal, template.turns, TODAY)
    assert [s.key for s in specs][:3] == ["request", "seating", "name"]
    assert specs[0].words == {"party_size": "4 people", "date": "tomorrow", "time": "7 pm"}
    assert specs[0].intent == "book" and specs[-2].intent == "affirm"
    prompt, demos = turn_prompt(sc, goal, specs[0], 0, TODAY, random.Random(0))
    assert prompt.endswith("\n-") and len(demos) >= 3
    assert all(d.count("{") == 3 for d in demos)  # every blank, once

    replies = [
        " May I have your name?\n- hello, could I get a table for {party_size} {date} at {time}",
        " {seating} if you have one",
        " sure, it's {name}",
        " actually, can we make that {party_size}",
        " yes, perfect",
        " no, that's everything, thanks",
    ]
    template, d = _write(sc, EN_GOAL, replies)
    assert d.source == "llm", d.note
    first = d.caller_turns[0]
    # the agent-speak candidate was passed over; the frame was filled with the exact words
    assert first.startswith("hello") and all(w in first for w in ("4 people", "tomorrow", "7 pm"))
    assert "Alex Kim" in d.caller_turns[2] and "6 people" in d.caller_turns[3]
    assert len(d.caller_turns) == len(template.caller_turns)
    assert check_lines(sc, template.turns, d.caller_turns, today=TODAY, task="book") is None


@pytest.mark.parametrize(
    ("sid", "goal", "reply", "why"),
    [
        ("restaurant-en", EN_GOAL, " may I have {party_size} {date} at {time}?", "agent_line"),
        ("restaurant-en", EN_GOAL, " I'd like a {seating} table", "blanks"),
        (
            "restaurant-ko",
            KO_GOAL,
            " {date} {time}에 {party_size} 예약 도와드릴까요?",
            "agent_line",
        ),
        ("carecall-en", CARE_EN, " I slept like a baby", "missing"),
    ],
)
def test_a_turn_whose_candidates_all_fail_leaves_the_template(
    scenarios: dict[str, Scenario], sid: str, goal: str, reply: str, why: str
) -> None:
    template, d = _write(scenarios[sid], goal, [reply])
    assert d.source == "template" and d.note is not None and d.note.startswith(why), d.note
    assert d.caller_turns == template.caller_turns  # a failing line never ships


def test_a_care_call_answer_is_checked_on_the_slot_asked(scenarios: dict[str, Scenario]) -> None:
    sc = scenarios["carecall-en"]
    # the template's "it's a little better" also names a symptom's change: only the meal counts
    assert (
        check_line(sc, "meal", "meal", "I ate a little", "it's a little better", today=TODAY)
        is None
    )
    assert check_line(sc, "meal", "meal", "I slept well", "it's a little better", today=TODAY)
    en = scenarios["restaurant-en"]
    want, kim = "my name is Alex Kim", "Alex Kim"
    assert check_line(en, "name", "name", "it's Alex Kim", want, today=TODAY, name=kim) is None
    # the name is in the line, but the agent's NLU does not take it as the name
    bad = check_line(en, "name", "name", "no one called Alex Kim", want, today=TODAY, name=kim)
    assert bad is not None and bad.startswith("missing name")
    no = check_line(sc, "goodbye", None, "yes, one more thing", "no, that's all", today=TODAY)
    assert no is not None and no.startswith(("missing", "extra"))
