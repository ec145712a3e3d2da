"""Form mechanics shared by the policy: fill slots, validate, ask the next question, re-ask.

Each function works on a :class:`dialogue.turn.Turn`, the events and acts of one turn.
"""

from __future__ import annotations

import re
from typing import Any

from dialogue.acts import ActKind
from dialogue.appointments import booking_task, slot_needed
from dialogue.booking import check as check_availability
from dialogue.booking import resolve_hour
from dialogue.events import (
    Awaiting,
    ConfirmationRequested,
    OffersMade,
    SlotRequested,
    SlotSet,
)
from dialogue.periods import resolve_in_period, slot_prompt
from dialogue.restaurant import check_booking, normalize_phone, resolve_time
from dialogue.state import AwaitKind
from dialogue.tracker import Tracker
from dialogue.turn import Turn
from nlu.parsers import extract_yesno, negated_mention
from nlu.types import NLUResult, SlotValue
from scenarios.schema import Scenario

__all__ = [
    "collect_values",
    "count_slot",
    "expected_for",
    "reask",
    "task_for_intent",
    "task_for_values",
]


def expected_for(tracker: Tracker, scenario: Scenario) -> str | None:
    """The slot name (or ``yesno``/``time``/``phone``) a bare answer should fill now.

    After "what would you like to change?" a bare number is read as a time, as at the
    confirmation ("no, make it 8"); a party size says its counter ("6명", "six people").
    """
    state = tracker.state
    if state.confirming or state.awaiting == AwaitKind.ABANDON:
        return "yesno"
    if state.requested:
        return state.requested
    if state.awaiting in (AwaitKind.OFFER, AwaitKind.CORRECTION, AwaitKind.CHANGE_WHAT):
        return "time" if "time" in scenario.slots else None
    if state.awaiting == AwaitKind.RANGE:  # "make it 6 people?": "네", or another number
        return count_slot(scenario, state.task)
    if state.awaiting == AwaitKind.LOOKUP_PHONE:
        return "phone"
    return None


def task_for_intent(sc: Scenario, intent: str) -> str | None:
    """The task an intent starts (the outbound questionnaire is started by the call)."""
    return next((n for n, t in sc.tasks.items() if t.intent == intent and n != sc.start_task), None)


def task_for_values(sc: Scenario, values: dict[str, Any]) -> str | None:
    """The task values said out of the blue belong to ("내일 7시에 4명이요" → book)."""
    for name, task in sc.tasks.items():
        if task.lookup is None and name != sc.start_task and set(values) & set(task.slots):
            return name
    return None


def count_slot(scenario: Scenario, task: str | None) -> str | None:
    """The task's party-size (``count``) slot, if any."""
    if task is None:
        return None
    return next((n for n in scenario.tasks[task].slots if scenario.slots[n].type == "count"), None)


def collect_values(
    turn: Turn, result: NLUResult, *, only: str | None = None, yes_no: bool | None = None
) -> dict[str, Any]:
    """Slot values of the active task found in ``result`` (normalised, am/pm resolved).

    Args:
        turn: the turn.
        result: what the NLU found.
        only: accept only this slot (questionnaires take the answer to the question asked).
        yes_no: the caller's yes or no when only the intent says so ("맞는데요", "speaking"):
            it answers a yes/no question as a parsed yes or no would.
    """
    sc = turn.scenario
    state = turn.tracker.state
    task = sc.tasks.get(state.task) if state.task else None
    allowed = set(task.slots) if task else {n for t in sc.tasks.values() for n in t.slots}
    if state.awaiting == AwaitKind.LOOKUP_PHONE:
        allowed.add("phone")
    if only is not None:
        allowed = {only}
    values: dict[str, Any] = {}
    for sv in _undenied(result, sc.language):
        if sv.name == "yesno":
            yes_no = bool(sv.value)
            continue
        if sv.name not in allowed:
            continue
        spec = sc.slots[sv.name]
        value = sv.value
        if spec.type == "name" and _only_yes_no(str(value), sc.language):
            continue  # "아니요 지은 원장님으로요" at the read-back: 아니요 is no name
        if spec.type == "time" and sv.ambiguous and value.hour < 12:
            # "1시요" after "점심에" is 13:00; else the venue's hours pick am or pm
            period = turn.period or state.period
            if sc.booking is not None:
                value = resolve_in_period(value, period, None) or resolve_hour(value, sc.booking)
            else:
                value = resolve_in_period(value, period, sc.venue) or resolve_time(
                    value, True, sc.venue
                )
        elif spec.type == "phone":
            value = normalize_phone(str(value))
        if spec.type == "category" and spec.multiple:
            values.setdefault(sv.name, [])
            if value not in values[sv.name]:
                values[sv.name].append(value)
        elif sv.name not in values:
            values[sv.name] = value
    requested = state.requested if only is None else only
    if requested and requested in allowed and requested not in values:
        spec = sc.slots[requested]
        if yes_no is None and _denies(result.text, sc, requested):
            yes_no = False  # "기침은 없어요", "I don't have a cough": the question's no
        if yes_no is None:
            pass
        elif spec.type == "yesno":
            values[requested] = yes_no
        elif spec.type == "category":
            mapped = spec.yes if yes_no else spec.no
            if mapped is not None:
                values[requested] = [mapped] if spec.multiple else mapped
    return values


