"""What a policy turn may use besides the state: the scenario, the clock, the backends."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from dialogue.memory import Recall
from dialogue.ports import BookingBackend, CareCallRecorder
from scenarios.schema import Scenario

__all__ = ["DialogueContext"]


@dataclass
class DialogueContext:
    """Per-call inputs of the policy.

    Attributes:
        scenario: the scenario of the call.
        call_id: the call's id (stored with bookings and answers).
        now: the venue's local time for this turn (naive).
        caller: the caller's number (caller ID), when known.
        person: the person a care call is for (the name said).
        person_id: who that person is for the memory between calls (a campaign's person id,
            else the number called, else the name).
        bookings: the booking backend (restaurant scenarios).
        carecall: the care-call recorder (care-call scenarios).
        recalls: the follow-ups this call asks, by follow-up slot (earlier answers referred
            back to, :func:`dialogue.memory.recalls`); a follow-up slot without one is skipped.
    """

    scenario: Scenario
    call_id: str
    now: datetime
    caller: str | None = None
    person: str | None = None
    bookings: BookingBackend | None = None
    carecall: CareCallRecorder | None = None
    person_id: str | None = None
    recalls: Mapping[str, Recall] = field(default_factory=dict)
