"""Database handle: URLs, schema, SQLite pragmas, errors and timeouts."""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from agent.store import Database, SqlBookingBackend, safe_url
from common.errors import InputError, StoreUnavailableError
from dialogue.ports import BookingRequest, CapacityRule

TABLES = {
    "calls",
    "call_events",
    "bookings",
    "carecall_answers",
    "followup_flags",
    "capacity_locks",
}


def test_schema_is_created_on_first_use(db: Database) -> None:
    db.check()
    assert TABLES <= set(inspect(db.engine).get_table_names())


def test_schema_creation_is_safe_from_many_threads(db_url: str) -> None:
    database = Database(db_url)
    errors: list[BaseException] = []

    def check() -> None:
        try:
            database.check()
        except BaseException as e:  # collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=check) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    database.close()
    assert errors == []


def test_schema_creation_is_safe_from_two_handles(db_url: str) -> None:
    first, second = Database(db_url), Database(db_url)
    try:
        first.check()
        second.check()
    finally:
        first.close()
        second.close()


def test_sqlite_pragmas(sqlite_url: str) -> None:
    database = Database(sqlite_url, lock_timeout=7)
    with database.session() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == 7000
    database.close()


def test_sqlite_creates_missing_directories(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "aicall.db"
    database = Database(f"sqlite:///{path}")
    database.check()
    database.close()
    assert path.exists()


def test_sqlite_in_memory_works_across_threads() -> None:
    database = Database("sqlite://")
    backend = SqlBookingBackend(database)
    rule = CapacityRule(venue="v", seats={"room": 4})
    request = BookingRequest("v", datetime(2030, 1, 1, 19), 1, "room", "n", "p")
    threads = [threading.Thread(target=backend.create, args=(rule, request)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(backend.list()) == 4
    database.close()


def test_transaction_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(InputError), db.transaction() as session:
        session.execute(
            text(
                "INSERT INTO calls (id, scenario_id, direction, started_at, status) "
                "VALUES ('c1', 's', 'inbound', '2030-01-01 00:00:00', 'x')"
            )
        )
        raise InputError("boom")
    with db.session() as session:
        assert session.execute(text("SELECT count(*) FROM calls")).scalar() == 0


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "mysql://user:hunter2@db.example/aicall",
        "postgresql+nosuchdriver://user:hunter2@localhost/aicall",
    ],
)
def test_bad_url_fails_at_once_with_a_clear_message(url: str) -> None:
    with pytest.raises(StoreUnavailableError) as info:
        Database(url)
    message = str(info.value)
    assert "hunter2" not in message
    assert "sqlite:///" in message or "engine" in message


def test_unreachable_postgres_names_the_url_without_password() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    database = Database(f"postgresql+psycopg://aicall:hunter2@127.0.0.1:{port}/aicall")
    with pytest.raises(StoreUnavailableError) as info:
        database.check()
    message = str(info.value)
    assert f"postgresql+psycopg://aicall:***@127.0.0.1:{port}/aicall" in message
    assert "hunter2" not in message
    assert "unavailable" in message


def test_plain_postgresql_scheme_means_psycopg3() -> None:
    assert Database("postgresql://u:pw@127.0.0.1/x").url == "postgresql+psycopg://u:***@127.0.0.1/x"


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections (in the backlog) but never says a word."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield s.getsockname()[1]


def test_postgres_connect_does_not_hang(silent_server: int) -> None:
    database = Database(f"postgresql+psycopg://u:pw@127.0.0.1:{silent_server}/x", connect_timeout=2)
    began = time.monotonic()
    with pytest.raises(StoreUnavailableError):
        database.check()
    assert time.monotonic() - began < 15


def test_unopenable_sqlite_path(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    database = Database(f"sqlite:///{blocker / 'aicall.db'}")
    with pytest.raises(StoreUnavailableError, match="not a directory"):
        database.check()


def test_sqlite_directory_as_database(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path}")
    with pytest.raises(StoreUnavailableError, match="unavailable"):
        database.check()


def test_closed_database_refuses_work(db: Database) -> None:
    db.check()
    db.close()
    with pytest.raises(StoreUnavailableError, match="closed"):
        db.check()


def test_sqlite_write_lock_wait_is_bounded(sqlite_url: str, rule: CapacityRule) -> None:
    database = Database(sqlite_url, lock_timeout=0.5)
    database.check()
    holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        began = time.monotonic()
        with pytest.raises(StoreUnavailableError, match="locked"):
            SqlBookingBackend(database).create(
                rule, BookingRequest("bistro", datetime(2030, 1, 1, 19), 2, "room", "n", "p")
            )
        assert time.monotonic() - began < 10
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        database.close()


@pytest.mark.postgres
def test_postgres_lock_wait_is_bounded(fresh_postgres_url: str, rule: CapacityRule) -> None:
    database = Database(fresh_postgres_url, lock_timeout=0.5)
    backend = SqlBookingBackend(database)
    request = BookingRequest("bistro", datetime(2030, 1, 1, 19), 2, "room", "n", "p")
    backend.create(rule, request)  # creates the capacity lock row of that day
    with database.engine.connect() as holder:
        holder.execute(text("SELECT * FROM capacity_locks FOR UPDATE"))
        began = time.monotonic()
        with pytest.raises(StoreUnavailableError, match="lock"):
            backend.create(rule, request)
        assert time.monotonic() - began < 10
        holder.rollback()
    assert len(backend.list()) == 1
    database.close()


def test_safe_url_hides_passwords_even_when_unparsable() -> None:
    assert safe_url("postgresql://u:secret@h/db") == "postgresql://u:***@h/db"
    assert "secret" not in safe_url("weird+://u:secret@h:notaport/db")
