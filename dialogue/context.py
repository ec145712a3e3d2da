"""What a policy turn may use besides the state: the scenario, the clock, the backends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
        person: the person a care call is for.
        bookings: the booking backend (restaurant scenarios).
        carecall: the care-call recorder (care-call scenarios).
    """

    scenario: Scenario
    call_id: str
    now: datetime
    caller: str | None = None
    person: str | None = None
    bookings: BookingBackend | None = None
    carecall: CareCallRecorder | None = None
