"""The proof: capacity is never exceeded by concurrent bookings (threads and processes).

Every test runs against a SQLite file and a real PostgreSQL server. Threads wait on a barrier
so that their transactions really collide.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import pytest

from agent.store import Database, SqlBookingBackend
from common.errors import CapacityError
from dialogue.ports import BookingRecord, BookingRequest, CapacityRule

pytestmark = pytest.mark.timeout(180)

RULE = CapacityRule(venue="bistro", seats={"room": 12, "hall": 40}, duration_minutes=90)
SEVEN_PM = datetime(2030, 5, 17, 19, 0)


def req(start: datetime, party: int, i: int, seating: str = "room") -> BookingRequest:
    return BookingRequest("bistro", start, party, seating, f"guest {i}", f"010-0000-{i:04d}")


def peak_occupancy(bookings: Sequence[BookingRecord], rule: CapacityRule, seating: str) -> int:
    """Independent check of the stored result: guests seated at the busiest instant."""
    length = timedelta(minutes=rule.duration_minutes)
    mine = [b for b in bookings if b.seating == seating and b.status == "active"]
    return max(
        (sum(b.party_size for b in mine if b.start <= t.start < b.start + length) for t in mine),
        default=0,
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


def outcome_counts(results: Sequence[Any]) -> Counter[str]:
    return Counter(type(r).__name__ for r in results)


@pytest.fixture
def concurrent_db(db_url: str) -> Database:
    # Pool large enough that all 16 threads hold a connection at the same time.
    database = Database(db_url, pool_size=16, max_overflow=4, lock_timeout=60)
    database.check()
    return database


def test_sixteen_threads_same_slot_exactly_three_fit(concurrent_db: Database) -> None:
    backend = SqlBookingBackend(concurrent_db)
    jobs = [lambda i=i: backend.create(RULE, req(SEVEN_PM, 4, i)) for i in range(16)]
    results = run_together(jobs)
    assert outcome_counts(results) == {"BookingRecord": 3, "CapacityError": 13}, results
    stored = backend.list(venue="bistro")
    assert len(stored) == 3
    assert sum(b.party_size for b in stored) == 12
    assert peak_occupancy(stored, RULE, "room") <= 12
    concurrent_db.close()


def test_sixteen_threads_overlapping_start_times(concurrent_db: Database) -> None:
    backend = SqlBookingBackend(concurrent_db)
    starts = [SEVEN_PM + timedelta(minutes=15 * k) for k in range(-4, 4)]  # 18:00 .. 19:45
    jobs = [
        lambda i=i: backend.create(RULE, req(starts[i % len(starts)], 2 + i % 3, i))
        for i in range(16)
    ]
    results = run_together(jobs)
    counts = outcome_counts(results)
    assert set(counts) <= {"BookingRecord", "CapacityError"}, results
    assert counts["BookingRecord"] >= 1
    stored = backend.list(venue="bistro")
    assert len(stored) == counts["BookingRecord"]
    assert peak_occupancy(stored, RULE, "room") <= 12
    # Whatever was refused really did not fit given what was stored.
    for request_, result in zip(
        [req(starts[i % 8], 2 + i % 3, i) for i in range(16)], results, strict=True
    ):
        if isinstance(result, CapacityError):
            assert backend.seats_left(RULE, "room", request_.start) < request_.party_size


def test_sixteen_threads_across_midnight(concurrent_db: Database) -> None:
    backend = SqlBookingBackend(concurrent_db)
    late = datetime(2030, 5, 17, 23, 30)
    starts = [late, late + timedelta(minutes=45)]  # 23:30 on one day, 00:15 on the next
    jobs = [lambda i=i: backend.create(RULE, req(starts[i % 2], 3, i)) for i in range(16)]
    results = run_together(jobs)
    assert outcome_counts(results)["BookingRecord"] == 4, results
    assert peak_occupancy(backend.list(), RULE, "room") <= 12


def test_concurrent_changes_into_one_slot(concurrent_db: Database) -> None:
    backend = SqlBookingBackend(concurrent_db)
    morning = datetime(2030, 5, 17, 11, 0)
    bookings = [backend.create(RULE, req(morning, 4, i, seating="hall")) for i in range(8)]
    jobs = [lambda b=b: backend.change(RULE, b.id, req(SEVEN_PM, 4, b.id)) for b in bookings]
    results = run_together(jobs)
    assert outcome_counts(results) == {"BookingRecord": 3, "CapacityError": 5}, results
    stored = backend.list()
    assert peak_occupancy(stored, RULE, "room") == 12
    assert sum(1 for b in stored if b.seating == "hall") == 5  # refused changes kept their slot


def test_concurrent_cancel_and_create(concurrent_db: Database) -> None:
    backend = SqlBookingBackend(concurrent_db)
    first = [backend.create(RULE, req(SEVEN_PM, 4, i)) for i in range(3)]
    jobs: list[Callable[[], Any]] = [partial(backend.cancel, b.id) for b in first]
    jobs += [partial(backend.create, RULE, req(SEVEN_PM, 4, 100 + i)) for i in range(6)]
    results = run_together(jobs)
    assert all(isinstance(r, BookingRecord) and r.status == "cancelled" for r in results[:3])
    assert set(outcome_counts(results[3:])) <= {"BookingRecord", "CapacityError"}, results
    assert peak_occupancy(backend.list(), RULE, "room") <= 12


def _process_worker(url: str, index: int, threads: int, barrier: Any, out: Any) -> None:
    """Book in several threads of one process; report outcomes (runs in a spawned process)."""
    database = Database(url, pool_size=threads, lock_timeout=60)
    backend = SqlBookingBackend(database)
    database.check()

    def one(i: int) -> None:
        barrier.wait(timeout=60)
        try:
            backend.create(RULE, req(SEVEN_PM + timedelta(minutes=30 * (i % 3)), 4, i))
            out.put("ok")
        except CapacityError:
            out.put("full")
        except Exception as e:  # reported to the parent
            out.put(f"error: {e!r}")

    workers = [threading.Thread(target=one, args=(index * threads + k,)) for k in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(timeout=120)
    database.close()


def test_four_processes_of_four_threads(db_url: str) -> None:
    Database(db_url).check()  # schema first, so the processes race on bookings only
    ctx = multiprocessing.get_context("spawn")
    processes, threads = 4, 4
    barrier = ctx.Barrier(processes * threads)
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_process_worker, args=(db_url, p, threads, barrier, out))
        for p in range(processes)
    ]
    for p in procs:
        p.start()
    outcomes = [out.get(timeout=120) for _ in range(processes * threads)]
    for p in procs:
        p.join(timeout=60)
    assert all(p.exitcode == 0 for p in procs)
    assert Counter(outcomes) == {"ok": 3, "full": 13}, outcomes
    database = Database(db_url)
    assert peak_occupancy(SqlBookingBackend(database).list(), RULE, "room") == 12
    database.close()
