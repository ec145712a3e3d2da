"""Bookings of any business hold several resources; no resource is ever double-booked.

Each test runs on a SQLite file and on the real PostgreSQL server the suite starts
(``tests/pg.py``). The concurrent tests release 12 threads at one instant on the same doctor (or
the same room through different doctors): exactly one booking wins, on either database.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine

from agent.store import Database, SqlBookingBackend
from agent.store.models import Base
from common.errors import CapacityError, InputError
from dialogue.ports import BookingPlan, BookingRecord, BookingRequest, CapacityRule, HoldRequest

pytestmark = pytest.mark.timeout(180)

TEN = datetime(2030, 5, 17, 10, 0)


def plan(
    provider: str | None,
    start: datetime = TEN,
    *,
    minutes: int = 30,
    buffer: int = 0,
    room: bool = False,
    units: int = 1,
    capacity: int = 1,
    phone: str = "01011112222",
    service: str = "consultation",
) -> BookingPlan:
    holds = [HoldRequest(provider, units, capacity)] if provider else []
    if room:
        holds.append(HoldRequest("room", 1, 1))
    end = start + timedelta(minutes=minutes)
    return BookingPlan(
        venue="clinic",
        start=start,
        end=end,
        hold_until=end + timedelta(minutes=buffer),
        service=service,
        provider=provider,
        holds=tuple(holds),
        party_size=units,
        name="Kim",
        phone=phone,
    )


def run_together(jobs: Sequence[Callable[[], Any]]) -> list[Any]:
    """Run jobs in threads released at the same instant; return results or exceptions."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def worker(i: int) -> None:
        barrier.wait(timeout=60)
        try:
            results[i] = jobs[i]()
        except Exception as e:  # collected and asserted by the test
            results[i] = e

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a booking thread hung"
    return results


def overlapping(records: Sequence[BookingRecord], resource: str, minutes: int = 30) -> int:
    """Independent check: most active bookings holding ``resource`` at one instant."""
    mine = [r for r in records if resource in r.resources and r.status == "active"]
    span = timedelta(minutes=minutes)
    return max(
        (sum(1 for b in mine if b.start <= a.start < b.start + span) for a in mine), default=0
    )


def test_a_booking_records_its_service_provider_and_held_resources(db: Database) -> None:
    store = SqlBookingBackend(db)
    made = store.book(plan("dr_kim", room=True, buffer=10, service="checkup"))
    assert (made.service, made.provider, made.resources) == (
        "checkup",
        "dr_kim",
        ("dr_kim", "room"),
    )
    holds = store.holds("clinic", ["dr_kim", "room", "dr_lee"], TEN, TEN + timedelta(hours=1))
    assert {(h.resource, h.end) for h in holds} == {
        ("dr_kim", TEN + timedelta(minutes=40)),  # the buffer is held too
        ("room", TEN + timedelta(minutes=40)),
    }
    found = store.find_by_phone("clinic", "01011112222", TEN - timedelta(days=1))
    assert [(r.id, r.service, r.provider) for r in found] == [(made.id, "checkup", "dr_kim")]


def test_a_held_resource_refuses_an_overlap_and_frees_on_cancel(db: Database) -> None:
    store = SqlBookingBackend(db)
    first = store.book(plan("dr_kim", room=True, buffer=10))
    with pytest.raises(CapacityError, match="dr_kim"):
        store.book(plan("dr_kim", TEN + timedelta(minutes=35)))  # inside the buffer
    with pytest.raises(CapacityError, match="room"):
        store.book(plan("dr_lee", TEN + timedelta(minutes=15), room=True))
    assert store.book(plan("dr_kim", TEN + timedelta(minutes=40))).provider == "dr_kim"
    assert store.book(plan("dr_lee", TEN + timedelta(minutes=15))).provider == "dr_lee"
    store.cancel(first.id)
    assert store.book(plan("dr_lee", TEN - timedelta(minutes=30), room=True, minutes=40)).id


def test_seats_are_units_of_one_resource(db: Database) -> None:
    store = SqlBookingBackend(db)
    store.book(plan("bar", units=4, capacity=6))
    store.book(plan("bar", units=2, capacity=6))
    with pytest.raises(CapacityError, match="0 of 6 free"):
        store.book(plan("bar", units=1, capacity=6))


