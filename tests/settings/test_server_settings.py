"""The voice server's settings, set in the environment and seen through the real app."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import xml.etree.ElementTree as ET
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator

from agent.config import Settings
from agent.server.app import create_app
from agent.voice.asr import RecognitionOptions, SpeechRecognizer
from agent.voice.audio import PcmAudio
from agent.voice.engines import VoiceEngines
from agent.voice.tts import Synthesizer
from common.errors import InputError
from telephony.twilio import protocol
from telephony.twilio.tokens import StreamGrant, StreamTokenIssuer

TOKEN = "settings-auth-token"
PUBLIC = "https://settings.example.test"
FORM = {
    "CallSid": "CA00000000000000000000000000000001",
    "From": "+821011112222",
    "To": "+8225550100",
    "AccountSid": "AC1",
}


class FakeRuntime:
    def scenario(self, scenario_id: str) -> SimpleNamespace:
        if scenario_id not in {"restaurant-ko", "restaurant-en", "carecall-en"}:
            raise InputError(f"unknown scenario {scenario_id!r}")
        return SimpleNamespace(id=scenario_id, language=scenario_id[-2:], vocabulary=())

    def scenario_ids(self) -> list[str]:
        return ["carecall-en", "restaurant-en", "restaurant-ko"]

    def prepare_nlu(self, scenario_ids=None) -> None:
        pass

    def record_unreached(self, **call) -> bool:
        return True


def _web_runtime() -> Any:
    """A runtime for the web layer only (no call is admitted in these tests)."""
    return FakeRuntime()


@pytest.fixture()
def twilio_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("AICALL_PUBLIC_URL", PUBLIC)


def _voice_webhook(form: dict[str, str] = FORM, public: str = PUBLIC) -> tuple[int, str]:
    """POST /twilio/voice, signed as Twilio signs it for ``public``; status and body."""
    signature = RequestValidator(TOKEN).compute_signature(public + "/twilio/voice", form)
    app = create_app(Settings(), _web_runtime(), engines=VoiceEngines())
    with TestClient(app) as client:
        r = client.post("/twilio/voice", data=form, headers={"X-Twilio-Signature": signature})
    return r.status_code, r.text


def _stream(twiml: str) -> tuple[str, dict[str, str]]:
    stream = ET.fromstring(twiml).find("./Connect/Stream")
    assert stream is not None
    return stream.get("url", ""), {p.get("name", ""): p.get("value", "") for p in stream}


def test_public_url_is_what_signatures_and_the_stream_url_use(
    twilio_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, twiml = _voice_webhook()
    assert status == 200
    assert _stream(twiml)[0] == "wss://settings.example.test/twilio/media"
    # signed for another public URL: refused
    assert _voice_webhook(public="https://other.example.test")[0] == 403
    monkeypatch.setenv("AICALL_PUBLIC_URL", "https://other.example.test")
    status, twiml = _voice_webhook(public="https://other.example.test")
    assert status == 200 and _stream(twiml)[0] == "wss://other.example.test/twilio/media"


def test_number_scenarios_then_default_scenario_choose_the_scenario(
    twilio_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _stream(_voice_webhook()[1])[1]["scenario"] == "restaurant-ko"  # the default
    monkeypatch.setenv("AICALL_DEFAULT_SCENARIO", "carecall-en")
    assert _stream(_voice_webhook()[1])[1]["scenario"] == "carecall-en"
    monkeypatch.setenv("AICALL_NUMBER_SCENARIOS", json.dumps({FORM["To"]: "restaurant-en"}))
    assert _stream(_voice_webhook()[1])[1]["scenario"] == "restaurant-en"
    other = {**FORM, "To": "+8225550199"}  # a number the mapping does not name
    assert _stream(_voice_webhook(other)[1])[1]["scenario"] == "carecall-en"


def _token_lifetime() -> float:
    """Seconds the stream token in the TwiML stays valid (its signed expiry minus now)."""
    token = _stream(_voice_webhook()[1])[1]["token"]
    payload = token.split(".")[0]
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return float(body["e"]) - time.time()


def test_stream_token_ttl_is_the_lifetime_of_the_twiml_token(
    twilio_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert 55 < _token_lifetime() <= 60  # the documented default
    monkeypatch.setenv("AICALL_STREAM_TOKEN_TTL", "900")
    assert 895 < _token_lifetime() <= 900
    # and the media socket refuses it once that lifetime is over
    monkeypatch.setenv("AICALL_STREAM_TOKEN_TTL", "0.2")
    issuer = StreamTokenIssuer(ttl=Settings().stream_token_ttl)
    token = issuer.issue(StreamGrant("CA1", "restaurant-en", None, None))
    time.sleep(0.3)
    with pytest.raises(InputError, match="expired"):
        issuer.redeem(token)


@pytest.mark.parametrize(("value", "status"), [(None, 404), ("0", 404), ("1", 200)])
def test_softphone_serves_the_page_only_when_on(
    monkeypatch: pytest.MonkeyPatch, value: str | None, status: int
) -> None:
    if value is not None:
        monkeypatch.setenv("AICALL_SOFTPHONE", value)
    app = create_app(Settings(), _web_runtime(), engines=VoiceEngines())
    # a browser on this machine (the server reached on loopback): no login needed
    with TestClient(app, base_url="http://127.0.0.1", client=("127.0.0.1", 50000)) as client:
        assert client.get("/softphone").status_code == status
        assert client.post("/softphone/call?scenario=restaurant-en").status_code == (
            status if status == 404 else 200
        )


class _Silence(Synthesizer):
    def __init__(self) -> None:
        super().__init__(cache_size=0)

    def _synthesize(self, text: str) -> PcmAudio:
        return PcmAudio(b"\x00\x00" * 800, 8000)  # 0.1 s


class _Deaf(SpeechRecognizer):
    def _recognize(self, audio: PcmAudio, options: RecognitionOptions) -> tuple[str, float]:
        return "", 0.0


def test_max_call_seconds_ends_a_live_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """A real media stream through the server: the call ends politely at the limit."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    from agent.server.loopback import serve_on_loopback
    from tests.voice.fakes import FakeRuntime as CallRuntime

    monkeypatch.setenv("AICALL_MAX_CALL_SECONDS", "1")  # the default is 600
    monkeypatch.setenv("AICALL_SILENCE_REPROMPT_SECONDS", "60")
    runtime = CallRuntime()
    served: Any = runtime  # tests.voice.fakes is untyped
    issuer = StreamTokenIssuer()
    engines = VoiceEngines(recognizers={"en": _Deaf()}, synthesizers={"en": _Silence()})
    app = create_app(Settings(), served, engines=engines, tokens=issuer)
    token = issuer.issue(
        StreamGrant("CA00000000000000000000000000000001", "fake-en", "+15550100", None)
    )

    async def call() -> float:
        async with serve_on_loopback(app) as base:
            started = time.monotonic()
            async with connect(base.replace("http", "ws") + "/twilio/media") as ws:
                await ws.send(protocol.build_connected())
                await ws.send(
                    protocol.build_start(
                        "MZlimit", "CA00000000000000000000000000000001", {"token": token}
                    )
                )
                while time.monotonic() - started < 15:
                    try:
                        await asyncio.wait_for(ws.recv(), 0.5)
                    except TimeoutError:
                        pass
                    except ConnectionClosed:
                        break
                    if runtime.sessions and runtime.sessions[0].closed:
                        break
            return time.monotonic() - started

    elapsed = asyncio.run(call())
    (session,) = runtime.sessions
    assert session.closed == ("completed", "time limit")
    assert elapsed < 10


def test_warm_scenarios_are_the_nlus_prepared_before_answering(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    class Recording(FakeRuntime):
        prepared: list[object] = []

        def prepare_nlu(self, scenario_ids=None) -> None:
            self.prepared.append(None if scenario_ids is None else list(scenario_ids))

    monkeypatch.setenv("AICALL_DATA_DIR", str(tmp_path))
    for env, expected in ((None, None), ('["restaurant-en"]', ["restaurant-en"])):
        if env is not None:
            monkeypatch.setenv("AICALL_WARM_SCENARIOS", env)
        runtime = Recording()
        runtime.prepared = []
        with TestClient(create_app(Settings(), runtime, engines=VoiceEngines())):
            pass
        assert runtime.prepared == [expected]  # unset: every scenario (None); set: only those
