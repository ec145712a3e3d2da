"""Keypad input (DTMF) read as an understood utterance, and the re-prompt that offers it.

What keys can say depends on the question pending:

* a yes/no question (the read-back, "anything else?"): ``1`` yes, ``2`` no;
* a count: its digits; a phone number: seven digits or more;
* a date: ``MMDD`` (``1126``; a month and day already past this year is next year's, as when
  said) or the day alone, ``D``/``DD`` (the next such day, today included);
* a time: ``HHMM`` in 24-hour form (``1300``, ``0930``) is that time exactly; the hour alone or
  ``HMM`` (``7``, ``730``, ``19``) is read like a spoken bare hour, so ``7`` is 19:00 when the
  venue takes bookings then (the same evening bias as "7시", "at 7");
* a category whose menu the scenario offers (a ``keypad_<slot>`` template, e.g. seating):
  ``1``, ``2``, ... in the order of the slot's values.

Values come back as typed slots, so the dialogue validates them like spoken ones (a past
date, a closed day, an hour outside opening hours get the same replies). Keys that cannot
answer the question are not understood (never stored as raw digits).
"""

from __future__ import annotations

import datetime as dt

from dialogue.acts import ActKind
from dialogue.state import AwaitKind, DialogueState
from dialogue.turn import Turn
from nlu.parsers.dates_en import day_of_month
from nlu.types import NLUResult, SlotValue
from scenarios.schema import Scenario, SlotSpec

__all__ = ["keypad_hint", "keys_as_result", "menu_key"]

_MIN_PHONE_DIGITS = 7  # shorter key presses are not a phone number
#: Questions answered yes (1) or no (2) on the keypad besides the read-back.
_YES_NO_AWAITING = (AwaitKind.ANYTHING_ELSE, AwaitKind.ABANDON, AwaitKind.RANGE)


def keys_as_result(
    state: DialogueState, scenario: Scenario, digits: str, today: dt.date
) -> NLUResult:
    """The keys as an utterance that answers the pending question (see the module docstring)."""
    digits = digits.rstrip("#")
    slots: list[SlotValue] = []
    if state.confirming or state.awaiting in _YES_NO_AWAITING:
        if digits in ("1", "2"):
            slots.append(SlotValue("yesno", digits == "1", digits, 0, len(digits)))
    elif (state.requested or state.awaiting == AwaitKind.LOOKUP_PHONE) and digits.isdigit():
        slot = state.requested or "phone"
        found = _slot_value(slot, scenario.slots.get(slot), scenario, digits, today)
        if found is not None:
            slots.append(found)
    return NLUResult(digits, "dtmf", "inform", 1.0, tuple(slots))


def _slot_value(
    slot: str, spec: SlotSpec | None, scenario: Scenario, digits: str, today: dt.date
) -> SlotValue | None:
    kind = spec.type if spec is not None else "phone"
    value: object = None
    ambiguous = False
    if kind == "count":
        value = int(digits)
    elif kind == "phone" and len(digits) >= _MIN_PHONE_DIGITS:
        value = digits
    elif kind == "yesno" and digits in ("1", "2"):
        return SlotValue("yesno", digits == "1", digits, 0, len(digits))
    elif kind == "date":
        value = keyed_date(digits, today)
    elif kind == "time":
        keyed = keyed_time(digits)
        if keyed is not None:
            value, ambiguous = keyed
    elif kind == "category":
        value = menu_key(scenario, slot, digits)
    if value is None:
        return None
    return SlotValue(slot, value, digits, 0, len(digits), ambiguous=ambiguous)


def keyed_date(digits: str, today: dt.date) -> dt.date | None:
    """``MMDD`` (next year's once past this year) or ``D``/``DD`` (the next such day)."""
    if len(digits) in (1, 2):
        day = int(digits)
        return day_of_month(today, day) if 1 <= day <= 31 else None
    if len(digits) != 4:
        return None
    month, day = int(digits[:2]), int(digits[2:])
    try:
        value = dt.date(today.year, month, day)
    except ValueError:
        return None
    return value if value >= today else value.replace(year=today.year + 1)


def keyed_time(digits: str) -> tuple[dt.time, bool] | None:
    """The time and whether it is a bare hour to resolve like a spoken one (am or pm)."""
    if len(digits) not in (1, 2, 3, 4):
        return None
    hour, minute = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    if hour > 23 or minute > 59:
        return None
    exact = len(digits) == 4  # "0730" says 07:30; "730" is said like "7시 반"
    return dt.time(hour, minute), not exact and 1 <= hour <= 12


def menu_key(scenario: Scenario, slot: str, digits: str) -> str | None:
    """The value a menu number chooses (1 is the slot's first value), if the menu is offered."""
    spec = scenario.slots.get(slot)
    if spec is None or not _has_menu(scenario, slot, spec) or not digits.isdigit():
        return None
    keys = list(spec.values)
    n = int(digits)
    return keys[n - 1] if 1 <= n <= len(keys) else None


def _has_menu(scenario: Scenario, slot: str, spec: SlotSpec) -> bool:
    return spec.type == "category" and not spec.multiple and f"keypad_{slot}" in scenario.templates


def keypad_hint(turn: Turn) -> None:
    """On a phone call, after a re-prompt for a slot the keypad can answer, say how to key it.

    The scenario words it (``keypad_date``, ``keypad_time``, ``keypad_seating``...); text chat
    has no keypad, so nothing is said there.
    """
    state = turn.tracker.state
    slot = state.requested
    if state.channel != "voice" or slot is None:
        return
    key = f"keypad_{slot}"
    spec = turn.scenario.slots.get(slot)
    if spec is None or key not in turn.scenario.templates:
        return
    if spec.type in ("date", "time") or _has_menu(turn.scenario, slot, spec):
        turn.say(ActKind.INFORM, key, slot=slot)