_KO_NOT_THIS = re.compile("^\\s*(?:은|는|이|가)?\\s*(?:말고|아니고|아니라|대신|안\\s*되|안돼)")


def _undenied(result: NLUResult, lang: str) -> list[SlotValue]:
    """The slot values, without a date or time said only to reject it when another one is said.

    "not tomorrow, book it on Friday", "내일 말고 금요일로요": Friday. One value alone is kept
    (a lone "not at 7?" is a question, not an answer, and the read-back handles "no, 8").
    """
    out = list(result.slots)
    for name in ("date", "time"):
        said = [sv for sv in out if sv.name == name]
        if len(said) < 2:
            continue
        denied = [sv for sv in said if _denied(result.text, sv, lang)]
        if denied and len(denied) < len(said):
            out = [sv for sv in out if sv not in denied]
    return out


def _denied(text: str, sv: SlotValue, lang: str) -> bool:
    if lang == "ko":
        return bool(_KO_NOT_THIS.match(text[sv.end :]))
    before = text[: sv.start].split()[-3:]
    return bool(re.search(r"\b(?:not|no|n't)\b|n't\b", " ".join(before), re.IGNORECASE))


def _only_yes_no(text: str, lang: str) -> bool:
    """The words are nothing but yes/no answers ("아니요", "네 맞아요", "no")."""
    said = extract_yesno(text, lang)
    if not said:
        return False
    rest = text
    for sv in reversed(said):
        rest = rest[: sv.start] + rest[sv.end :]
    return not rest.strip(" ,.!?~")


def _denies(text: str, sc: Scenario, slot: str) -> bool:
    """The caller names what a yes/no category question asks about only to deny it."""
    spec = sc.slots[slot]
    if spec.type != "category" or spec.no is None:
        return False
    phrases = [
        p for key, v in spec.values.items() if key != spec.no for p in (v.label, *v.synonyms)
    ]
    return negated_mention(text, sc.language, phrases)


def fill(turn: Turn, values: dict[str, Any]) -> None:
    """Set the values as slots of the active task and speak any per-value acknowledgement."""
    for name, value in values.items():
        turn.emit(SlotSet(name=name, value=value))
        spec = turn.scenario.slots[name]
        for v in value if isinstance(value, list) else [value]:
            key = spec.ack.get(str(v))
            if key:
                turn.say(ActKind.ACK, key, slot=name)


def validate(turn: Turn) -> bool:
    """Run the task's validator; on a problem, say it, clear slots, maybe offer; False if any."""
    state = turn.tracker.state
    sc = turn.scenario
    task = sc.tasks[state.task] if state.task else None
    if task is None or task.validate_with not in (
        "restaurant_availability",
        "booking_availability",
    ):
        return True
    slots = dict(state.slots)
    if sc.booking is not None:  # any business (a venue keeps the restaurant's own rule)
        finding = check_availability(
            sc, slots, turn.ctx.now, turn.ctx.bookings, task_slots=task.slots, own=state.booking
        )
    else:
        finding = check_booking(sc, slots, turn.ctx.now, turn.ctx.bookings, state.booking)
    if finding is None:
        for name, value in slots.items():
            if value != state.slots.get(name):  # the seating or provider "any" chose
                turn.emit(SlotSet(name=name, value=value))
        return True
    for name in finding.clear:
        turn.emit(SlotSet(name=name, value=None))
    if finding.offers:
        turn.emit(OffersMade(offers=finding.offers, about=finding.values))
        turn.say(ActKind.OFFER, finding.template, options=finding.offers, **finding.values)
        turn.emit(Awaiting(kind=AwaitKind.OFFER))
        return False
    turn.say(ActKind.INFORM, finding.template, **finding.values)
    return True


