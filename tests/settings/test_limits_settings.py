"""The server's limits and log settings, set in the environment and seen through the real app.

``AICALL_MAX_CALLS``, ``AICALL_WEBHOOK_RATE_LIMIT``, ``AICALL_SOFTPHONE_TOKEN`` and
``AICALL_LOG_FORMAT`` (#17).
"""

from __future__ import annotations

import asyncio
import json
import logging
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator
from typer.testing import CliRunner

from agent.config import Settings
from agent.runtime import AgentRuntime
from agent.server.app import create_app
from agent.voice.engines import VoiceEngines
from tests.settings.test_server_settings import FakeRuntime

TOKEN = "limits-auth-token"
PUBLIC = "https://limits.example.test"
FORM = {"CallSid": "CA" + "7" * 32, "From": "+821011112222", "To": "+8225550100"}


@pytest.fixture()
def twilio_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("AICALL_PUBLIC_URL", PUBLIC)


def _signed(path: str) -> dict[str, str]:
    return {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(PUBLIC + path, FORM)}


def _answer(client: TestClient, scenario: str = "restaurant-ko") -> str:
    """What the voice webhook answers: ``stream`` or ``busy``."""
    path = f"/twilio/voice?scenario={scenario}"
    r = client.post(path, data=FORM, headers=_signed(path))
    assert r.status_code == 200
    root = ET.fromstring(r.text)
    if root.find("./Connect/Stream") is not None:
        return "stream"
    say = root.find("Say")
    assert say is not None and root.find("Hangup") is not None
    return f"busy {say.get('language')}"


