"""Fixtures of the console tests (issue #14; the contract is in docs/console.md, "For developers").

* ``console_env`` / ``console_app``: the agent's FastAPI app with the console mounted, on a
  SQLite file in a temp data dir; orgs "demo" (user "admin"), "acme" and "city", each of the
  last two with ``<org>-admin``, ``<org>-operator``, ``<org>-viewer`` (password
  :data:`tests.console.support.PASSWORD`) and their scenarios
  (:data:`tests.console.support.TENANT_SCENARIOS`). No lifespan runs: no speech models load.
* ``client_for("acme-operator")``: a TestClient logged in as that user; its default headers
  carry the session's CSRF token (``client.headers["X-CSRF-Token"]``).
* ``live_console``: a real ``aicall serve --softphone`` process on a free loopback port with a
  temp data dir and the same seeded tenants (one per test session).
* ``browser_page``: a Playwright page in Debian's Chromium (``browser_page_factory(args=[...])``
  for extra Chromium flags, e.g. a WAV as the microphone); ``shoot(page, "name")`` saves a
  screenshot (docs/console/<name>.png with ``AICALL_CONSOLE_SHOTS=1``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from agent.config import Settings
from agent.store import Database
from tests.console import support
from tests.console.support import CHROMIUM, PASSWORD, LiveConsole, Tenants, login, seed_tenants


@pytest.fixture(autouse=True)
def _quick_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with small costs in tests (the defaults cost ~0.1 s per hash on 2 cores)."""
    from argon2 import PasswordHasher

    from console import accounts

    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@dataclass
class ConsoleEnv:
    """The console app of a test and what it was seeded with."""

    app: Any
    settings: Settings
    runtime: Any
    tenants: Tenants
    data_dir: Path

    @property
    def db(self) -> Database:
        """The database the app uses."""
        db: Database = self.runtime.db
        return db


@pytest.fixture(scope="session")
def shipped_scenarios() -> dict[str, Any]:
    """The shipped scenarios, loaded once (scenarios are immutable; runtimes may share them)."""
    from scenarios.loader import load_scenarios

    return dict(load_scenarios([]))


@pytest.fixture
def console_env(tmp_path: Path, shipped_scenarios: dict[str, Any]) -> Iterator[ConsoleEnv]:
    pytest.importorskip("fastapi")
    from agent.runtime import AgentRuntime
    from agent.server.app import create_app
    from console.app import mount_console

    data_dir = tmp_path / "data"
    settings = Settings(
        data_dir=data_dir,
        database_url=f"sqlite:///{tmp_path / 'console.db'}",
        console_admin_password=PASSWORD,
        webhook_rate_limit=0,
    )
    runtime = AgentRuntime(
        settings, clock=lambda _s: datetime(2026, 11, 25, 10, 0), scenarios=shipped_scenarios
    )
    tenants = seed_tenants(runtime.db, data_dir, sorted(runtime.scenarios))
    app = create_app(settings, runtime, warm_scenarios=[])
    mount_console(app, settings=settings, runtime=runtime)
    try:
        yield ConsoleEnv(app, settings, runtime, tenants, data_dir)
    finally:
        runtime.close()


@pytest.fixture
def console_app(console_env: ConsoleEnv) -> Any:
    return console_env.app


@pytest.fixture
def client_for(console_env: ConsoleEnv) -> Iterator[Callable[..., Any]]:
    from fastapi.testclient import TestClient

    clients: list[Any] = []

    def make(username: str | None = None, password: str = PASSWORD, **options: Any) -> Any:
        client = TestClient(console_env.app, **options)
        clients.append(client)
        if username is not None:
            login(client, username, password)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture(scope="session")
def live_console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveConsole]:
    pytest.importorskip("fastapi")
    from scenarios.loader import load_scenarios
    from tests.scale.cluster import serve_process

    home = tmp_path_factory.mktemp("live-console")
    db = Database(f"sqlite:///{home / 'aicall.db'}")
    try:
        tenants = seed_tenants(db, home, sorted(load_scenarios([])))
    finally:
        db.close()
    env = {
        "AICALL_CONSOLE_ADMIN_PASSWORD": PASSWORD,
        "AICALL_WARM_SCENARIOS": json.dumps(["restaurant-en"]),
        "AICALL_WEBHOOK_RATE_LIMIT": "0",
    }
    process, url = serve_process("serve", home, env, "--softphone")
    process.start()
    try:
        process.wait_http(f"{url}/healthz")
        yield LiveConsole(base_url=url, data_dir=home, tenants=tenants, process=process)
    finally:
        process.stop()


@pytest.fixture
def browser_page_factory(tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """``make(args=[...], locale="ko-KR")``: a new Playwright page in Debian's Chromium."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    manager = sync_api.sync_playwright()
    playwright = manager.start()
    browsers: list[Any] = []

    def make(args: list[str] | None = None, locale: str = "ko-KR") -> Any:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", *(args or [])],
        )
        browsers.append(browser)
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale=locale)
        page = context.new_page()
        page.set_default_timeout(30_000)
        return page

    try:
        yield make
    finally:
        for browser in browsers:
            browser.close()
        playwright.stop()


@pytest.fixture
def browser_page(browser_page_factory: Callable[..., Any]) -> Any:
    return browser_page_factory()


@pytest.fixture
def shoot(tmp_path: Path) -> Callable[[Any, str], Path]:
    """``shoot(page, name)``: :func:`tests.console.support.shoot` (else into this test's tmp)."""

    def take(page: Any, name: str) -> Path:
        return support.shoot(page, name, tmp_dir=tmp_path)

    return take
