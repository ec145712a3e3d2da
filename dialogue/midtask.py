"""A change or a cancel said in the middle of a new booking, and a party size said as a range.

"4명, 내일 7시" ... "아 6명으로 바꿔 주세요" is a correction of the booking being made, not a
request to change an existing one; "cancel" before the booking is made means "drop it", which the
agent confirms before dropping what was collected. "대여섯 명" / "five or six people" fills the
party size with the larger number and asks the caller to confirm it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dialogue.acts import ActKind
from dialogue.events import Awaiting, SlotRequested, TaskEnded
from dialogue.forms import count_slot, fill
from dialogue.state import AwaitKind, DialogueState
from dialogue.turn import Turn
from nlu.types import NLUResult
from scenarios.schema import Scenario

__all__ = [
    "ABANDON",
    "RANGE",
    "answer_abandon",
    "answer_range",
    "ask_range",
    "in_new_booking",
    "ranged_count",
    "switch_in_booking",
]

#: ``awaiting`` kinds of this module: "drop the booking being made?", "make it 6 people?".
ABANDON = AwaitKind.ABANDON
RANGE = AwaitKind.RANGE

Advance = Callable[[Turn], None]


def in_new_booking(state: DialogueState, sc: Scenario) -> bool:
    """True while a new booking (a confirmed form without look-up) has values but is not made."""
    if not state.task or state.task == sc.start_task:
        return False
    task = sc.tasks[state.task]
    return task.lookup is None and task.confirm and bool(state.slots)


def switch_in_booking(turn: Turn, target: str, values: dict[str, Any], advance: Advance) -> None:
    """A change or cancel intent during a new booking: correct it, or offer to drop it.

    Args:
        turn: the turn.
        target: the task the intent would start (``change``, ``cancel``).
        values: the values said with it ("6명으로 바꿔 주세요").
        advance: asks the next question (the policy's).
    """
    if turn.tracker.state.awaiting is not None:
        turn.emit(Awaiting(kind=None))
    if values:
        fill(turn, values)
        advance(turn)
    elif turn.scenario.tasks[target].slots:  # "I want to change it": change what?
        turn.emit(Awaiting(kind=AwaitKind.CORRECTION))
        turn.say(ActKind.REQUEST, "what_to_correct")
    else:
        turn.emit(Awaiting(kind=ABANDON))
        turn.say(ActKind.CONFIRM, "confirm_abandon")


def answer_abandon(
    turn: Turn, values: dict[str, Any], yes_no: bool | None, advance: Advance
) -> bool | None:
    """The answer to "drop the booking being made?"; None when it is no answer to it."""
    state = turn.tracker.state
    if values:  # "아니요, 7시로 해 주세요": going on, with a correction
        turn.emit(Awaiting(kind=None))
        fill(turn, values)
        advance(turn)
        return True
    if yes_no is True:
        assert state.task is not None
        turn.say(ActKind.INFORM, "booking_abandoned")
        turn.emit(TaskEnded(task=state.task, outcome="abandoned"))
        turn.emit(Awaiting(kind=AwaitKind.ANYTHING_ELSE))
        turn.say(ActKind.REQUEST, "anything_else")
        return True
    if yes_no is False:  # keep going: the next question again
        turn.emit(Awaiting(kind=None))
        advance(turn)
        return True
    return None


def ranged_count(turn: Turn, result: NLUResult, values: dict[str, Any]) -> str | None:
    """The count slot filled this turn from a range ("대여섯 명"), to confirm; else None."""
    sc = turn.scenario
    for said in result.slots:
        spec = sc.slots.get(said.name)
        if spec is not None and spec.type == "count" and said.ambiguous and said.name in values:
            return said.name
    return None


def ask_range(turn: Turn, slot: str) -> None:
    """Ask the caller to confirm the larger number of a range."""
    turn.emit(Awaiting(kind=RANGE))
    value = turn.tracker.state.slots.get(slot)
    turn.say(ActKind.CONFIRM, "confirm_range", slot=slot, **{slot: value})


def answer_range(
    turn: Turn, values: dict[str, Any], yes_no: bool | None, advance: Advance
) -> bool | None:
    """The answer to "make it 6 people?"; None when it is no answer to it."""
    slot = count_slot(turn.scenario, turn.tracker.state.task)
    if values or yes_no is True:
        turn.emit(Awaiting(kind=None))
        fill(turn, values)
        advance(turn)
        return True
    if yes_no is False and slot is not None:
        turn.emit(SlotRequested(slot=slot))
        turn.say(ActKind.REQUEST, turn.scenario.slots[slot].prompt, slot=slot)
        return True
    return None
