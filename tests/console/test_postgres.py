"""The console on PostgreSQL: first start (also two processes at once), logins, tokens, tenancy (#14)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from agent.config import Settings
from agent.store import Database
from tests.console.support import PASSWORD, csrf_of, login, seed_tenants
from tests.pg import PG_MISSING, PostgresServer, find_pg_bindir

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg() -> Iterator[PostgresServer]:
    bindir = find_pg_bindir()
    if bindir is None:
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(PG_MISSING, pytrace=False)
        pytest.skip(PG_MISSING)
    server = PostgresServer(bindir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_two_processes_starting_at_once_make_one_admin(pg: PostgresServer, tmp_path) -> None:
    from console.bootstrap import bootstrap_console
    from console.models import User

    url = pg.create_database("console_race")
    results: list[Any] = []
    errors: list[BaseException] = []

    def start(n: int) -> None:
        db = Database(url)
        try:
            results.append(bootstrap_console(db, tmp_path / str(n), ["restaurant-en"]))
        except BaseException as e:  # reported below
            errors.append(e)
        finally:
            db.close()

    threads = [threading.Thread(target=start, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(r.created_admin for r in results) == [False, True]
    db = Database(url)
    try:
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(User)) == 1
    finally:
        db.close()


def test_the_console_works_on_postgresql(
    pg: PostgresServer, tmp_path, shipped_scenarios, monkeypatch
) -> None:
    from fastapi.testclient import TestClient

    from agent.runtime import AgentRuntime
    from agent.server.app import create_app
    from console.app import mount_console
    from console.models import AuditEntry

    url = pg.create_database("console_app")
    settings = Settings(data_dir=tmp_path, database_url=url, webhook_rate_limit=0)
    runtime = AgentRuntime(
        settings, clock=lambda _s: datetime(2026, 11, 25, 10, 0), scenarios=shipped_scenarios
    )
    try:
        tenants = seed_tenants(runtime.db, tmp_path, sorted(runtime.scenarios))
        app = create_app(settings, runtime, warm_scenarios=[])
        mount_console(app, settings=settings, runtime=runtime)
        acme = TestClient(app)
        login(acme, "acme-admin")
        assert 'data-testid="count-scenarios">4<' in acme.get("/console").text
        made = acme.post("/api/v1/tokens", json={"name": "pg script"}).json()
        script = TestClient(app, headers={"Authorization": f"Bearer {made['token']}"})
        assert script.get("/api/v1/me").json()["org"] == "acme"
        city = TestClient(app)
        login(city, "city-admin")
        assert city.delete(f"/api/v1/tokens/{made['id']}").status_code == 404
        assert script.get("/api/v1/me").status_code == 200
        # the lockout counts on PostgreSQL too
        anonymous = TestClient(app)
        for _ in range(5):
            page = anonymous.get("/console/login")
            anonymous.post(
                "/console/login",
                data={
                    "username": "city-viewer",
                    "password": "nope",
                    "csrf_token": csrf_of(page.text),
                },
            )
        page = anonymous.get("/console/login")
        locked = anonymous.post(
            "/console/login",
            data={
                "username": "city-viewer",
                "password": PASSWORD,
                "csrf_token": csrf_of(page.text),
            },
        )
        assert locked.status_code == 429
        with runtime.db.session() as session:
            actions = set(
                session.scalars(
                    select(AuditEntry.action).where(AuditEntry.org_id == tenants.orgs["acme"])
                )
            )
        assert {"login", "token.create"} <= actions
    finally:
        runtime.close()
