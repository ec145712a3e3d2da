"""Goal scripts: what the caller of a dialogue wants, read from one paragraph.

A goal script is a short description of a call ("a customer wants a table for 4 tomorrow at 7,
asks for a room, then changes to 6 people"). :func:`plan_goal` reads it with the NLU's own
value parsers and the scenario's category synonyms into a :class:`Goal` (the task, the values,
the corrections) and raises :class:`GoalError` naming what is missing.

A goal about an existing booking ("a customer who booked a table for 4 tomorrow at 7 wants to
change it to 6 people", "손님이 내일 저녁 7시 예약을 취소한다") names the booking made before
the call (:attr:`Goal.prior`; what it does not say gets a default: tomorrow, 7 pm, 2 people,
the venue's default seating) and, for a change, the new values: a value said after "to",
"make it", "move it" or before "instead", or in Korean followed by (으)로.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from common.errors import InputError
from nlu.categories import match_category
from nlu.parsers import extract_all
from scenarios.schema import Scenario

__all__ = ["Goal", "GoalError", "asked_slots", "plan_goal"]

_NAME = {"ko": "김민수", "en": "Alex Kim"}
_CHANGE = re.compile(
    r"\b(?:then\s+)?(?:changes?|switch(?:es)?|make it|instead)\b|바꾸|바꿔|변경|대신", re.I
)
_CANCEL = re.compile(r"\bcancel|취소", re.I)
_MODIFY = re.compile(
    r"\b(?:change|move|reschedule)s?\b.{0,20}\b(?:booking|reservation)"
    r"|\b(?:booked|(?:has|have|their|his|her|my|an?|the|existing)\s+(?:booking|reservation))\b"
    r".{0,60}\b(?:change|move|reschedul|switch)"
    r"|예약을.{0,15}(?:변경|바꾸|바꿔|바꾼|옮기|옮겨)|(?:예약한|예약된|기존 예약).{0,40}(?:변경|바꾸|바꿔|바꾼|옮)",
    re.I,
)
_BOOK = re.compile(r"\b(?:book|reserv|table)|예약|자리", re.I)
_NAMED = re.compile(
    r"\b(?:named|name is|called)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)|이름은\s*([가-힣]{2,4})"
)


_NEW_VALUE_EN = re.compile(r"(?:\bto|\bmake it|\bmove it|\binto)\s*(?:the\s+)?$", re.I)
_NEW_VALUE_KO = re.compile(r"^\s*(?:으로|로)")
_CHANGED_KO = re.compile(r"^\s*(?:으로|로)\s*(?:\S+\s*)?(?:바꾸|바꿔|바꾼|변경|옮기|옮겨)")
_PRIOR_TIME = time(19, 0)
_PRIOR_PARTY = 2


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
        prior: the booking made before the call (change and cancel goals): date, time,
            party_size, seating, name; empty for other goals. For a change, ``corrections``
            are the new values.
    """

    text: str
    task: str
    values: dict[str, Any] = field(default_factory=dict)
    corrections: dict[str, Any] = field(default_factory=dict)
    assumed: list[str] = field(default_factory=list)
    prior: dict[str, Any] = field(default_factory=dict)

    def final(self) -> dict[str, Any]:
        """The values the agent should end up with (for a change: the booking's new values)."""
        if self.prior:
            return {**self.prior, **self.corrections}
        return {**self.values, **self.corrections}


def asked_slots(sc: Scenario, task_name: str) -> list[str]:
    """The task's slots a first call asks, in order.

    Without the memory's follow-ups: a call asks those only when an earlier call of the same
    person said something to refer back to.
    """
    follow_ups = set(sc.memory.follow_ups) if sc.memory is not None else set()
    return [s for s in sc.tasks[task_name].slots if s not in follow_ups]


