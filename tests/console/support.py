"""Shared pieces of the console tests: the two tenants, logins, a live server, screenshots.

Fixtures in conftest.py use these; tests may import them (``from tests.console.support import
PASSWORD, shoot``).
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from agent.store import Database
from console.accounts import assign_scenario, create_org, create_user
from console.bootstrap import bootstrap_console
from console.models import Org

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS_DIR = ROOT / "docs" / "console"
#: Every seeded user's password (and the first admin's).
PASSWORD = "correct-horse-42"
ROLES = ("admin", "operator", "viewer")
#: Who owns which shipped scenario in the tests (the bootstrap org "demo" keeps the rest).
TENANT_SCENARIOS = {
    "acme": ("restaurant-en", "restaurant-ko", "carecall-en", "carecall-ko"),
    "city": ("clinic-en", "clinic-ko"),
}


@dataclass
class Tenants:
    """The seeded organisations: ids, users (``acme-admin`` ...), scenarios."""

    orgs: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)  # username -> user id
    scenarios: dict[str, tuple[str, ...]] = field(default_factory=dict)


def seed_tenants(db: Database, data_dir: Path, scenario_ids: list[str]) -> Tenants:
    """Bootstrap the console (org "demo", user "admin"), then orgs "acme" and "city".

    Each org gets ``<org>-admin``, ``<org>-operator`` and ``<org>-viewer`` (password
    :data:`PASSWORD`) and the scenarios of :data:`TENANT_SCENARIOS`.
    """
    bootstrap_console(db, data_dir, scenario_ids, admin_password=PASSWORD)
    out = Tenants()
    with db.transaction() as session:
        for slug, owned in TENANT_SCENARIOS.items():
            org: Org = create_org(session, slug, slug.capitalize())
            out.orgs[slug] = org.id
            for role in ROLES:
                user = create_user(session, f"{slug}-{role}", PASSWORD, org=org, role=role)
                out.users[user.username] = user.id
            for scenario_id in owned:
                assign_scenario(session, org.id, scenario_id)
            out.scenarios[slug] = owned
    return out


def csrf_of(html: str) -> str:
    """The CSRF token of a console page (its ``<meta name="csrf-token">`` or a form field)."""
    found = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert found, "no CSRF token on the page"
    return found.group(1)


def login(client: Any, username: str, password: str = PASSWORD) -> str:
    """Log ``client`` (httpx or TestClient) in; returns the session's CSRF token.

    The token is also set as the client's default ``X-CSRF-Token`` header, so every later
    unsafe request of this client carries it.
    """
    page = client.get("/console/login")
    assert page.status_code == 200, page.text[:300]
    answer = client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, f"login of {username} failed: {answer.status_code}"
    home = client.get("/console")
    assert home.status_code == 200
    token = csrf_of(home.text)
    client.headers["X-CSRF-Token"] = token
    return token


def shots_enabled() -> bool:
    """``AICALL_CONSOLE_SHOTS=1``: screenshots go to docs/console (else to a temp folder)."""
    return os.environ.get("AICALL_CONSOLE_SHOTS") == "1"


def shoot(page: Any, name: str, *, tmp_dir: Path | None = None, full_page: bool = True) -> Path:
    """Save a screenshot of a Playwright page as ``<name>.png``.

    With ``AICALL_CONSOLE_SHOTS=1`` it goes to docs/console/ (the pictures docs/console.md
    shows; commit them), else to ``tmp_dir`` (or the system's temp folder).
    """
    if shots_enabled():
        folder = SHOTS_DIR
    else:
        folder = tmp_dir or Path(os.environ.get("TMPDIR", "/tmp")) / "aicall-console-shots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


@dataclass
class LiveConsole:
    """A running ``aicall serve --softphone`` with the console (see ``live_console``)."""

    base_url: str
    data_dir: Path
    tenants: Tenants
    password: str = PASSWORD
    process: Any = None

    def client(self, username: str | None = None) -> httpx.Client:
        """An httpx client on the server, logged in as ``username`` when given."""
        client = httpx.Client(base_url=self.base_url, timeout=30.0)
        if username is not None:
            login(client, username, self.password)
        return client

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the server's log."""
        return self.process.log_tail(lines) if self.process is not None else ""

    def log_text(self) -> str:
        """The server's whole log so far."""
        if self.process is None:
            return ""
        text: str = self.process.log.read_text(errors="replace")
        return text
