"""``AICALL_CALLER_ID`` (``aicall call``) and ``AICALL_NLU_RASA_TIMEOUT`` (the Rasa parser)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from agent.config import Settings
from agent.runtime import AgentRuntime
from cli.call import register
from common.errors import BackendUnavailableError
from tests.telephony.twilio_api import ACCOUNT_SID, AUTH_TOKEN, twilio_stand_in

CALLER_ID = "+15550100123"


def test_caller_id_is_the_from_number_twilio_receives(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    monkeypatch.setenv("AICALL_PUBLIC_URL", "https://agent.example.test")
    monkeypatch.setenv("AICALL_CALLER_ID", CALLER_ID)
    app = typer.Typer()
    register(app)
    app.command("unused", hidden=True)(lambda: None)  # keep "call" a subcommand
    with twilio_stand_in() as api:
        done = CliRunner().invoke(
            app,
            ["call", "--to", "+821012345678", "--scenario", "carecall-ko", "--person", "박순자",
             "--api-url", api.url, "--json"],
        )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["from"] == CALLER_ID
    (form,) = api.requests
    assert form["From"] == [CALLER_ID]


@contextmanager
def slow_rasa(delay: float) -> Iterator[str]:
    """A Rasa ``/model/parse`` stand-in that answers after ``delay`` seconds."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            time.sleep(delay)
            data = json.dumps({"intent": {"name": "book", "confidence": 0.9}, "entities": []})
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data.encode())
            except (BrokenPipeError, ConnectionResetError):
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _parse_through_rasa() -> tuple[str | None, float]:
    """The live parser's intent for one utterance (``None``: unavailable), and seconds taken."""
    rt = AgentRuntime(Settings())
    try:
        parser = rt.nlu(rt.scenario("restaurant-en"))
        started = time.monotonic()
        try:
            intent: str | None = parser.parse("a table please", today=date(2026, 11, 25)).intent
        except BackendUnavailableError:
            intent = None
        return intent, time.monotonic() - started
    finally:
        rt.close()


def test_nlu_rasa_timeout_bounds_each_request(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with slow_rasa(1.0) as url:
        monkeypatch.setenv("AICALL_NLU_BACKEND", "rasa-http")
        monkeypatch.setenv("AICALL_NLU_RASA_URL", url)
        intent, _ = _parse_through_rasa()  # default 3 s: the slow answer arrives
        assert intent == "book"
        monkeypatch.setenv("AICALL_NLU_RASA_TIMEOUT", "0.2")
        intent, took = _parse_through_rasa()
        assert intent is None and took < 0.8
