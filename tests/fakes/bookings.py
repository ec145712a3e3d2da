"""An in-memory :class:`dialogue.ports.BookingBackend` that keeps the capacity rule."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timedelta

from common.errors import CapacityError, InputError, StoreUnavailableError
from dialogue.ports import BookingPlan, BookingRecord, BookingRequest, CapacityRule, Hold

__all__ = ["FakeBookings"]


class FakeBookings:
    """Bookings in a list; capacity is checked like the real store does.

    Attributes:
        records: every booking made, cancelled ones too.
        steal_before_next_write: seats another caller takes just before the next create or
            change (a lost race, made deterministic).
        down: every call raises :class:`StoreUnavailableError`.
    """

    def __init__(self) -> None:
        self.records: list[BookingRecord] = []
        self.steal_before_next_write = 0
        self.down = False
        self._holds: list[Hold] = []

    def seats_left(self, rule: CapacityRule, seating: str, start: datetime) -> int:
        self._check()
        return rule.seats.get(seating, 0) - self._taken(rule, seating, start, exclude=None)

    def create(self, rule: CapacityRule, request: BookingRequest) -> BookingRecord:
        self._check()
        self._steal(rule, request)
        if self.seats_left(rule, request.seating, request.start) < request.party_size:
            raise CapacityError(f"no room in {request.seating} at {request.start}")
        record = BookingRecord(
            id=len(self.records) + 1,
            venue=request.venue,
            start=request.start,
            party_size=request.party_size,
            seating=request.seating,
            name=request.name,
            phone=request.phone,
            status="active",
        )
        self.records.append(record)
        return record

    def change(self, rule: CapacityRule, booking_id: int, request: BookingRequest) -> BookingRecord:
        self._check()
        self._steal(rule, request)
        old = self._get(booking_id)
        free = rule.seats.get(request.seating, 0) - self._taken(
            rule, request.seating, request.start, exclude=booking_id
        )
        if free < request.party_size:
            raise CapacityError(f"no room in {request.seating} at {request.start}")
        new = dataclasses.replace(
            old, start=request.start, party_size=request.party_size, seating=request.seating
        )
        self.records[self.records.index(old)] = new
        return new

    def cancel(self, booking_id: int) -> BookingRecord:
        self._check()
        old = self._get(booking_id)
        new = dataclasses.replace(old, status="cancelled")
        self.records[self.records.index(old)] = new
        return new

    def find_by_phone(self, venue: str, phone: str, after: datetime) -> Sequence[BookingRecord]:
        self._check()
        found = [
            r
            for r in self.records
            if r.venue == venue and r.phone == phone and r.status == "active" and r.start >= after
        ]
        return sorted(found, key=lambda r: (r.start, r.id))

    # -- any business (BookingPlan): holds kept beside the records ----------------------

    def holds(
        self, venue: str, resources: Sequence[str], start: datetime, end: datetime
    ) -> Sequence[Hold]:
        self._check()
        active = {r.id for r in self.records if r.status == "active" and r.venue == venue}
        return [
            h
            for h in self._holds
            if h.booking_id in active
            and h.resource in resources
            and h.start < end
            and h.end > start
        ]

    def book(self, plan: BookingPlan, replaces: int | None = None) -> BookingRecord:
        self._check()
        taken = [
            h
            for h in self.holds(
                plan.venue, [w.resource for w in plan.holds], plan.start, plan.hold_until
            )
            if h.booking_id != replaces
        ]
        for want in plan.holds:
            used = sum(h.units for h in taken if h.resource == want.resource)
            if used + want.units > want.capacity:  # simpler than the store: any overlap counts
                raise CapacityError(f"{want.resource} is taken at {plan.start}")
        record = BookingRecord(
            id=replaces or len(self.records) + 1,
            venue=plan.venue,
            start=plan.start,
            party_size=plan.party_size,
            seating=plan.provider or "",
            name=plan.name,
            phone=plan.phone,
            status="active",
            service=plan.service,
            provider=plan.provider,
            resources=tuple(w.resource for w in plan.holds),
        )
        if replaces is not None:
            old = self._get(replaces)
            self.records[self.records.index(old)] = record
            self._holds = [h for h in self._holds if h.booking_id != replaces]
        else:
            self.records.append(record)
        self._holds += [
            Hold(record.id, w.resource, plan.start, plan.hold_until, w.units) for w in plan.holds
        ]
        return record

    def last_provider(self, venue: str, phone: str) -> str | None:
        self._check()
        mine = [r for r in self.records if r.venue == venue and r.phone == phone and r.provider]
        return max(mine, key=lambda r: (r.start, r.id)).provider if mine else None

    def active(self) -> list[BookingRecord]:
        """The bookings not cancelled."""
        return [r for r in self.records if r.status == "active"]

    def _taken(self, rule: CapacityRule, seating: str, start: datetime, exclude: int | None) -> int:
        span = timedelta(minutes=rule.duration_minutes)
        return sum(
            r.party_size
            for r in self.records
            if r.status == "active"
            and r.seating == seating
            and r.id != exclude
            and r.start < start + span
            and start < r.start + span
        )

    def _steal(self, rule: CapacityRule, request: BookingRequest) -> None:
        if self.steal_before_next_write:
            seats, self.steal_before_next_write = self.steal_before_next_write, 0
            self.create(
                rule,
                dataclasses.replace(request, party_size=seats, name="other", phone="01000000000"),
            )

    def _get(self, booking_id: int) -> BookingRecord:
        for r in self.records:
            if r.id == booking_id:
                return r
        raise InputError(f"no booking {booking_id}")

    def _check(self) -> None:
        if self.down:
            raise StoreUnavailableError("fake store is down")
