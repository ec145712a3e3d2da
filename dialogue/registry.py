"""The names a scenario's tasks use, bound to the dialogue functions that run them.

What each name needs from a scenario is data in :mod:`scenarios.capabilities` (checked when a
scenario loads); this module is the implementation side. ``tests/scenarios/test_needs.py``
asserts both sides list the same names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from dialogue.actions import ACTIONS as _ACTIONS
from dialogue.actions import lookup_booking
from dialogue.forms import validate
from dialogue.turn import Turn

__all__ = ["ACTIONS", "LOOKUPS", "VALIDATORS"]

#: Actions a task runs when its form is complete (and confirmed): ``action(turn)``.
ACTIONS: Mapping[str, Callable[[Turn], None]] = MappingProxyType(_ACTIONS)

#: Look-ups run when a task starts: ``lookup(turn, phone)``.
LOOKUPS: Mapping[str, Callable[[Turn, str], None]] = MappingProxyType(
    {"booking_by_phone": lookup_booking}
)

#: Validators run whenever a slot of the task changes: ``validate(turn) -> ok``.
VALIDATORS: Mapping[str, Callable[[Turn], bool]] = MappingProxyType(
    {"restaurant_availability": validate, "booking_availability": validate}
)
