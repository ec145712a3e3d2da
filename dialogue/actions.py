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
from dialogue.carecall import follow_up_reasons
from dialogue.events import ActionExecuted, Awaiting, BookingLoaded, CallEnded, SlotSet, TaskEnded
from dialogue.forms import ask_next, validate
from dialogue.ports import BookingRecord, BookingRequest
from dialogue.restaurant import capacity_rule, start_of
from dialogue.state import AwaitKind
from dialogue.turn import Turn

__all__ = ["ACTIONS", "end_with_apology", "lookup_booking", "record_carecall", "run_action"]


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
    if ctx.bookings is None or sc.venue is None:
        raise RuntimeError("booking_by_phone needs a booking backend and a venue")
    found = ctx.bookings.find_by_phone(sc.venue.id, phone, ctx.now)
    if not found:
        turn.emit(BookingLoaded(booking=None))
        turn.say(ActKind.INFORM, "booking_not_found")
        _finish_task(turn, "not_found")
        return
    values = _booking_values(found[0])
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


def _create(turn: Turn) -> None:
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
    turn.emit(ActionExecuted(name="cancel_booking", result=_booking_values(record)))
    turn.say(ActKind.ACK, _done(turn), **_booking_values(record))
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


#: The action a task names (``action:``), bound to the function that runs it.
ACTIONS: dict[str, Callable[[Turn], None]] = {
    "create_booking": _create,
    "change_booking": _change,
    "cancel_booking": _cancel,
    "record_carecall": _record_complete,
}


def booking_as_dict(record: BookingRecord) -> dict[str, Any]:
    """A booking as plain values (for JSON listings)."""
    return asdict(record)
