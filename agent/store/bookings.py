"""Bookings with a capacity that is never exceeded, even by concurrent calls.

A booking occupies its seating from ``start`` to ``start + rule.duration_minutes`` (venue local
time, naive). A seating's capacity is the number of guests that may be seated at any one instant,
so a new booking fits when the busiest instant of its interval, counting the bookings already
there, still has room for the party.

Check-then-insert is made atomic per backend:

* **PostgreSQL**: the transaction first locks one ``capacity_locks`` row per (venue, local day,
  seating) that the booking's interval touches (created with ``INSERT ... ON CONFLICT DO
  NOTHING``, then ``SELECT ... FOR UPDATE``, in a fixed order so transactions never deadlock).
  Two bookings that overlap in time share at least one day, hence one lock; the second waits
  (at most the database's ``lock_timeout``) and then counts the first one's committed rows.
* **SQLite**: the write transaction begins with ``BEGIN IMMEDIATE`` (see
  :meth:`agent.store.db.Database.transaction`), so it owns the database's single write lock from
  its first read until it commits.

A booking of any business (:meth:`SqlBookingBackend.book`, a :class:`~dialogue.ports.BookingPlan`)
holds several resources (a doctor and a room; a stylist; a seating area's seats): one
``booking_holds`` row each, until the end of the service plus its buffer, and one
``booking_details`` row with its service and provider. The same guarantee covers every held
resource: on PostgreSQL the ``capacity_locks`` rows of every (venue, day, resource) are locked
in one sorted order before counting; on SQLite ``BEGIN IMMEDIATE`` serialises the writers.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from agent.store.db import Database
from agent.store.models import Booking, BookingDetail, BookingHold, CapacityLock, utcnow
from common.errors import CapacityError, InputError
from dialogue.ports import (
    BookingBackend,
    BookingPlan,
    BookingRecord,
    BookingRequest,
    CapacityRule,
    Hold,
)

__all__ = ["SqlBookingBackend"]

ACTIVE = "active"
CANCELLED = "cancelled"


class SqlBookingBackend:
    """Implements :class:`dialogue.ports.BookingBackend` over a :class:`Database`.

    Booking times are the venue's local time and must be naive datetimes.

    Args:
        db: the shared database handle.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def seats_left(self, rule: CapacityRule, seating: str, start: datetime) -> int:
        """Seats still free in ``seating`` for a booking starting at ``start``.

        Args:
            rule: the venue's capacity rule.
            seating: a key of ``rule.seats``.
            start: venue local time (naive).

        Returns:
            Guests that could still be seated for the whole of ``rule.duration_minutes``
            (never below zero). A hint only: ``create`` checks again under a lock.

        Raises:
            InputError: unknown seating, aware datetime or bad rule.
            StoreUnavailableError: the database failed.
        """
        capacity = _capacity(rule, seating)
        _check_naive(start)
        end = start + _duration(rule)
        with self._db.session() as session:
            peak = _peak(session, rule.venue, seating, start, end)
        return max(0, capacity - peak)

    def create(self, rule: CapacityRule, request: BookingRequest) -> BookingRecord:
        """Create a booking atomically.

        Args:
            rule: the venue's capacity rule (``rule.venue`` must be ``request.venue``).
            request: what to book.

        Returns:
            The stored booking.

        Raises:
            CapacityError: the party does not fit at that time; nothing was written.
            InputError: the request is invalid (unknown seating, party size below 1, ...).
            StoreUnavailableError: the database failed; nothing was written.
        """
        capacity = _validate(rule, request)
        end = request.start + _duration(rule)
        with self._db.transaction() as session:
            self._lock_slot(session, request.venue, request.seating, request.start, end)
            _ensure_room(session, capacity, request, end, exclude_id=None)
            now = utcnow()
            row = Booking(
                venue=request.venue,
                start=request.start,
                end=end,
                party_size=request.party_size,
                seating=request.seating,
                name=request.name,
                phone=request.phone,
                status=ACTIVE,
                call_id=request.call_id,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            return _record(row)

    def change(self, rule: CapacityRule, booking_id: int, request: BookingRequest) -> BookingRecord:
        """Replace a booking's details atomically; its own seats count as free.

        Args:
            rule: the venue's capacity rule.
            booking_id: the active booking to change (same venue as ``request``).
            request: the new details (time, party, seating, name, phone).

        Returns:
            The changed booking (same id).

        Raises:
            CapacityError: the new details do not fit; the booking is unchanged.
            InputError: no such active booking at that venue, or the request is invalid.
            StoreUnavailableError: the database failed; the booking is unchanged.
        """
        capacity = _validate(rule, request)
        end = request.start + _duration(rule)
        with self._db.transaction() as session:
            # Slot locks first, booking row second: the same order as every other writer.
            self._lock_slot(session, request.venue, request.seating, request.start, end)
            row = self._get_for_update(session, booking_id)
            if row.venue != request.venue:
                raise InputError(f"booking {booking_id} is at {row.venue!r}, not {request.venue!r}")
            if row.status != ACTIVE:
                raise InputError(f"booking {booking_id} is cancelled and cannot be changed")
            _ensure_room(session, capacity, request, end, exclude_id=booking_id)
            row.start = request.start
            row.end = end
            row.party_size = request.party_size
            row.seating = request.seating
            row.name = request.name
            row.phone = request.phone
            if request.call_id is not None:
                row.call_id = request.call_id
            row.updated_at = utcnow()
            session.flush()
            return _record(row)

    def cancel(self, booking_id: int) -> BookingRecord:
        """Mark a booking cancelled (cancelling a cancelled booking changes nothing).

        Args:
            booking_id: the booking to cancel.

        Returns:
            The cancelled booking.

        Raises:
            InputError: no booking has that id.
            StoreUnavailableError: the database failed.
        """
        with self._db.transaction() as session:
            row = self._get_for_update(session, booking_id)
            if row.status != CANCELLED:
                row.status = CANCELLED
                row.updated_at = utcnow()
                session.flush()
            return _record(row, session)

    def get(self, booking_id: int) -> BookingRecord | None:
        """The booking with that id, active or cancelled, or ``None``.

        Raises:
            StoreUnavailableError: the database failed.
        """
        with self._db.session() as session:
            row = session.get(Booking, booking_id)
            return None if row is None else _record(row, session)

    def find_by_phone(self, venue: str, phone: str, after: datetime) -> Sequence[BookingRecord]:
        """Active bookings of ``phone`` at ``venue`` starting at or after ``after``, soonest first.

        ``phone`` is compared exactly: pass it normalised the way it was stored.

        Raises:
            InputError: ``after`` is timezone-aware.
            StoreUnavailableError: the database failed.
        """
        _check_naive(after)
        query = (
            select(Booking)
            .where(
                Booking.venue == venue,
                Booking.phone == phone,
                Booking.status == ACTIVE,
                Booking.start >= after,
            )
            .order_by(Booking.start, Booking.id)
        )
        with self._db.session() as session:
            return [_record(row, session) for row in session.scalars(query)]

    def list(
        self, venue: str | None = None, include_cancelled: bool = False
    ) -> Sequence[BookingRecord]:
        """Bookings, by start time then id.

        Args:
            venue: only this venue's bookings; all venues when ``None``.
            include_cancelled: include cancelled bookings too.

        Raises:
            StoreUnavailableError: the database failed.
        """
        query = select(Booking).order_by(Booking.start, Booking.id)
        if venue is not None:
            query = query.where(Booking.venue == venue)
        if not include_cancelled:
            query = query.where(Booking.status == ACTIVE)
        with self._db.session() as session:
            return [_record(row, session) for row in session.scalars(query)]

    def holds(
        self, venue: str, resources: Sequence[str], start: datetime, end: datetime
    ) -> Sequence[Hold]:
        """Holds of active bookings on ``resources`` at ``venue`` that overlap [start, end).

        Raises:
            InputError: an aware datetime.
            StoreUnavailableError: the database failed.
        """
        _check_naive(start)
        _check_naive(end)
        with self._db.session() as session:
            return _holds(session, venue, list(resources), start, end, exclude_id=None)

    def book(self, plan: BookingPlan, replaces: int | None = None) -> BookingRecord:
        """Create a booking holding every resource of ``plan`` (or move booking ``replaces``).

        Args:
            plan: the service, its time, and each resource it holds with units and capacity.
            replaces: an active booking of the same venue to change into ``plan`` (same id;
                its own holds count as free).

        Returns:
            The stored booking, with its service, provider and held resources.

        Raises:
            CapacityError: a held resource would exceed its capacity; nothing was written.
            InputError: the plan is invalid, or ``replaces`` is no active booking there.
            StoreUnavailableError: the database failed; nothing was written.
        """
        _validate_plan(plan)
        with self._db.transaction() as session:
            for resource in sorted({h.resource for h in plan.holds}):
                self._lock_slot(session, plan.venue, resource, plan.start, plan.hold_until)
            row: Booking | None = None
            if replaces is not None:
                row = self._get_for_update(session, replaces)
                if row.venue != plan.venue:
                    raise InputError(f"booking {replaces} is at {row.venue!r}, not {plan.venue!r}")
                if row.status != ACTIVE:
                    raise InputError(f"booking {replaces} is cancelled and cannot be changed")
            taken = _holds(
                session,
                plan.venue,
                [h.resource for h in plan.holds],
                plan.start,
                plan.hold_until,
                exclude_id=replaces,
            )
            for want in plan.holds:
                mine = [h for h in taken if h.resource == want.resource]
                instants = {plan.start} | {h.start for h in mine if h.start > plan.start}
                peak = max(
                    (sum(h.units for h in mine if h.start <= t < h.end) for t in instants),
                    default=0,
                )
                if peak + want.units > want.capacity:
                    raise CapacityError(
                        f"{want.resource!r} at {plan.venue!r} is taken on "
                        f"{plan.start:%Y-%m-%d %H:%M}: {max(0, want.capacity - peak)} of "
                        f"{want.capacity} free, {want.units} needed"
                    )
            now = utcnow()
            if row is None:
                row = Booking(venue=plan.venue, status=ACTIVE, created_at=now)
                session.add(row)
            row.start = plan.start
            row.end = plan.end
            row.party_size = plan.party_size
            row.seating = plan.provider or ""
            row.name = plan.name
            row.phone = plan.phone
            if plan.call_id is not None or replaces is None:
                row.call_id = plan.call_id
            row.updated_at = now
            session.flush()
            session.execute(delete(BookingHold).where(BookingHold.booking_id == row.id))
            detail = session.get(BookingDetail, row.id)
            if detail is None:
                session.add(
                    BookingDetail(booking_id=row.id, service=plan.service, provider=plan.provider)
                )
            else:
                detail.service, detail.provider = plan.service, plan.provider
            for want in plan.holds:
                session.add(
                    BookingHold(
                        booking_id=row.id,
                        venue=plan.venue,
                        resource=want.resource,
                        start=plan.start,
                        end=plan.hold_until,
                        units=want.units,
                    )
                )
            session.flush()
            return _record(row, session)

    def last_provider(self, venue: str, phone: str) -> str | None:
        """The provider of ``phone``'s most recent booking at ``venue`` (by start), or None.

        Cancelled bookings count too: the caller still saw (or chose) that person.

        Raises:
            StoreUnavailableError: the database failed.
        """
        query = (
            select(BookingDetail.provider)
            .join(Booking, Booking.id == BookingDetail.booking_id)
            .where(
                Booking.venue == venue,
                Booking.phone == phone,
                BookingDetail.provider.is_not(None),
            )
            .order_by(Booking.start.desc(), Booking.id.desc())
            .limit(1)
        )
        with self._db.session() as session:
            return session.scalars(query).first()

    def _lock_slot(
        self, session: Session, venue: str, seating: str, start: datetime, end: datetime
    ) -> None:
        """PostgreSQL: lock every (venue, day, seating) row the interval touches, in order."""
        if self._db.dialect != "postgresql":
            return  # SQLite: BEGIN IMMEDIATE already holds the only write lock.
        for day in _days(start, end):
            session.execute(
                pg_insert(CapacityLock)
                .values(venue=venue, day=day, seating=seating)
                .on_conflict_do_nothing()
            )
            session.execute(
                select(CapacityLock.venue)
                .where(
                    CapacityLock.venue == venue,
                    CapacityLock.day == day,
                    CapacityLock.seating == seating,
                )
                .with_for_update()
            )

    def _get_for_update(self, session: Session, booking_id: int) -> Booking:
        row = session.get(Booking, booking_id, with_for_update=self._db.dialect == "postgresql")
        if row is None:
            raise InputError(f"no booking with id {booking_id}")
        return row


def _validate(rule: CapacityRule, request: BookingRequest) -> int:
    """Check a request against its rule; return the seating's capacity."""
    if rule.venue != request.venue:
        raise InputError(f"capacity rule of {rule.venue!r} used for a booking at {request.venue!r}")
    capacity = _capacity(rule, request.seating)
    if request.party_size < 1:
        raise InputError(f"party size must be at least 1, got {request.party_size}")
    _check_naive(request.start)
    return capacity


def _capacity(rule: CapacityRule, seating: str) -> int:
    try:
        return rule.seats[seating]
    except KeyError:
        known = ", ".join(sorted(rule.seats)) or "none"
        raise InputError(
            f"unknown seating {seating!r} at {rule.venue!r} (known: {known})"
        ) from None


def _duration(rule: CapacityRule) -> timedelta:
    if rule.duration_minutes <= 0:
        raise InputError(f"duration_minutes must be positive, got {rule.duration_minutes}")
    return timedelta(minutes=rule.duration_minutes)


def _check_naive(when: datetime) -> None:
    if when.tzinfo is not None:
        raise InputError(
            f"booking times are the venue's local wall-clock time and must be naive, got {when}"
        )


def _days(start: datetime, end: datetime) -> builtins.list[date]:
    """Local days the half-open interval [start, end) touches, in order."""
    last = (end - timedelta(microseconds=1)).date()
    day = start.date()
    days = [day]
    while day < last:
        day += timedelta(days=1)
        days.append(day)
    return days


def _peak(
    session: Session,
    venue: str,
    seating: str,
    start: datetime,
    end: datetime,
    exclude_id: int | None = None,
) -> int:
    """Most guests seated at any instant of [start, end) by the active bookings there."""
    query = select(Booking.start, Booking.end, Booking.party_size).where(
        Booking.venue == venue,
        Booking.seating == seating,
        Booking.status == ACTIVE,
        Booking.start < end,
        Booking.end > start,
    )
    if exclude_id is not None:
        query = query.where(Booking.id != exclude_id)
    intervals = [(row.start, row.end, row.party_size) for row in session.execute(query)]
    # Occupancy only rises when a booking starts, so the peak is at `start` or at a later start.
    instants = {start} | {s for s, _, _ in intervals if s > start}
    return max(
        (sum(size for s, e, size in intervals if s <= t < e) for t in instants),
        default=0,
    )


def _ensure_room(
    session: Session,
    capacity: int,
    request: BookingRequest,
    end: datetime,
    *,
    exclude_id: int | None,
) -> None:
    peak = _peak(session, request.venue, request.seating, request.start, end, exclude_id)
    left = max(0, capacity - peak)
    if request.party_size > left:
        raise CapacityError(
            f"no room for {request.party_size} in {request.seating!r} at {request.venue!r} "
            f"on {request.start:%Y-%m-%d %H:%M}: {left} of {capacity} seats left"
        )


def _record(row: Booking, session: Session | None = None) -> BookingRecord:
    service: str | None = None
    provider: str | None = None
    resources: tuple[str, ...] = ()
    if session is not None:
        detail = session.get(BookingDetail, row.id)
        if detail is not None:
            service, provider = detail.service, detail.provider
            resources = tuple(
                session.scalars(
                    select(BookingHold.resource)
                    .where(BookingHold.booking_id == row.id)
                    .order_by(BookingHold.id)
                )
            )
    return BookingRecord(
        id=row.id,
        venue=row.venue,
        start=row.start,
        party_size=row.party_size,
        seating=row.seating,
        name=row.name,
        phone=row.phone,
        status=row.status,
        service=service,
        provider=provider,
        resources=resources,
    )


def _validate_plan(plan: BookingPlan) -> None:
    _check_naive(plan.start)
    _check_naive(plan.hold_until)
    if not plan.start < plan.end <= plan.hold_until:
        raise InputError(f"a booking must end after it starts: {plan.start} .. {plan.end}")
    if plan.party_size < 1:
        raise InputError(f"party size must be at least 1, got {plan.party_size}")
    for want in plan.holds:
        if want.units < 1 or want.capacity < 1:
            raise InputError(f"{want.resource!r}: units and capacity must be positive")


def _holds(
    session: Session,
    venue: str,
    resources: builtins.list[str],
    start: datetime,
    end: datetime,
    *,
    exclude_id: int | None,
) -> builtins.list[Hold]:
    """Holds of active bookings on ``resources`` overlapping [start, end)."""
    if not resources:
        return []
    query = (
        select(BookingHold)
        .join(Booking, Booking.id == BookingHold.booking_id)
        .where(
            BookingHold.venue == venue,
            BookingHold.resource.in_(resources),
            BookingHold.start < end,
            BookingHold.end > start,
            Booking.status == ACTIVE,
        )
        .order_by(BookingHold.start, BookingHold.id)
    )
    if exclude_id is not None:
        query = query.where(BookingHold.booking_id != exclude_id)
    return [
        Hold(booking_id=h.booking_id, resource=h.resource, start=h.start, end=h.end, units=h.units)
        for h in session.scalars(query)
    ]


if TYPE_CHECKING:  # mypy proves the class implements the dialogue's port

    def _conforms(db: Database) -> BookingBackend:
        return SqlBookingBackend(db)
