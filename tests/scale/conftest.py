"""Fixtures of the multi-process tests: PostgreSQL, Redis, `aicall serve` processes on loopback.

These tests need the ``voice`` extra (twilio, fastapi, pipecat-ai), PostgreSQL and Redis
(.ci/install-os-deps.sh installs both; missing, they skip, or fail when ``CI=true``).
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.pg import PG_MISSING, PostgresServer, find_pg_bindir
from tests.scale.cluster import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    REDIS_MISSING,
    AicallProcess,
    CloudProcess,
    RedisServer,
    free_port,
    redis_server_binary,
    serve_process,
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


#: What the servers and the stand-in share (the stand-in's account, the balancer's address).
PUBLIC_URL = "http://aicall.lb.test"
STREAM_SECRET = "scale-test-stream-secret-0123456789"
#: The scenarios the servers prepare (English care calls keep the start-up short).
WARM = '["carecall-en"]'


@dataclass
class Cluster:
    """Two `aicall serve` processes on one PostgreSQL database and one Redis, a Twilio stand-in
    (with its load balancer) in front of them, and a simulated clock file.

    Attributes:
        root: the cluster's directory (one sub-directory per process).
        database_url: the shared database.
        redis_url: the shared Redis (``AICALL_QUEUE_URL``).
        cloud_url: the Twilio stand-in's base URL (``AICALL_TWILIO_API_URL``).
        clock_file: the simulated clock (``AICALL_CLOCK=file:...``).
        servers: the `aicall serve` processes; ``urls`` their base URLs.
    """

    root: Path
    database_url: str
    redis_url: str
    cloud_url: str
    clock_file: Path
    servers: list[AicallProcess] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    cloud: AicallProcess | None = None

    @property
    def env(self) -> dict[str, str]:
        """What every process of the deployment gets (docs/deploy.md)."""
        return {
            "AICALL_DATABASE_URL": self.database_url,
            "AICALL_QUEUE_URL": self.redis_url,
            "AICALL_PUBLIC_URL": PUBLIC_URL,
            "AICALL_STREAM_SECRET": STREAM_SECRET,
            "AICALL_TWILIO_API_URL": self.cloud_url,
            "AICALL_CLOCK": f"file:{self.clock_file}",
            "AICALL_WARM_SCENARIOS": WARM,
            # every webhook comes from the balancer's one address (docs/deploy.md)
            "AICALL_WEBHOOK_RATE_LIMIT": "0",
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        }

    def ensure_servers(self) -> None:
        """Start the servers that are not running (at first, or after a test killed one)."""
        for server in self.servers:
            if not server.alive:
                server.start()
        for server, url in zip(self.servers, self.urls, strict=True):
            server.wait_http(f"{url}/healthz")

    def stop(self) -> None:
        """Stop every process."""
        for proc in [*self.servers, *([self.cloud] if self.cloud else [])]:
            proc.stop()


@pytest.fixture(scope="session")
def cluster(
    scale_postgres: PostgresServer,
    scale_redis: RedisServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Cluster]:
    """The two-server cluster, started once for the session."""
    root = tmp_path_factory.mktemp("cluster")
    clock_file = root / "clock.txt"
    clock_file.write_text("2026-09-21T10:00:00+09:00", encoding="utf-8")
    cloud_port = free_port()
    c = Cluster(
        root=root,
        database_url=scale_postgres.create_database("aicall_cluster"),
        redis_url=scale_redis.url,
        cloud_url=f"http://127.0.0.1:{cloud_port}",
        clock_file=clock_file,
    )
    for name in ("serve-a", "serve-b"):
        proc, url = serve_process(name, root / name, c.env)
        c.servers.append(proc)
        c.urls.append(url)
    config = root / "cloud.json"
    config.write_text(
        json.dumps({"public_url": PUBLIC_URL, "upstreams": c.urls, "clock_file": str(clock_file)}),
        encoding="utf-8",
    )
    c.cloud = CloudProcess(root / "cloud", cloud_port, config)
    try:
        c.cloud.start()
        c.ensure_servers()
        c.cloud.wait_http(f"{c.cloud_url}/_standin/healthz")
        yield c
    finally:
        c.stop()