def _task_of(sc: Scenario, goal: str) -> str:
    if sc.start_task:
        return sc.start_task
    by_intent = {t.intent: name for name, t in sc.tasks.items()}
    if _CANCEL.search(goal) and "cancel_booking" in by_intent:
        return by_intent["cancel_booking"]
    if _MODIFY.search(goal) and "change_booking" in by_intent:
        return by_intent["change_booking"]
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
    if task.lookup:
        return _plan_existing(sc, goal, task_name, today)
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
        said_after = _CHANGED_KO.match(goal[v.end :])  # Korean says the verb after: 6명으로 바꾼다
        if slot in out.values and (
            _CHANGE.search(before[max(0, len(before) - 40) :]) or said_after
        ):
            out.corrections[slot] = value
        elif slot not in out.values:
            out.values[slot] = value
    for slot in asked_slots(sc, task_name):
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
            if hits and not spec.multiple:
                out.values[slot] = hits[0].value
                # "outside, then switches to a room", "야외로 예약하다가 룸으로 바꾼다"
                every = sorted(
                    match_category(goal, slot, spec.values, lang, multiple=True),
                    key=lambda h: h.start,
                )
                for h in every:
                    before = goal[max(0, h.start - 40) : h.start]
                    changed = _CHANGE.search(before) or _CHANGED_KO.match(goal[h.end :])
                    if h.value != hits[0].value and h.start > hits[0].start and changed:
                        out.corrections[slot] = h.value
            elif hits:
                out.values[slot] = sorted({h.value for h in hits})
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
    missing = [
        s for s in asked_slots(sc, task_name) if s not in out.values and s not in out.assumed
    ]
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


def _is_new_value(goal: str, start: int, end: int) -> bool:
    """Whether the value at ``goal[start:end]`` is what a booking changes *to*."""
    if _NEW_VALUE_KO.match(goal[end:]):
        return True
    if re.match(r"\s*(?:people\s+|persons\s+|pm\s+|am\s+)?instead\b", goal[end:], re.I):
        return True
    return bool(_NEW_VALUE_EN.search(goal[max(0, start - 20) : start]))


def _plan_existing(sc: Scenario, goal: str, task_name: str, today: date) -> Goal:
    """A change or cancel goal: the booking made before the call and, for a change, what changes."""
    if sc.venue is None:
        raise GoalError(f"task {task_name!r} needs a venue with bookings; {sc.id} has none")
    out = Goal(goal, task_name)
    seating = sc.venue.default_seating or next(iter(sc.venue.seating))
    prior: dict[str, Any] = {
        "date": today + timedelta(days=1),
        "time": _PRIOR_TIME,
        "party_size": _PRIOR_PARTY,
        "seating": seating,
        "name": _NAME[sc.language],
    }
    said: set[str] = set()
    langs = [sc.language, "en" if sc.language == "ko" else "ko"]
    found = []
    for lang in langs:
        found = [
            v for v in extract_all(goal, lang, today, None) if v.name in ("date", "time", "count")
        ]
        if found:
            break
    typed = {"date": "date", "time": "time", "count": "party_size"}
    spans: list[tuple[int, int, str, Any]] = []
    for v in found:
        value = v.value
        if v.name == "time" and v.ambiguous and value.hour < 12:
            later = time(value.hour + 12, value.minute)
            if sc.venue.hours.open <= later <= sc.venue.hours.close and value < sc.venue.hours.open:
                value = later
        spans.append((v.start, v.end, typed[v.name], value))
    if "seating" in sc.slots:
        for lang in langs:
            hits = match_category(goal, "seating", sc.slots["seating"].values, lang)
            if hits:
                spans += [(h.start, h.end, "seating", h.value) for h in hits if h.value != "any"]
                break
    for start, end, slot, value in sorted(spans, key=lambda x: x[0]):
        if task_name == _change_task(sc) and _is_new_value(goal, start, end):
            out.corrections[slot] = value
        elif slot not in said:
            prior[slot] = value
            said.add(slot)
    m = _NAMED.search(goal)
    if m:
        prior["name"] = m.group(1) or m.group(2)
        said.add("name")
    out.prior = prior
    out.assumed = [k for k in prior if k not in said]
    if task_name == _change_task(sc) and not out.corrections:
        raise GoalError(
            "the goal does not say what the booking changes to: a new date, time, number of "
            "people or seating after 'to' (e.g. 'changes it to 6 people'; '6명으로 바꾼다')"
        )
    return out


def _change_task(sc: Scenario) -> str | None:
    """The scenario's task that changes an existing booking, if it has one."""
    return next((n for n, t in sc.tasks.items() if t.intent == "change_booking"), None)
