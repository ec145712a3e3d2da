"""Fixtures of the store tests: a database per test on SQLite and on a private PostgreSQL."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.store import Database
from dialogue.ports import CapacityRule
from tests.pg import PG_MISSING, PostgresServer, find_pg_bindir

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]

_db_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server on loopback for the whole session; skipped (or failed on CI) if absent."""
    bindir = find_pg_bindir()
    if bindir is None:
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(
                f"{PG_MISSING} (CI must run the PostgreSQL tests: run .ci/install-os-deps.sh)",
                pytrace=False,
            )
        pytest.skip(PG_MISSING)
    server = PostgresServer(bindir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """URL of a database created once on the session's PostgreSQL server."""
    return postgres_server.create_database("aicall_test")


@pytest.fixture
def fresh_postgres_url(postgres_server: PostgresServer) -> str:
    """URL of a new, empty database on the session's PostgreSQL server."""
    return postgres_server.create_database(f"aicall_t{next(_db_numbers)}")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of a new SQLite file."""
    return f"sqlite:///{tmp_path / 'aicall.db'}"


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest) -> str:
    """URL of a new, empty database, once per backend."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("fresh_postgres_url"))


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """A database handle on a new, empty database, once per backend."""
    database = Database(db_url, connect_timeout=5, lock_timeout=20)
    try:
        yield database
    finally:
        database.close()


@pytest.fixture
def rule() -> CapacityRule:
    """A venue with a 12-seat room and a 40-seat hall, 90-minute bookings."""
    return CapacityRule(venue="bistro", seats={"room": 12, "hall": 40}, duration_minutes=90)
