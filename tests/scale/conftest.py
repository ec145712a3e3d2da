"""Fixtures of the multi-process tests: PostgreSQL, Redis, `aicall serve` processes on loopback.

These tests need the ``voice`` extra (twilio, fastapi, pipecat-ai), PostgreSQL and Redis
(.ci/install-os-deps.sh installs both; missing, they skip, or fail when ``CI=true``).
"""

from __future__ import annotations

import importlib.util
import itertools
import os
from collections.abc import Iterator

import pytest

from tests.pg import PG_MISSING, PostgresServer, find_pg_bindir
from tests.scale.cluster import (
    REDIS_MISSING,
    Cluster,
    RedisServer,
    redis_server_binary,
    start_cluster,
)

_NEEDED = ("twilio", "fastapi", "pipecat", "redis")
collect_ignore_glob = [] if all(importlib.util.find_spec(m) for m in _NEEDED) else ["test_*.py"]

_db_numbers = itertools.count(1)


def _missing(what: str) -> None:
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"{what} (CI must run tests/scale: run .ci/install-os-deps.sh)", pytrace=False)
    pytest.skip(what)


@pytest.fixture(scope="session")
def scale_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server on loopback for the session."""
    bindir = find_pg_bindir()
    if bindir is None:
        _missing(PG_MISSING)
    assert bindir is not None
    server = PostgresServer(bindir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def scale_redis() -> Iterator[RedisServer]:
    """A Redis server on loopback for the session."""
    binary = redis_server_binary()
    if binary is None:
        _missing(REDIS_MISSING)
    assert binary is not None
    server = RedisServer(binary)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fresh_pg_url(scale_postgres: PostgresServer) -> str:
    """A new, empty database."""
    return scale_postgres.create_database(f"aicall_scale{next(_db_numbers)}")


@pytest.fixture(scope="session")
def cluster(
    scale_postgres: PostgresServer,
    scale_redis: RedisServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Cluster]:
    """The two-server cluster, started once for the session."""
    root = tmp_path_factory.mktemp("cluster")
    c = start_cluster(root, scale_postgres.create_database("aicall_cluster"), scale_redis.url)
    try:
        yield c
    finally:
        c.stop()
