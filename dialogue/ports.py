"""What the dialogue needs from the outside world, as protocols (storage implements them).

The dialogue package stays pure: it never imports SQLAlchemy. ``agent.store`` implements these
protocols over a real database; unit tests of the policy use ``tests/fakes``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

__all__ = [
    "BookingBackend",
    "BookingPlan",
    "BookingRecord",
    "BookingRequest",
    "CapacityRule",
    "CareCallRecorder",
    "Hold",
    "HoldRequest",
]


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
    service: str | None = None
    provider: str | None = None
    resources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hold:
    """A resource held by an active booking, from ``start`` until ``end`` (buffer included)."""

    booking_id: int
    resource: str
    start: datetime
    end: datetime
    units: int


@dataclass(frozen=True)
class HoldRequest:
    """A resource a new booking holds, with the resource's capacity (units at once)."""

    resource: str
    units: int
    capacity: int


@dataclass(frozen=True)
class BookingPlan:
    """A booking of any business: one service, the resources it holds, for how long.

    Attributes:
        venue: the business's id (bookings of different businesses never interact).
        start, end: the service's time (venue local, naive).
        hold_until: the end of the holds (``end`` plus the buffer).
        service: the service key; provider: the resource chosen as provider (or None).
        holds: every resource held, each with units and capacity.
        party_size: people in the booking (1 for a person's appointment).
    """

    venue: str
    start: datetime
    end: datetime
    hold_until: datetime
    service: str
    provider: str | None
    holds: tuple[HoldRequest, ...]
    party_size: int
    name: str
    phone: str
    call_id: str | None = None


class BookingBackend(Protocol):
    """Bookings with capacity that is never exceeded, even by concurrent calls.

    ``seats_left``/``create``/``change`` serve a restaurant's seating (:class:`CapacityRule`);
    ``holds``/``book`` serve any business (:class:`BookingPlan`: every resource it holds).
    """

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

    def holds(
        self, venue: str, resources: Sequence[str], start: datetime, end: datetime
    ) -> Sequence[Hold]:
        """Holds of active bookings on ``resources`` that overlap [start, end)."""
        ...

    def book(self, plan: BookingPlan, replaces: int | None = None) -> BookingRecord:
        """Create (or, with ``replaces``, move) a booking holding every resource of ``plan``.

        Atomic: raise ``CapacityError`` when any held resource would exceed its capacity at
        some instant (the replaced booking's own holds count as free); nothing is written then.
        """
        ...

    def last_provider(self, venue: str, phone: str) -> str | None:
        """The provider of ``phone``'s most recent booking at ``venue`` (any status), or None."""
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
