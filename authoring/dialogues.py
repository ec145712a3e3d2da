"""Dialogues from a goal script, and their caller side run against the real agent.

:func:`~authoring.goals.plan_goal` reads a goal script into a
:class:`~authoring.goals.Goal`. :func:`write_dialogue` writes a
whole dialogue from it with templates: the caller's turns (their order follows the task's
slots, as the agent asks them) and the agent's expected turns from the scenario's templates;
variants differ in what the caller says up front and in wording. A change or cancel goal gets
the call about the booking made before it. :func:`~authoring.dialogue_llm.goal_dialogues`
asks an LLM to write the caller's lines first and keeps this template writer as the fallback;
:func:`~authoring.runs.run_dialogue` replays the caller's turns against a real
:class:`~agent.runtime.AgentRuntime`. The :class:`~authoring.model.Dialogue` itself is data in
:mod:`authoring.model`.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from authoring.goals import Goal, asked_slots
from authoring.korean import attach, native_count
from authoring.model import Dialogue, jsonable
from nlg.render import render_time
from nlu.categories import match_category
from scenarios.annotations import parse_annotations
from scenarios.schema import Scenario

__all__ = ["say_value", "write_dialogue"]

_CALLER = {"ko": "+821012345678", "en": "+15551234567"}
# ----------------------------------------------------------------------------- wording


def say_value(sc: Scenario, slot: str, value: Any, today: date) -> str:
    """How a caller says one value in the scenario's language."""
    spec = sc.slots[slot]
    ko = sc.language == "ko"
    if isinstance(value, date):
        delta = (value - today).days
        if delta == 1:
            return "내일" if ko else "tomorrow"
        if delta == 2:
            return "모레" if ko else "the day after tomorrow"
        return f"{value.month}월 {value.day}일" if ko else f"{value:%B} {value.day}"
    if isinstance(value, time):
        return render_time(value, sc.language, half=True)
    if spec.type == "count":
        n = int(value)
        if ko:
            return f"{native_count(n) or n} 명"
        return "just me" if n == 1 else f"{n} people"
    if spec.type == "category":
        keys = value if isinstance(value, list) else [value]
        forms = [
            spec.values[k].synonyms[0] if spec.values[k].synonyms else spec.values[k].label
            for k in keys
        ]
        return " ".join(forms)
    return str(value)


def _answer(sc: Scenario, slot: str, value: Any, today: date, variant: int) -> str:
    spec = sc.slots[slot]
    if spec.type == "yesno":
        return ("네" if value else "아니요") if sc.language == "ko" else ("yes" if value else "no")
    if spec.type == "category" and sc.start_task:
        # questionnaire answers: an example of the scenario that says this value
        example = _example_saying(sc, slot, value)
        if example:
            return example
    words = say_value(sc, slot, value, today)
    if sc.language == "ko":
        if spec.type == "category":
            return f"{words}{attach(words, '(으)로')} 해 주세요"
        if spec.type == "name":
            return f"{words}입니다"
        return f"{words}{attach(words, '(이)요')}"
    if spec.type == "name":
        return f"my name is {words}"
    return f"{words} please" if variant % 2 else words


def _example_saying(sc: Scenario, slot: str, value: Any) -> str | None:
    spec = sc.slots[slot]
    keys = set(value if isinstance(value, list) else [value])
    for intent in sc.intents.values():
        for ex in intent.examples:
            text = parse_annotations(ex)[0]
            hits = {
                h.value
                for h in match_category(
                    text, slot, spec.values, sc.language, multiple=spec.multiple
                )
            }
            if hits and hits <= keys and keys <= hits:
                return text
    return None


def _opening(sc: Scenario, goal: Goal, today: date, variant: int) -> tuple[str, list[str]]:
    """The caller's first line and the slots it already gives."""
    if sc.start_task:
        return "", []
    v = goal.values
    ko = sc.language == "ko"
    plan = variant % 3
    given: list[str] = []
    parts: list[str] = []
    for slot in ("date", "time", "party_size")[: (3 if plan == 0 else 0 if plan == 1 else 2)]:
        if slot in v:
            given.append(slot)
            parts.append(say_value(sc, slot, v[slot], today))
    if ko:
        if not given:
            return ("예약하고 싶어요", []) if variant % 2 == 0 else ("자리 예약 좀 하려고요", [])
        text = " ".join(parts)
        if "time" in given:
            text = text.replace(parts[given.index("time")], parts[given.index("time")] + "에")
        return f"{text} 예약하고 싶어요", given
    if not given:
        return (
            ("I'd like to book a table", [])
            if variant % 2 == 0
            else ("can I make a reservation", [])
        )
    words = {s: say_value(sc, s, v[s], today) for s in given}
    text = "I'd like a table"
    if "party_size" in words:
        text += f" for {words['party_size'].replace(' people', '')}"
    if "date" in words:
        text += f" {words['date']}"
    if "time" in words:
        text += f" at {words['time']}"
    return text, given


