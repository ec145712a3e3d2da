"""A meal or a part of the day said without an hour: ask the hour in it, read the answer in it.

"다음 주 금요일 점심에 예약하려고요" books no time: the agent asks "점심 몇 시에 오실 예정이세요?"
and names the lunch window the venue takes bookings in (the part of the day's usual window, cut
to the venue's opening time and last booking). The part of the day is kept (a ``period`` event)
so that the caller's next bare hour is read inside it: 점심 + "1시" → 13:00, dinner + "7" →
19:00, evening + "half past six" → 18:30.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from dialogue.events import PeriodSaid, SlotSet
from dialogue.state import DialogueState
from dialogue.turn import Turn
from scenarios.schema import Scenario, Venue

__all__ = [
    "WINDOWS",
    "note_period",
    "period_window",
    "resolve_in_period",
    "slot_prompt",
    "takes_period",
]

#: The usual window of each part of the day (cut to the venue's hours when asked).
WINDOWS: dict[str, tuple[time, time]] = {
    "morning": (time(6, 0), time(12, 0)),
    "lunch": (time(11, 0), time(14, 30)),
    "afternoon": (time(12, 0), time(17, 0)),
    "dinner": (time(17, 0), time(21, 0)),
    "evening": (time(17, 0), time(23, 59)),
}


def period_window(period: str | None, venue: Venue | None) -> tuple[time, time] | None:
    """The times a part of the day covers at ``venue`` (open..last booking), or None."""
    if period not in WINDOWS:
        return None
    first, last = WINDOWS[period]
    if venue is not None:
        first = max(first, venue.hours.open)
        last = min(last, venue.hours.last_booking or venue.hours.close)
    return (first, last) if first <= last else None


def resolve_in_period(value: time, period: str | None, venue: Venue | None) -> time | None:
    """An hour said without am/pm read inside the part of the day; None when it is not in it.

    Args:
        value: the time as said (hour 1..12).
        period: one of :data:`WINDOWS`, or None.
        venue: the venue whose hours cut the window.
    """
    window = period_window(period, venue)
    if window is None:
        return None
    for hour in (value.hour, value.hour + 12):
        if hour < 24 and window[0] <= value.replace(hour=hour) <= window[1]:
            return value.replace(hour=hour)
    return None


def takes_period(scenario: Scenario, task: str | None) -> bool:
    """True when a part of the day means something in ``task`` (its form has a time slot)."""
    names = (
        scenario.tasks[task].slots
        if task
        else [n for t in scenario.tasks.values() for n in t.slots]
    )
    if task is not None and not scenario.tasks[task].confirm:
        return False  # a questionnaire: "아침은 먹었어요" answers it, it books nothing
    return any(scenario.slots[n].type == "time" for n in names if n in scenario.slots)


def slot_prompt(scenario: Scenario, state: DialogueState, slot: str) -> tuple[str, dict[str, Any]]:
    """The template (and its values) that asks for ``slot``.

    A time asked after a part of the day was said uses ``ask_time_<period>`` when the scenario
    words it ("점심 몇 시에 오실 예정이세요? 점심은 {start}부터 {end}까지 예약하실 수 있어요."),
    with the window as ``start`` and ``end``; otherwise the slot's own prompt.
    """
    spec = scenario.slots[slot]
    key = f"ask_{spec.type}_{state.period}"
    if spec.type == "time" and state.period and key in scenario.templates:
        window = period_window(state.period, scenario.venue)
        if window is not None:
            return key, {"start": window[0], "end": window[1]}
    return spec.prompt, {}


def note_period(turn: Turn) -> bool:
    """Keep the part of the day said this turn for the active task.

    A time already set outside it is cleared ("저녁으로 할게요" after 12:00): the hour is asked
    again, in the new part of the day.

    Returns:
        True when a time was cleared.
    """
    state, sc = turn.tracker.state, turn.scenario
    if not turn.period or not state.task:
        return False
    if turn.period != state.period:
        turn.emit(PeriodSaid(period=turn.period))
    window = period_window(turn.period, sc.venue)
    cleared = False
    for name in sc.tasks[state.task].slots:
        value = state.slots.get(name)
        if sc.slots[name].type == "time" and isinstance(value, time) and window is not None:
            if not window[0] <= value <= window[1]:
                turn.emit(SlotSet(name=name, value=None))
                cleared = True
    return cleared
