"""Keypad input (DTMF) read as an understood utterance."""

from __future__ import annotations

from dialogue.state import DialogueState
from nlu.types import NLUResult, SlotValue
from scenarios.schema import Scenario

__all__ = ["keys_as_result"]

_MIN_PHONE_DIGITS = 7  # shorter key presses are not a phone number
#: Questions answered yes (1) or no (2) on the keypad besides the read-back.
_YES_NO_AWAITING = ("anything_else", "abandon", "range")


def keys_as_result(state: DialogueState, scenario: Scenario, digits: str) -> NLUResult:
    """Digits for the slot asked (a count, a phone number), 1/2 for a yes/no question."""
    digits = digits.rstrip("#")
    slots: list[SlotValue] = []
    if state.confirming or state.awaiting in _YES_NO_AWAITING:
        if digits in ("1", "2"):
            slots.append(SlotValue("yesno", digits == "1", digits, 0, len(digits)))
    elif state.requested or state.awaiting == "lookup_phone":
        slot = state.requested or "phone"
        spec = scenario.slots.get(slot)
        kind = spec.type if spec is not None else "phone"
        # only what keys can say: a count, a phone number, 1/2 for yes/no; anything else
        # (a date, a seating) is not understood rather than stored as raw digits
        if not digits.isdigit():
            pass
        elif kind == "count":
            slots.append(SlotValue(slot, int(digits), digits, 0, len(digits)))
        elif kind == "phone" and len(digits) >= _MIN_PHONE_DIGITS:
            slots.append(SlotValue(slot, digits, digits, 0, len(digits)))
        elif kind == "yesno" and digits in ("1", "2"):
            slots.append(SlotValue("yesno", digits == "1", digits, 0, len(digits)))
    return NLUResult(digits, "dtmf", "inform", 1.0, tuple(slots))