def _say_changes(sc: Scenario, changes: dict[str, Any], today: date, variant: int) -> str:
    """The caller's line that gives a booking's new values."""
    parts = [say_value(sc, slot, value, today) for slot, value in changes.items()]
    if sc.language == "ko":
        words = " ".join(parts)
        ending = "바꿔 주세요" if variant % 2 == 0 else "변경해 주세요"
        return f"{words}{attach(words, '(으)로')} {ending}"
    en = {
        slot: say_value(sc, slot, value, today)
        + (" seating" if sc.slots[slot].type == "category" else "")
        for slot, value in changes.items()
    }
    words = ", ".join(en.values())
    return f"make it {words}" if variant % 2 == 0 else f"can we do {words} instead"


_EXISTING = {
    "ko": {
        "cancel": ("예약 취소하고 싶어요", "예약을 취소하려고요"),
        "change": ("예약 변경하고 싶어요", "예약을 좀 바꾸고 싶어요"),
    },
    "en": {
        "cancel": ("I want to cancel my booking", "I need to cancel my reservation"),
        "change": ("I'd like to change my booking", "can I change my reservation"),
    },
}


def _write_existing(sc: Scenario, goal: Goal, today: date, variant: int) -> Dialogue:
    """A call about the booking made before it: find it, change or cancel it, confirm."""
    ko = sc.language == "ko"
    intent = sc.tasks[goal.task].intent
    kind = "cancel" if intent == "cancel_booking" else "change"
    t = sc.templates
    turns: list[tuple[str, str]] = [("agent", t.get("greet", ""))]
    turns.append(("user", _EXISTING["ko" if ko else "en"][kind][variant % 2]))
    if kind == "cancel":
        turns.append(("agent", t.get(f"confirm_{goal.task}", "confirm")))
        expect: dict[str, Any] = {"status": "cancelled"}
    else:
        turns.append(("agent", f"{t.get('booking_found', '')} {t.get('ask_change_what', '')}"))
        turns.append(("user", _say_changes(sc, goal.corrections, today, variant)))
        turns.append(("agent", t.get(f"confirm_{goal.task}", "confirm")))
        final = goal.final()
        expect = {k: jsonable(final[k]) for k in ("date", "time", "party_size", "seating")}
    turns.append(("user", "네" if ko else "yes"))
    turns.append(("agent", f"{t.get(f'done_{goal.task}', '')} {t.get('anything_else', '')}"))
    turns.append(("user", "아니요 없어요" if ko else "no, that's all"))
    turns.append(("agent", t.get("bye", "")))
    prior = {k: jsonable(v) for k, v in goal.prior.items()}
    caller = _CALLER.get(sc.language, "+15551234567")
    return Dialogue(sc.id, goal.text, variant, turns, expect, caller, prior)


def write_dialogue(sc: Scenario, goal: Goal, *, today: date, variant: int = 0) -> Dialogue:
    """A whole dialogue of ``goal`` (caller and expected agent turns), from templates."""
    if goal.prior:
        return _write_existing(sc, goal, today, variant)
    task = sc.tasks[goal.task]
    ko = sc.language == "ko"
    turns: list[tuple[str, str]] = [("agent", sc.templates.get("greet", ""))]
    opening, given = _opening(sc, goal, today, variant)
    if opening:
        turns.append(("user", opening))
    for slot in asked_slots(sc, goal.task):
        if slot in given or sc.slots[slot].default == "caller_id":
            continue
        turns.append(("agent", sc.templates.get(sc.slots[slot].prompt, sc.slots[slot].prompt)))
        turns.append(("user", _answer(sc, slot, goal.values.get(slot), today, variant)))
    if task.confirm:
        turns.append(("agent", sc.templates.get(f"confirm_{goal.task}", "confirm")))
        for slot, value in goal.corrections.items():
            words = say_value(sc, slot, value, today)
            turns.append(
                (
                    "user",
                    f"아니요, {words}{attach(words, '(으)로')} 바꿔 주세요"
                    if ko
                    else f"no, make it {words}",
                )
            )
            turns.append(("agent", sc.templates.get(f"confirm_{goal.task}", "confirm")))
        turns.append(("user", "네" if ko else "yes"))
    turns.append(("agent", sc.templates.get("anything_else", "")))
    turns.append(("user", "아니요 없어요" if ko else "no, that's all"))
    turns.append(("agent", sc.templates.get("bye", "")))
    # a seating of "any" is the agent's choice: nothing to expect
    expect = {
        k: jsonable(v)
        for k, v in goal.final().items()
        if not (k in goal.assumed and sc.slots[k].type == "category")
    }
    return Dialogue(
        sc.id, goal.text, variant, turns, expect, _CALLER.get(sc.language, "+15551234567")
    )
