"""Goal scripts: what the caller of a dialogue wants, read from one paragraph.

A goal script is a short description of a call ("a customer wants a table for 4 tomorrow at 7,
asks for a room, then changes to 6 people"). :func:`plan_goal` reads it with the NLU's own
value parsers and the scenario's category synonyms into a :class:`Goal` (the task, the values,
the corrections) and raises :class:`GoalError` naming what is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from agent.errors import InputError
from nlu.categories import match_category
from nlu.parsers import extract_all
from scenarios.schema import Scenario

__all__ = ["Goal", "GoalError", "plan_goal"]

_NAME = {"ko": "김민수", "en": "Alex Kim"}
_CHANGE = re.compile(
    r"\b(?:then\s+)?(?:changes?|switch(?:es)?|make it|instead)\b|바꾸|바꿔|변경|대신", re.I
)
_CANCEL = re.compile(r"\bcancel|취소", re.I)
_MODIFY = re.compile(
    r"\b(?:change|move|reschedule)s?\b.{0,20}\b(?:booking|reservation)|예약.{0,6}(?:변경|바꾸|바꿔|옮기)",
    re.I,
)
_BOOK = re.compile(r"\b(?:book|reserv|table)|예약|자리", re.I)
_NAMED = re.compile(
    r"\b(?:named|name is|called)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)|이름은\s*([가-힣]{2,4})"
)


class GoalError(InputError):
    """A goal script cannot be understood; the message names what is missing."""


@dataclass
class Goal:
    """What the caller of a goal script wants.

    Attributes:
        text: the goal script.
        task: the scenario task the call is about.
        values: slot -> value the caller gives first (dates, times, ints, category keys, text).
        corrections: slot -> the value the caller changes it to at the confirmation.
        assumed: slots filled by a default, not by the goal (name, phone, seating "any").
    """

    text: str
    task: str
    values: dict[str, Any] = field(default_factory=dict)
    corrections: dict[str, Any] = field(default_factory=dict)
    assumed: list[str] = field(default_factory=list)

    def final(self) -> dict[str, Any]:
        """The values the agent should end up with."""
        return {**self.values, **self.corrections}


def _task_of(sc: Scenario, goal: str) -> str:
    if sc.start_task:
        return sc.start_task
    by_intent = {t.intent: name for name, t in sc.tasks.items()}
    if _CANCEL.search(goal) and "cancel_booking" in by_intent:
        raise GoalError(
            "dialogues from goals support booking calls and questionnaires; cancelling is not supported yet"
        )
    if _MODIFY.search(goal) and not _BOOK.search(goal.split(",")[0].replace("reservation", "")):
        raise GoalError(
            "dialogues from goals support booking calls and questionnaires; changing an existing booking is not supported yet"
        )
    if _BOOK.search(goal) and "book" in by_intent:
        return by_intent["book"]
    names = ", ".join(sc.tasks)
    raise GoalError(
        f"the goal does not say what the caller wants: name one of the tasks ({names}), e.g. 'wants to book a table'"
    )


def plan_goal(sc: Scenario, goal: str, *, today: date) -> Goal:
    """Read a goal script against a scenario.

    Raises:
        GoalError: the goal names no task, or misses values the task needs (named).
    """
    goal = goal.strip()
    if not goal:
        raise GoalError("the goal script is empty: describe the caller and what they want")
    task_name = _task_of(sc, goal)
    task = sc.tasks[task_name]
    out = Goal(goal, task_name)
    langs = [sc.language, "en" if sc.language == "ko" else "ko"]
    for lang in langs:
        found = [
            v for v in extract_all(goal, lang, today, None) if v.name in ("date", "time", "count")
        ]
        if found:
            break
    typed: dict[str, str] = {spec.type: name for name, spec in sc.slots.items()}
    for v in found:
        slot = typed.get(v.name)
        if slot is None or slot not in task.slots:
            continue
        value = v.value
        if v.name == "time" and v.ambiguous and value.hour < 12 and sc.venue is not None:
            later = time(value.hour + 12, value.minute)
            if sc.venue.hours.open <= later <= sc.venue.hours.close and value < sc.venue.hours.open:
                value = later
        before = goal[: v.start]
        if slot in out.values and _CHANGE.search(before[max(0, len(before) - 40) :]):
            out.corrections[slot] = value
        elif slot not in out.values:
            out.values[slot] = value
    for slot in task.slots:
        spec = sc.slots[slot]
        if spec.type == "category":
            hits = []
            for lang in langs:
                hits = match_category(goal, slot, spec.values, lang, multiple=spec.multiple)
                if hits:
                    break
            if not hits:
                # a goal in another language than the scenario: the value keys themselves
                keys = [k for k in spec.values if re.search(rf"\b{re.escape(k)}s?\b", goal, re.I)]
                if keys and keys[0] != "any":
                    out.values[slot] = keys if spec.multiple else keys[0]
                    continue
            if hits:
                out.values[slot] = (
                    hits[0].value if not spec.multiple else sorted({h.value for h in hits})
                )
            elif "any" in spec.values:
                out.values[slot] = "any"
                out.assumed.append(slot)
        elif spec.type == "name":
            m = _NAMED.search(goal)
            out.values[slot] = (m.group(1) or m.group(2)) if m else _NAME[sc.language]
            if not m:
                out.assumed.append(slot)
        elif spec.type == "phone" and spec.default == "caller_id":
            out.assumed.append(slot)
        elif spec.type == "yesno":
            out.values[slot] = spec.stop_if is not True
            out.assumed.append(slot)
    missing = [s for s in task.slots if s not in out.values and s not in out.assumed]
    if missing:
        hints = {
            "date": "a day (tomorrow, Friday)",
            "time": "a time (7 pm)",
            "count": "how many people",
        }

        def hint(slot: str) -> str:
            spec = sc.slots[slot]
            if spec.type == "category":
                words = [v.synonyms[0] if v.synonyms else v.label for v in spec.values.values()]
                return "one of: " + " / ".join(words)
            return hints.get(spec.type, "a value")

        what = ", ".join(f"{s} ({hint(s)})" for s in missing)
        raise GoalError(f"the goal does not say {what}; task {task_name!r} needs them")
    return out
