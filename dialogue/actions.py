"""Business actions a task runs: bookings (create, change, cancel, look up) and care-call records.

Each action writes through a port of :mod:`dialogue.ports` and records an
:class:`~dialogue.events.ActionExecuted` event. A store failure becomes a polite apology and the
end of the call; a lost capacity race becomes fresh alternatives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from common.errors import CapacityError, StoreUnavailableError
from dialogue.acts import ActKind
from dialogue.appointments import (
    booking_values,
    cancel_too_late,
    find_provider,
    list_times,
    plan_from_slots,
)
from dialogue.carecall import follow_up_reasons
from dialogue.events import ActionExecuted, Awaiting, BookingLoaded, CallEnded, SlotSet, TaskEnded
from dialogue.forms import ask_next, validate
from dialogue.ports import BookingRecord, BookingRequest
from dialogue.restaurant import capacity_rule, start_of
from dialogue.state import AwaitKind
from dialogue.turn import Turn

__all__ = [
    "ACTIONS",
    "INFO_ACTIONS",
    "end_with_apology",
    "lookup_booking",
    "record_carecall",
    "run_action",
]


def _booking_values(record: BookingRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "date": record.start.date(),
        "time": record.start.time(),
        "start": record.start,
        "party_size": record.party_size,
        "seating": record.seating,
        "name": record.name,
        "phone": record.phone,
    }


def end_with_apology(turn: Turn, reason: str) -> None:
    """Apologise for a backend failure and end the call; nothing was half-written."""
    turn.emit(ActionExecuted(name="backend_failure", result={"reason": reason}))
    turn.say(ActKind.BYE, "store_down")
    turn.emit(CallEnded(outcome="failed"))


def _finish_task(turn: Turn, outcome: str) -> None:
    state = turn.tracker.state
    if state.task:
        turn.emit(TaskEnded(task=state.task, outcome=outcome))
    turn.emit(Awaiting(kind=AwaitKind.ANYTHING_ELSE))
    turn.say(ActKind.REQUEST, "anything_else")


def lookup_booking(turn: Turn, phone: str) -> None:
    """Find the caller's next booking by phone for a change or cancellation."""
    sc, ctx = turn.scenario, turn.ctx
    business = sc.business
    if ctx.bookings is None or business is None:
        raise RuntimeError("booking_by_phone needs a booking backend and a venue or booking")
    found = ctx.bookings.find_by_phone(business.id, phone, ctx.now)
    if not found:
        turn.emit(BookingLoaded(booking=None))
        turn.say(ActKind.INFORM, "booking_not_found")
        _finish_task(turn, "not_found")
        return
    values = booking_values(sc, found[0]) if sc.booking else _booking_values(found[0])
    late = cancel_too_late(sc, found[0].start, ctx.now)
    if late is not None:  # too close to the start to change or cancel by phone
        turn.emit(BookingLoaded(booking=None))
        turn.say(ActKind.INFORM, "booking_found", **values)
        turn.say(ActKind.INFORM, late.template, **late.values)
        _finish_task(turn, "too_late")
        return
    turn.emit(BookingLoaded(booking=values))
    task = sc.tasks[turn.tracker.state.task or ""]
    for name in task.slots:
        turn.emit(SlotSet(name=name, value=values[name]))
    turn.say(ActKind.INFORM, "booking_found", **values)


def run_action(turn: Turn, name: str) -> None:
    """Run the action of the active task after its confirmation.

    The names are those of :data:`scenarios.capabilities.ACTIONS`; the loader rejects any other, and
    checks the slots, templates and venue each needs.
    """
    run = ACTIONS.get(name)
    if run is None:
        raise RuntimeError(f"unknown action {name!r}")  # only a scenario built in code gets here
    try:
        run(turn)
    except StoreUnavailableError as e:
        end_with_apology(turn, str(e))


def _done(turn: Turn) -> str:
    """The template that says the active task's action is done (``done_<task>``)."""
    return f"done_{turn.tracker.state.task}"


def _request(turn: Turn) -> BookingRequest:
    s = turn.tracker.state.slots
    booking = turn.tracker.state.booking or {}
    return BookingRequest(
        venue=turn.scenario.venue.id if turn.scenario.venue else turn.scenario.id,
        start=start_of(s),
        party_size=int(s["party_size"]),
        seating=str(s["seating"]),
        name=str(s.get("name") or booking.get("name") or ""),
        phone=str(s.get("phone") or booking.get("phone") or ""),
        call_id=turn.ctx.call_id,
    )


