"""What the store redacts before writing, and the values of a call that must survive it.

Every text the store writes for a call — the tracker's event payloads (``call_events``), the
voice turns' words (``voice_turns``), failure reasons — goes through :func:`common.pii.redact`
first. What the call legitimately collected stays: the numbers the dialogue set as slot values
(the booking's phone), the phone of a booking it loaded, and the call's own caller and callee
numbers (already stored in ``calls``). docs/privacy.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.store.db import Database
from agent.store.models import CallEvent, CallRow
from common.pii import redact, redact_json

__all__ = [
    "KEEP_EVENT_TYPES",
    "collected_values",
    "collected_values_of",
    "redact_payload",
    "redact_text",
]

#: Event types whose values the dialogue collected on purpose ("slot": SlotSet, "booking":
#: BookingLoaded).
KEEP_EVENT_TYPES = ("slot", "booking")


def _numbers(value: Any) -> Iterable[str]:
    """The strings with digits inside a JSON value (slot values, a booking's phone)."""
    if isinstance(value, str):
        if sum(ch.isdigit() for ch in value) >= 7:
            yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _numbers(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _numbers(v)


def event_values(event_type: str, payload: Mapping[str, Any]) -> list[str]:
    """The collected values an event carries (none unless it sets a slot or loads a booking)."""
    if event_type == "slot":
        return list(_numbers(payload.get("value")))
    if event_type == "booking":
        booking = payload.get("booking")
        return list(_numbers(booking.get("phone"))) if isinstance(booking, Mapping) else []
    return []


def collected_values(
    session: Session, call_id: str, batch: Iterable[tuple[str, Mapping[str, Any]]] = ()
) -> tuple[str, ...]:
    """What call ``call_id`` collected on purpose: its numbers, its slots' and booking's phones.

    Args:
        session: an open session of the store.
        call_id: the call.
        batch: (type, payload) of events about to be stored with these.
    """
    keep: list[str] = []
    row = session.get(CallRow, call_id)
    if row is not None:
        keep.extend(v for v in (row.caller, row.callee) if v)
    query = select(CallEvent.type, CallEvent.payload).where(
        CallEvent.call_id == call_id, CallEvent.type.in_(KEEP_EVENT_TYPES)
    )
    for event_type, payload in [*((r[0], r[1]) for r in session.execute(query)), *batch]:
        if isinstance(payload, Mapping):
            keep.extend(event_values(event_type, payload))
    return tuple(dict.fromkeys(keep))


def collected_values_of(db: Database, call_id: str) -> tuple[str, ...]:
    """:func:`collected_values` of a stored call, in a session of its own."""
    with db.session() as session:
        return collected_values(session, call_id)


def redact_payload(payload: dict[str, Any], keep: Iterable[str]) -> dict[str, Any]:
    """An event payload with personal numbers masked in every string (``keep`` survives)."""
    redacted = redact_json(payload, keep=tuple(keep))
    assert isinstance(redacted, dict)
    return redacted


def redact_text(text: str | None, keep: Iterable[str]) -> str | None:
    """``text`` with personal numbers masked (``None`` stays ``None``)."""
    return None if text is None else redact(text, keep=tuple(keep))
