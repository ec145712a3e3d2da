"""What the dialogue needs from the outside world, as protocols (storage implements them).

The dialogue package stays pure: it never imports SQLAlchemy. ``agent.store`` implements these
protocols over a real database; unit tests of the policy use ``tests/fakes``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

__all__ = ["BookingBackend", "BookingRecord", "BookingRequest", "CareCallRecorder", "CapacityRule"]


@dataclass(frozen=True)
class CapacityRule:
    """How much a venue can seat.

    Attributes:
        venue: scenario id of the venue (bookings of different venues never interact).
        seats: guests per seating area at one time, e.g. ``{"room": 12, "hall": 40}``.
        duration_minutes: how long one booking occupies its seats.
    """

    venue: str
    seats: Mapping[str, int]
    duration_minutes: int = 90


@dataclass(frozen=True)
class BookingRequest:
    """A booking to create or a change to apply."""

    venue: str
    start: datetime
    party_size: int
    seating: str
    name: str
    phone: str
    call_id: str | None = None


@dataclass(frozen=True)
class BookingRecord:
    """A stored booking."""

    id: int
    venue: str
    start: datetime
    party_size: int
    seating: str
    name: str
    phone: str
    status: str  # "active" | "cancelled"


class BookingBackend(Protocol):
    """Bookings with capacity that is never exceeded, even by concurrent calls."""

    def seats_left(self, rule: CapacityRule, seating: str, start: datetime) -> int:
        """Seats still free in ``seating`` for a booking starting at ``start``."""
        ...

    def create(self, rule: CapacityRule, request: BookingRequest) -> BookingRecord:
        """Create atomically; raise ``CapacityError`` when it would exceed capacity."""
        ...

    def change(self, rule: CapacityRule, booking_id: int, request: BookingRequest) -> BookingRecord:
        """Replace a booking's details atomically (its own seats count as free)."""
        ...

    def cancel(self, booking_id: int) -> BookingRecord:
        """Mark a booking cancelled."""
        ...

    def find_by_phone(self, venue: str, phone: str, after: datetime) -> Sequence[BookingRecord]:
        """Active bookings of ``phone`` at ``venue`` starting at or after ``after``, soonest first."""
        ...


class CareCallRecorder(Protocol):
    """Stores care-call answers and follow-up flags."""

    def record_answers(
        self, call_id: str, scenario_id: str, person: str, answers: Mapping[str, Any]
    ) -> None:
        """Store (or replace) the structured answers of one care call."""
        ...

    def raise_flag(
        self, call_id: str, scenario_id: str, person: str, reasons: Sequence[str]
    ) -> None:
        """Flag ``person`` for human follow-up with the reasons."""
        ...