def _lost_race(turn: Turn) -> None:
    """Capacity went between the check and the write: validate again to offer alternatives."""
    turn.emit(ActionExecuted(name="capacity_race", result={}))
    if validate(turn):
        ask_next(turn)


def _book_plan(turn: Turn, name: str) -> None:
    """Any business: book (or move) the plan the slots describe, holding all its resources."""
    sc, ctx = turn.scenario, turn.ctx
    assert ctx.bookings is not None
    booking = turn.tracker.state.booking
    replaces = int(booking["id"]) if name == "change_booking" and booking else None
    try:
        record = ctx.bookings.book(plan_from_slots(turn), replaces=replaces)
    except CapacityError:
        _lost_race(turn)
        return
    values = booking_values(sc, record)
    turn.emit(ActionExecuted(name=name, result=values))
    turn.say(ActKind.ACK, _done(turn), **values)
    _finish_task(turn, "done")


def _create(turn: Turn) -> None:
    if turn.scenario.booking is not None:
        _book_plan(turn, "create_booking")
        return
    assert turn.ctx.bookings is not None and turn.scenario.venue is not None
    request = _request(turn)
    try:
        record = turn.ctx.bookings.create(capacity_rule(turn.scenario.venue), request)
    except CapacityError:
        _lost_race(turn)
        return
    turn.emit(ActionExecuted(name="create_booking", result=_booking_values(record)))
    turn.say(ActKind.ACK, _done(turn), **_booking_values(record))
    _finish_task(turn, "done")


def _change(turn: Turn) -> None:
    if turn.scenario.booking is not None:
        _book_plan(turn, "change_booking")
        return
    assert turn.ctx.bookings is not None and turn.scenario.venue is not None
    booking = turn.tracker.state.booking
    assert booking is not None
    try:
        record = turn.ctx.bookings.change(
            capacity_rule(turn.scenario.venue), int(booking["id"]), _request(turn)
        )
    except CapacityError:
        _lost_race(turn)
        return
    turn.emit(ActionExecuted(name="change_booking", result=_booking_values(record)))
    turn.say(ActKind.ACK, _done(turn), **_booking_values(record))
    _finish_task(turn, "done")


def _cancel(turn: Turn) -> None:
    assert turn.ctx.bookings is not None
    booking = turn.tracker.state.booking
    assert booking is not None
    record = turn.ctx.bookings.cancel(int(booking["id"]))
    values = booking_values(turn.scenario, record) if turn.scenario.booking else None
    values = values or _booking_values(record)
    turn.emit(ActionExecuted(name="cancel_booking", result=values))
    turn.say(ActKind.ACK, _done(turn), **values)
    _finish_task(turn, "done")


def record_carecall(turn: Turn, *, complete: bool) -> list[str]:
    """Store the care-call answers (partial ones too) and raise a flag when a rule says so."""
    state, sc, ctx = turn.tracker.state, turn.scenario, turn.ctx
    task = sc.tasks[sc.start_task] if sc.start_task else None
    answers = {k: v for k, v in state.slots.items() if task is None or k in task.slots}
    reasons = follow_up_reasons(sc, answers, state.unintelligible, complete)
    person = ctx.person or sc.sample_person or "unknown"
    if ctx.carecall is not None:
        ctx.carecall.record_answers(ctx.call_id, sc.id, person, answers)
        if reasons:
            ctx.carecall.raise_flag(ctx.call_id, sc.id, person, reasons)
    turn.emit(
        ActionExecuted(
            name="record_carecall",
            result={"answers": answers, "flags": reasons, "complete": complete},
        )
    )
    return reasons


def _record_complete(turn: Turn) -> None:
    record_carecall(turn, complete=True)


def _list_times(turn: Turn) -> None:
    """As a form's action (the policy runs it with what the caller said: ``INFO_ACTIONS``)."""
    list_times(turn, "", {})


def _find_provider(turn: Turn) -> None:
    find_provider(turn, "", {})


#: The action a task names (``action:``), bound to the function that runs it.
ACTIONS: dict[str, Callable[[Turn], None]] = {
    "create_booking": _create,
    "change_booking": _change,
    "cancel_booking": _cancel,
    "list_times": _list_times,
    "find_provider": _find_provider,
    "record_carecall": _record_complete,
}

#: Actions that answer a question from the booking data, run with the caller's words and the
#: values said: ``action(turn, text, values)``; then the pending question is asked again.
INFO_ACTIONS: dict[str, Callable[[Turn, str, dict[str, Any]], None]] = {
    "list_times": list_times,
    "find_provider": find_provider,
}


def booking_as_dict(record: BookingRecord) -> dict[str, Any]:
    """A booking as plain values (for JSON listings)."""
    return asdict(record)
