"""The console's form routes do their work off the event loop that carries live calls (#14).

``aicall serve`` runs the console in the same event loop as the calls' audio. A route that ran
the scenario loader, the YAML diff, the database or a file write on that loop would stall every
live call for as long as it takes. Each route here is posted once through the real app (SQLite,
the real loader); spies on that work, and on every SQL statement and commit, record the thread
they ran in, and a pure ASGI middleware records the thread of the event loop that served the
request. The work must have run (the spies saw it) and never on the loop's thread. The login
page and the error pages (templates read from files) are rendered off the loop too.
"""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import event

import console.app as console_app
import console.routes.auth as auth_routes
import console.routes.campaigns as campaign_routes
import console.routes.scenarios as scenario_routes
from console import scenario_store

SID = "offloop-en"

#: route label -> the work it must do (each is spied on; "sql"/"commit": the database).
EXPECTED = {
    "create": {"create_scenario", "check_text", "write_file", "sql", "commit"},
    "validate": {"check_text", "sql"},
    "draft": {"check_text", "sql"},
    "review": {"check_text", "diff_lines", "sql"},
    "save": {"save_scenario", "write_file", "sql", "commit"},
    "campaign": {"build_spec", "sql", "commit"},
    # pages the console renders from template files: the login page and its error pages
    "login": {"render"},
    "not found": {"render", "sql"},
    "csrf refused": {"render", "sql"},
}


def _on_a_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@dataclass
class Seen:
    """Which thread served each request's loop, and where each piece of its work ran."""

    label: str = ""
    loop_threads: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    work: dict[str, list[tuple[str, int, bool]]] = field(default_factory=lambda: defaultdict(list))

    def note(self, what: str) -> None:
        if self.label:
            self.work[self.label].append((what, threading.get_ident(), _on_a_loop()))

    def on_the_loop(self, label: str) -> list[str]:
        """The work of ``label`` that ran on the event loop's thread."""
        return [
            what
            for what, ident, on_loop in self.work[label]
            if on_loop or ident in self.loop_threads[label]
        ]


class LoopThread:
    """ASGI middleware: notes the thread of the event loop that serves each request."""

    def __init__(self, app: Any, seen: Seen) -> None:
        self.app = app
        self.seen = seen

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and self.seen.label:
            self.seen.loop_threads[self.seen.label].add(threading.get_ident())
        await self.app(scope, receive, send)


def _spy(monkeypatch: pytest.MonkeyPatch, seen: Seen, module: Any, name: str, as_: str) -> None:
    real = getattr(module, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.note(as_)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)


def _campaign_form(name: str) -> dict[str, str]:
    return {
        "id": name,
        "scenario_id": "carecall-ko",
        "days": "mon-fri",
        "windows": "10:00-12:00, 14:00-17:00",
        "timezone": "Asia/Seoul",
        "holidays": "KR",
        "cap": "3",
        "region": "KR",
        "caller_id": "",
        "machine": "hangup",
        "recurrence": "weekly",
        "retry_no-answer": "1h,x2,3",
        "retry_busy": "15m,x2,3",
        "retry_failed": "30m,x1,2",
        "retry_voicemail": "2h,x1,3",
    }


def test_form_routes_run_the_loader_database_and_files_off_the_event_loop(
    console_env: Any, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = Seen()
    console_env.app.add_middleware(LoopThread, seen=seen)
    for name in ("check_text", "create_scenario", "save_scenario", "diff_lines"):
        _spy(monkeypatch, seen, scenario_routes, name, name)
    _spy(monkeypatch, seen, scenario_store, "_write", "write_file")
    _spy(monkeypatch, seen, campaign_routes, "build_spec", "build_spec")
    for module in (console_app, auth_routes):
        _spy(monkeypatch, seen, module, "render", "render")
    engine = console_env.db.engine

    def on_sql(*_args: Any) -> None:
        seen.note("sql")

    def on_commit(*_args: Any) -> None:
        seen.note("commit")

    event.listen(engine, "before_cursor_execute", on_sql)
    event.listen(engine, "commit", on_commit)
    try:
        op = client_for("acme-operator")

        def post(label: str, url: str, data: dict[str, str], **options: Any) -> Any:
            return send(label, op.post, url, data=data, **options)

        def send(label: str, method: Any, url: str, **options: Any) -> Any:
            seen.label = label
            try:
                return method(url, follow_redirects=False, **options)
            finally:
                seen.label = ""

        made = post(
            "create",
            "/console/scenarios",
            {"scenario_id": SID, "kind": "booking", "language": "en"},
        )
        assert made.status_code == 303, made.text[:300]
        got = op.get(f"/api/v1/scenarios/{SID}").json()
        text, sha = got["yaml"], got["sha"]
        changed = text.replace("name: Alex", "name: Robin", 1)
        assert changed != text

        checked = post("validate", f"/console/scenarios/{SID}/validate", {"yaml": changed})
        assert 'data-ok="1"' in checked.text
        added = post(
            "draft",
            f"/console/scenarios/{SID}/draft",
            {"draft": text, "op": "add", "at": "intents", "new:intents": "ask_price"},
        )
        assert 'name="f:intents.ask_price.description"' in added.text
        review = post("review", f"/console/scenarios/{SID}/review", {"yaml": changed})
        assert "Robin" in review.text and 'id="save-form"' in review.text
        saved = post(
            "save",
            f"/console/scenarios/{SID}/save",
            {"yaml": changed, "message": "off the loop", "base_sha": sha},
        )
        assert saved.status_code == 303, saved.text[:300]
        assert console_env.runtime.scenario(SID).persona.name == "Robin"
        campaign = post("campaign", "/console/campaigns", _campaign_form("offloop"))
        assert campaign.status_code == 303, campaign.text[:300]

        login = send("login", client_for().get, "/console/login")
        assert login.status_code == 200 and 'id="username"' in login.text
        missing = send("not found", op.get, "/console/scenarios/no-such-scenario")
        assert missing.status_code == 404 and "<html" in missing.text
        refused = post("csrf refused", "/console/scenarios", {}, headers={"X-CSRF-Token": ""})
        assert refused.status_code == 403 and "<html" in refused.text
    finally:
        event.remove(engine, "before_cursor_execute", on_sql)
        event.remove(engine, "commit", on_commit)

    for label, needed in EXPECTED.items():
        assert seen.loop_threads[label], f"{label}: the middleware saw no request"
        done = {what for what, _, _ in seen.work[label]}
        assert needed <= done, f"{label}: {sorted(needed - done)} did not run"
    on_loop = {label: sorted(set(seen.on_the_loop(label))) for label in EXPECTED}
    assert on_loop == {label: [] for label in EXPECTED}, f"ran on the event loop: {on_loop}"
