"""Bookings: create, capacity arithmetic, change, cancel, queries (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.store import Database, SqlBookingBackend
from common.errors import CapacityError, InputError
from dialogue.ports import BookingBackend, BookingRequest, CapacityRule

DAY = datetime(2030, 5, 17)


def at(hour: int, minute: int = 0, day: int = 17) -> datetime:
    return datetime(2030, 5, day, hour, minute)


def req(
    start: datetime,
    party: int,
    *,
    seating: str = "room",
    phone: str = "010-1111-2222",
    name: str = "Kim",
    venue: str = "bistro",
) -> BookingRequest:
    return BookingRequest(
        venue=venue, start=start, party_size=party, seating=seating, name=name, phone=phone
    )


@pytest.fixture
def backend(db: Database) -> BookingBackend:
    return SqlBookingBackend(db)


@pytest.fixture
def sql(db: Database) -> SqlBookingBackend:
    return SqlBookingBackend(db)


def test_create_returns_the_stored_booking(sql: SqlBookingBackend, rule: CapacityRule) -> None:
    booking = sql.create(rule, req(at(19), 4))
    assert booking.id > 0
    assert (booking.venue, booking.start, booking.party_size) == ("bistro", at(19), 4)
    assert (booking.seating, booking.name, booking.phone) == ("room", "Kim", "010-1111-2222")
    assert booking.status == "active"
    assert sql.get(booking.id) == booking
    assert sql.get(booking.id + 1000) is None


def test_seats_left_counts_overlapping_bookings(
    backend: BookingBackend, rule: CapacityRule
) -> None:
    assert backend.seats_left(rule, "room", at(19)) == 12
    backend.create(rule, req(at(18), 8))  # 18:00-19:30
    assert backend.seats_left(rule, "room", at(19)) == 4
    assert backend.seats_left(rule, "room", at(16, 31)) == 4  # 16:31-18:01 touches 18:00
    assert backend.seats_left(rule, "room", at(16, 30)) == 12  # ends exactly at 18:00
    assert backend.seats_left(rule, "room", at(19, 30)) == 12  # starts exactly at its end
    assert backend.seats_left(rule, "hall", at(19)) == 40  # seatings are independent


def test_capacity_is_the_busiest_instant_not_the_sum(
    backend: BookingBackend, rule: CapacityRule
) -> None:
    backend.create(rule, req(at(18), 8))  # 18:00-19:30
    backend.create(rule, req(at(19, 30), 8))  # 19:30-21:00, never together with the first
    # 19:00-20:30 overlaps both, but at most 8 guests are seated at any one instant.
    assert backend.seats_left(rule, "room", at(19)) == 4
    backend.create(rule, req(at(19), 4))
    with pytest.raises(CapacityError):
        backend.create(rule, req(at(19), 1))
    with pytest.raises(CapacityError):
        backend.create(rule, req(at(20), 1))  # 20:00 has 19:00's 4 and 19:30's 8


def test_full_seating_raises_capacity_error_and_writes_nothing(
    sql: SqlBookingBackend, rule: CapacityRule
) -> None:
    sql.create(rule, req(at(19), 10))
    with pytest.raises(CapacityError, match="2 of 12 seats left"):
        sql.create(rule, req(at(19), 3))
    with pytest.raises(CapacityError):
        sql.create(rule, req(at(19), 13, seating="room"))
    assert [b.party_size for b in sql.list()] == [10]


def test_bookings_across_midnight_share_capacity(
    backend: BookingBackend, rule: CapacityRule
) -> None:
    backend.create(rule, req(at(23, 30), 10))  # until 01:00 the next day
    assert backend.seats_left(rule, "room", at(0, 30, day=18)) == 2
    with pytest.raises(CapacityError):
        backend.create(rule, req(at(0, 30, day=18), 4))
    backend.create(rule, req(at(1, 0, day=18), 12))


def test_venues_are_independent(backend: BookingBackend, rule: CapacityRule) -> None:
    other = CapacityRule(venue="cafe", seats={"room": 12})
    backend.create(rule, req(at(19), 12))
    backend.create(other, req(at(19), 12, venue="cafe"))
    assert backend.seats_left(other, "room", at(19)) == 0


def test_cancel_frees_the_seats_and_is_idempotent(
    sql: SqlBookingBackend, rule: CapacityRule
) -> None:
    booking = sql.create(rule, req(at(19), 12))
    cancelled = sql.cancel(booking.id)
    assert cancelled.status == "cancelled"
    assert sql.cancel(booking.id) == cancelled
    assert sql.seats_left(rule, "room", at(19)) == 12
    sql.create(rule, req(at(19), 12))


def test_cancel_unknown_booking(backend: BookingBackend) -> None:
    with pytest.raises(InputError, match="no booking with id 999"):
        backend.cancel(999)


def test_change_counts_its_own_seats_as_free(sql: SqlBookingBackend, rule: CapacityRule) -> None:
    booking = sql.create(rule, req(at(19), 10))
    sql.create(rule, req(at(21), 2))
    changed = sql.change(rule, booking.id, req(at(19, 30), 10, name="Lee"))
    assert changed.id == booking.id
    assert (changed.start, changed.party_size, changed.name) == (at(19, 30), 10, "Lee")
    assert sql.seats_left(rule, "room", at(19)) == 2
    assert sql.seats_left(rule, "room", at(17, 30)) == 12  # the old slot is free


def test_change_that_does_not_fit_leaves_the_booking_unchanged(
    sql: SqlBookingBackend, rule: CapacityRule
) -> None:
    booking = sql.create(rule, req(at(19), 4))
    sql.create(rule, req(at(21), 10))
    with pytest.raises(CapacityError):
        sql.change(rule, booking.id, req(at(21), 4))
    assert sql.get(booking.id) == booking


def test_change_to_another_seating(sql: SqlBookingBackend, rule: CapacityRule) -> None:
    booking = sql.create(rule, req(at(19), 12))
    sql.change(rule, booking.id, req(at(19), 20, seating="hall"))
    assert sql.seats_left(rule, "room", at(19)) == 12
    assert sql.seats_left(rule, "hall", at(19)) == 20


def test_change_refuses_cancelled_unknown_and_foreign_bookings(
    sql: SqlBookingBackend, rule: CapacityRule
) -> None:
    booking = sql.create(rule, req(at(19), 2))
    other = CapacityRule(venue="cafe", seats={"room": 12})
    with pytest.raises(InputError, match="is at 'bistro'"):
        sql.change(other, booking.id, req(at(19), 2, venue="cafe"))
    with pytest.raises(InputError, match="no booking"):
        sql.change(rule, 999, req(at(19), 2))
    sql.cancel(booking.id)
    with pytest.raises(InputError, match="cancelled"):
        sql.change(rule, booking.id, req(at(20), 2))


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (req(at(19), 2, seating="terrace"), "unknown seating 'terrace'"),
        (req(at(19), 0), "party size"),
        (req(datetime(2030, 5, 17, 19, tzinfo=UTC), 2), "naive"),
        (req(at(19), 2, venue="cafe"), "capacity rule of 'bistro'"),
    ],
)
def test_invalid_requests(
    backend: BookingBackend, rule: CapacityRule, request_: BookingRequest, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        backend.create(rule, request_)


def test_invalid_rule(backend: BookingBackend) -> None:
    with pytest.raises(InputError, match="duration_minutes"):
        backend.create(CapacityRule("bistro", {"room": 4}, duration_minutes=0), req(at(19), 2))


def test_find_by_phone(backend: BookingBackend, rule: CapacityRule) -> None:
    later = backend.create(rule, req(at(20), 2))
    sooner = backend.create(rule, req(at(12), 2, seating="hall"))
    backend.create(rule, req(at(11), 2))  # before `after`
    gone = backend.create(rule, req(at(13), 2))
    backend.cancel(gone.id)
    backend.create(rule, req(at(14), 2, phone="010-9999-0000"))
    backend.create(CapacityRule("cafe", {"room": 4}), req(at(15), 2, venue="cafe"))
    found = backend.find_by_phone("bistro", "010-1111-2222", at(12))
    assert [b.id for b in found] == [sooner.id, later.id]
    assert backend.find_by_phone("bistro", "nobody", at(0)) == []


def test_list_filters(sql: SqlBookingBackend, rule: CapacityRule) -> None:
    a = sql.create(rule, req(at(20), 2))
    b = sql.create(rule, req(at(18), 2))
    c = sql.create(CapacityRule("cafe", {"room": 4}), req(at(19), 2, venue="cafe"))
    sql.cancel(a.id)
    assert [x.id for x in sql.list()] == [b.id, c.id]
    assert [x.id for x in sql.list(venue="bistro")] == [b.id]
    assert [x.id for x in sql.list(venue="bistro", include_cancelled=True)] == [b.id, a.id]
    assert [x.status for x in sql.list(include_cancelled=True)] == ["active", "active", "cancelled"]


def test_unicode_names_round_trip(sql: SqlBookingBackend, rule: CapacityRule) -> None:
    booking = sql.create(rule, req(at(19), 2, name="김민지"))
    assert sql.get(booking.id) is not None
    assert sql.list()[0].name == "김민지"