def test_moving_a_booking_counts_its_own_holds_as_free(db: Database) -> None:
    store = SqlBookingBackend(db)
    made = store.book(plan("dr_kim", room=True))
    moved = store.book(plan("dr_kim", TEN + timedelta(minutes=15), room=True), replaces=made.id)
    assert moved.id == made.id and moved.start == TEN + timedelta(minutes=15)
    assert [r.id for r in store.list(venue="clinic")] == [made.id]
    assert store.book(plan("dr_kim", TEN - timedelta(minutes=15), minutes=30)).id != made.id
    other = store.book(plan("dr_lee", TEN + timedelta(hours=2)))
    with pytest.raises(CapacityError):
        store.book(plan("dr_kim", TEN - timedelta(minutes=10)), replaces=made.id)
    assert store.get(made.id) == moved  # unchanged after the refusal
    store.cancel(other.id)
    with pytest.raises(InputError, match="cancelled"):
        store.book(plan("dr_lee", TEN + timedelta(hours=2)), replaces=other.id)


def test_the_provider_of_the_last_booking(db: Database) -> None:
    store = SqlBookingBackend(db)
    assert store.last_provider("clinic", "01011112222") is None
    store.book(plan("dr_kim", TEN - timedelta(days=30)))
    store.book(plan("dr_lee", TEN - timedelta(days=7)))
    store.book(plan("dr_kim", TEN, phone="01099998888"))
    assert store.last_provider("clinic", "01011112222") == "dr_lee"
    assert store.last_provider("elsewhere", "01011112222") is None


def test_bad_plans_are_input_errors(db: Database) -> None:
    store = SqlBookingBackend(db)
    with pytest.raises(InputError, match="end after it starts"):
        store.book(plan("dr_kim", minutes=0))
    with pytest.raises(InputError, match="naive"):
        store.book(plan("dr_kim", TEN.astimezone()))


@pytest.fixture
def concurrent_db(db_url: str) -> Database:
    database = Database(db_url, pool_size=12, max_overflow=4, lock_timeout=60)
    database.check()
    return database


def test_twelve_callers_one_doctor_one_wins(concurrent_db: Database) -> None:
    store = SqlBookingBackend(concurrent_db)
    starts = [TEN + timedelta(minutes=5 * (i % 4)) for i in range(12)]  # all overlap 10:00-10:30
    results = run_together(
        [lambda i=i: store.book(plan("dr_kim", starts[i], phone=f"0{i}")) for i in range(12)]
    )
    assert Counter(type(r).__name__ for r in results) == {"BookingRecord": 1, "CapacityError": 11}
    stored = store.list(venue="clinic")
    assert len(stored) == 1 and overlapping(stored, "dr_kim") == 1
    concurrent_db.close()


def test_twelve_callers_different_doctors_one_room(concurrent_db: Database) -> None:
    store = SqlBookingBackend(concurrent_db)
    doctors = [f"dr_{i}" for i in range(12)]  # every doctor free: only the room is contended
    results = run_together([lambda d=d: store.book(plan(d, room=True)) for d in doctors])
    assert Counter(type(r).__name__ for r in results) == {"BookingRecord": 1, "CapacityError": 11}
    stored = store.list(venue="clinic")
    assert overlapping(stored, "room") == 1
    # without the room, every doctor books at once
    results = run_together(
        [lambda d=d: store.book(plan(d, TEN + timedelta(hours=3))) for d in doctors]
    )
    assert all(isinstance(r, BookingRecord) for r in results), results
    concurrent_db.close()


def test_a_database_from_before_gains_the_tables_and_keeps_its_bookings(sqlite_url: str) -> None:
    """Tables are only created: an existing database (no booking_details, no booking_holds)
    gets them on first use, and its restaurant bookings are still found and still count."""
    old = [t for name, t in Base.metadata.tables.items() if not name.startswith("booking_")]
    engine = create_engine(sqlite_url)
    Base.metadata.create_all(engine, tables=old)
    engine.dispose()
    database = Database(sqlite_url)
    try:
        store = SqlBookingBackend(database)
        rule = CapacityRule(venue="bistro", seats={"room": 4}, duration_minutes=90)
        seven = TEN.replace(hour=19)
        kept = store.create(rule, BookingRequest("bistro", seven, 4, "room", "Lee", "0101"))
        made = store.book(plan("dr_kim"))
        assert made.provider == "dr_kim" and made.resources == ("dr_kim",)
        assert store.get(kept.id) == kept and kept.service is None
        assert store.seats_left(rule, "room", seven) == 0  # the restaurant's count is unchanged
    finally:
        database.close()