def ask_next(turn: Turn) -> str | None:
    """Validate, then ask the next missing slot or for confirmation.

    Returns:
        ``"complete"`` when every slot is filled and no confirmation is needed (the caller
        runs the action), ``"asked"`` when a question was asked, ``None`` with no task.
    """
    state = turn.tracker.state
    if state.task is None:
        return None
    if not validate(turn):
        return "asked"
    task = turn.scenario.tasks[state.task]
    for name in task.slots:
        if name in state.slots:
            continue
        if not slot_needed(turn.scenario, state.task, state.slots, name):
            continue  # no party size for a doctor's appointment, no provider for a room
        if _unrecalled_follow_up(turn, name):
            continue  # "how is your pain now?" only when the last call said there was pain
        spec = turn.scenario.slots[name]
        if spec.default == "caller_id" and turn.ctx.caller:
            phone = normalize_phone(turn.ctx.caller)
            if phone:
                turn.emit(SlotSet(name=name, value=phone))
                continue
        turn.emit(SlotRequested(slot=name))
        template, said = _prompt(turn, name)
        turn.say(ActKind.REQUEST, template, slot=name, **said)
        return "asked"
    if task.confirm:
        turn.emit(ConfirmationRequested())
        turn.say(ActKind.CONFIRM, f"confirm_{state.task}", **read_back(turn))
        return "asked"
    return "complete"


def _unrecalled_follow_up(turn: Turn, slot: str) -> bool:
    """A follow-up slot of the scenario's memory with nothing earlier to refer back to."""
    memory = turn.scenario.memory
    return memory is not None and slot in memory.follow_ups and slot not in turn.ctx.recalls


def _prompt(turn: Turn, slot: str) -> tuple[str, dict[str, Any]]:
    """The template (and values) asking ``slot``: a follow-up refers back to the earlier answer."""
    recall = turn.ctx.recalls.get(slot)
    if recall is not None:
        return recall.template, recall.prompt_values()
    return slot_prompt(turn.scenario, turn.tracker.state, slot)


def read_back(turn: Turn) -> dict[str, Any]:
    """The values a read-back says: the task's slots, or the booking found for a slot-less task.

    A change of any business's booking also says what it keeps (its service, its provider).
    """
    state = turn.tracker.state
    values = dict(state.slots)
    if state.booking and state.task and not turn.scenario.tasks[state.task].slots:
        values = dict(state.booking)
    elif state.booking and booking_task(turn.scenario, state.task):
        values = {**{k: v for k, v in state.booking.items() if v is not None}, **values}
    return values


def reask(turn: Turn) -> None:
    """Ask the pending question again (after an FAQ answer, a re-prompt, a repeat)."""
    state = turn.tracker.state
    if state.confirming and state.task:
        turn.say(ActKind.CONFIRM, f"confirm_{state.task}", **read_back(turn))
    elif state.requested:
        template, said = _prompt(turn, state.requested)
        turn.say(ActKind.REQUEST, template, slot=state.requested, **said)
    elif state.awaiting == AwaitKind.ABANDON:
        turn.say(ActKind.CONFIRM, "confirm_abandon")
    elif state.awaiting == AwaitKind.RANGE:
        slot = count_slot(turn.scenario, state.task)
        turn.say(ActKind.CONFIRM, "confirm_range", slot=slot, **dict(state.slots))
    elif state.awaiting == AwaitKind.OFFER and state.offers:
        turn.say(ActKind.OFFER, "no_capacity_offer", options=state.offers, **state.offer_about)
    elif state.awaiting == AwaitKind.CORRECTION:
        turn.say(ActKind.REQUEST, "what_to_correct")
    elif state.awaiting == AwaitKind.CHANGE_WHAT:
        turn.say(ActKind.REQUEST, "ask_change_what")
    elif state.awaiting == AwaitKind.LOOKUP_PHONE:
        turn.say(ActKind.REQUEST, turn.scenario.slots["phone"].prompt, slot="phone")
    elif state.awaiting == AwaitKind.ANYTHING_ELSE or state.completed:
        turn.say(ActKind.REQUEST, "anything_else")
    elif "ask_intent" in turn.scenario.templates:
        turn.say(ActKind.REQUEST, "ask_intent")