def test_max_calls_answers_busy_beyond_the_calls_in_progress(
    twilio_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def answers() -> list[str]:
        app = create_app(Settings(), FakeRuntime(), engines=VoiceEngines())
        with TestClient(app) as client:
            first = _answer(client)
            # two calls in progress
            app.state.aicall.active.update({"CA" + "1" * 32: None, "CA" + "2" * 32: None})
            answers = [first, _answer(client), _answer(client, "restaurant-en")]
            app.state.aicall.active.clear()
            return answers

    assert answers() == ["stream", "stream", "stream"]  # the default: 20
    monkeypatch.setenv("AICALL_MAX_CALLS", "2")
    assert answers() == ["stream", "busy ko-KR", "busy en-US"]


def test_webhook_rate_limit_is_per_source_address(
    twilio_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def statuses(limit: str | None) -> tuple[list[int], int, str | None]:
        if limit is not None:
            monkeypatch.setenv("AICALL_WEBHOOK_RATE_LIMIT", limit)
        app = create_app(Settings(), FakeRuntime(), engines=VoiceEngines())
        with TestClient(app, client=("203.0.113.5", 4000)) as client:
            codes = []
            for _ in range(5):
                r = client.post("/twilio/voice", data=FORM, headers=_signed("/twilio/voice"))
                codes.append(r.status_code)
            retry = r.headers.get("Retry-After")
        with TestClient(app, client=("203.0.113.6", 4000)) as other:
            other_code = other.post(
                "/twilio/voice", data=FORM, headers=_signed("/twilio/voice")
            ).status_code
        return codes, other_code, retry

    assert statuses(None) == ([200] * 5, 200, None)  # the default, 120 a minute
    codes, other, retry = statuses("3")
    assert codes == [200, 200, 200, 429, 429] and other == 200
    assert retry is not None and int(retry) >= 1
    assert statuses("0")[0] == [200] * 5  # 0: no limit


def test_softphone_token_is_the_login_off_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AICALL_SOFTPHONE", "1")

    def call(headers: dict[str, str], *, remote: bool = True) -> int:
        app = create_app(Settings(), FakeRuntime(), engines=VoiceEngines())
        where: dict[str, Any] = (
            {"base_url": "http://192.0.2.10:8080", "client": ("198.51.100.7", 5000)}
            if remote
            else {"base_url": "http://127.0.0.1:8080", "client": ("127.0.0.1", 5000)}
        )
        with TestClient(app, **where) as client:
            r = client.post("/softphone/call?scenario=restaurant-en", headers=headers)
            if r.status_code == 200:
                assert r.json()["call_sid"].startswith("SP") and r.json()["token"]
            return r.status_code

    # no token set: only this machine may call
    assert call({}, remote=False) == 200
    assert call({}) == 401
    monkeypatch.setenv("AICALL_SOFTPHONE_TOKEN", "s3cret-login")
    assert call({}) == 401
    assert call({"Authorization": "Bearer wrong"}) == 401
    assert call({"Authorization": "Bearer s3cret-login"}) == 200
    assert call({}, remote=False) == 401  # once set, asked of everyone
    # another site's page cannot use a visitor's browser to place calls
    foreign = {"Authorization": "Bearer s3cret-login", "Origin": "https://evil.example"}
    assert call(foreign) == 403
    own = {"Authorization": "Bearer s3cret-login", "Origin": "http://192.0.2.10:8080"}
    assert call(own) == 200
    app = create_app(Settings(), FakeRuntime(), engines=VoiceEngines())
    with TestClient(app) as client:
        page = client.get("/softphone").text
    assert 'id="token"' in page and "Access token" in page and "접속 토큰" in page


def test_softphone_token_requests_are_rate_limited(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AICALL_SOFTPHONE", "1")
    monkeypatch.setenv("AICALL_WEBHOOK_RATE_LIMIT", "5")
    app = create_app(Settings(), FakeRuntime(), engines=VoiceEngines())
    with TestClient(app, base_url="http://127.0.0.1", client=("127.0.0.1", 1)) as client:
        codes = [client.post("/softphone/call").status_code for _ in range(8)]
    assert codes == [200] * 5 + [429] * 3


def _serve(monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[Any, dict[str, Any]]:
    """``aicall serve`` with uvicorn replaced by a stub that logs one line from a call."""
    import uvicorn

    from cli import serve as serve_module
    from cli.main import app as cli
    from common.logs import call_id_var

    ran: dict[str, Any] = {}

    def fake_run(app: Any, **kwargs: Any) -> None:
        ran.update(kwargs)

        async def a_call() -> None:
            call_id_var.set("CA" + "9" * 32)
            logging.getLogger("agent.server.app").warning("call refused: %s", "a test")

        asyncio.run(a_call())

    monkeypatch.setattr(uvicorn, "run", fake_run)

    def runtime(_database: str | None) -> AgentRuntime:  # the real runtime, no scenarios
        return AgentRuntime(Settings(), scenarios={})

    monkeypatch.setattr(serve_module, "make_runtime", runtime)
    result = CliRunner().invoke(cli, ["serve", *args])
    logging.getLogger().handlers[:] = [
        h for h in logging.getLogger().handlers if not getattr(h, "_aicall_handler", False)
    ]
    return result, ran


def test_log_format_json_writes_one_object_per_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AICALL_SOFTPHONE", "1")
    result, ran = _serve(monkeypatch)
    assert result.exit_code == 0, result.output
    assert ran["log_config"] is None and ran["ws_max_size"] == 16 * 1024
    (line,) = [ln for ln in result.stderr.splitlines() if "call refused" in ln]
    # text: UTC time, level, logger, call id
    stamp, level, logger, call, *_ = line.split(" ")
    assert stamp.endswith("Z") and "T" in stamp
    assert (level, logger, call) == ("WARNING", "agent.server.app", "call=CA" + "9" * 32)
    monkeypatch.setenv("AICALL_LOG_FORMAT", "json")
    result, _ = _serve(monkeypatch)
    (line,) = [ln for ln in result.stderr.splitlines() if "call refused" in ln]
    record = json.loads(line)
    assert record["level"] == "WARNING" and record["logger"] == "agent.server.app"
    assert record["call_id"] == "CA" + "9" * 32 and record["message"] == "call refused: a test"
    assert record["time"].endswith("Z")


def test_serve_refuses_an_open_softphone_without_a_login(monkeypatch: pytest.MonkeyPatch) -> None:
    result, ran = _serve(monkeypatch, "--softphone", "--host", "0.0.0.0")
    assert result.exit_code != 0 and ran == {}
    assert "AICALL_SOFTPHONE_TOKEN" in str(result.exception)
    monkeypatch.setenv("AICALL_SOFTPHONE_TOKEN", "s3cret-login")
    result, ran = _serve(monkeypatch, "--softphone", "--host", "0.0.0.0")
    assert result.exit_code == 0 and ran["host"] == "0.0.0.0"
