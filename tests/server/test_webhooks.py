"""Twilio webhooks and the media WebSocket's admission, without speech models."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect
from twilio.request_validator import RequestValidator

from agent.config import Settings
from agent.server.app import create_app
from agent.voice.engines import VoiceEngines
from common.errors import InputError
from telephony.twilio import protocol
from telephony.twilio.tokens import StreamGrant, StreamTokenIssuer

TOKEN = "test-auth-token"
PUBLIC = "https://agent.example.test"


class FakeRuntime:
    def __init__(self) -> None:
        self.calls: list[str] = []
        self.unreached: list[dict] = []

    def scenario(self, scenario_id: str):
        if scenario_id not in {"restaurant-ko", "restaurant-en"}:
            raise InputError(f"unknown scenario {scenario_id!r}")
        return SimpleNamespace(id=scenario_id, language=scenario_id[-2:], vocabulary=())

    def new_call(self, scenario_id, **kwargs):  # pragma: no cover - no call is admitted here
        self.calls.append(scenario_id)
        raise AssertionError("no call should start")

    def prepare_nlu(self, scenario_ids=None) -> None:
        pass

    def record_unreached(self, **call) -> bool:
        self.unreached.append(call)
        return True


@pytest.fixture()
def setup():
    settings = Settings(
        public_url=PUBLIC,
        twilio_auth_token=TOKEN,
        number_scenarios={"+8225550100": "restaurant-ko"},
        default_scenario="restaurant-en",
    )
    issuer = StreamTokenIssuer(ttl=30)
    runtime = FakeRuntime()
    app = create_app(settings, runtime, engines=VoiceEngines(), tokens=issuer)
    with TestClient(app) as client:
        yield client, app, issuer, runtime


def _signed(path: str, form: dict[str, str]) -> dict[str, str]:
    return {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(PUBLIC + path, form)}


FORM = {
    "CallSid": "CA00000000000000000000000000000001",
    "From": "+821011112222",
    "To": "+8225550100",
    "AccountSid": "AC1",
}


def _stream(twiml: str) -> tuple[str, dict[str, str]]:
    stream = ET.fromstring(twiml).find("./Connect/Stream")
    assert stream is not None
    return stream.get("url", ""), {p.get("name"): p.get("value") for p in stream}


def test_voice_webhook_answers_a_stream_with_scenario_and_token(setup) -> None:
    client, _, issuer, _ = setup
    r = client.post("/twilio/voice", data=FORM, headers=_signed("/twilio/voice", FORM))
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    url, params = _stream(r.text)
    assert url == "wss://agent.example.test/twilio/media"
    assert params["scenario"] == "restaurant-ko"  # from the called number
    grant = issuer.redeem(params["token"])
    assert grant == StreamGrant(
        "CA00000000000000000000000000000001", "restaurant-ko", "+821011112222", "+8225550100"
    )


def test_query_overrides_the_number_mapping(setup) -> None:
    client, *_ = setup
    path = "/twilio/voice?scenario=restaurant-en"
    r = client.post(path, data=FORM, headers=_signed(path, FORM))
    assert _stream(r.text)[1]["scenario"] == "restaurant-en"


def test_unknown_scenario_is_404(setup) -> None:
    client, *_ = setup
    path = "/twilio/voice?scenario=nope"
    assert client.post(path, data=FORM, headers=_signed(path, FORM)).status_code == 404


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Twilio-Signature": "forged"}, _signed("/twilio/voice", {**FORM, "To": "+1"})],
)
def test_forged_voice_webhook_is_403_and_issues_nothing(setup, headers) -> None:
    client, *_ = setup
    r = client.post("/twilio/voice", data=FORM, headers=headers)
    assert r.status_code == 403
    assert "token" not in r.text


def test_signature_is_checked_against_the_public_url(setup) -> None:
    client, *_ = setup
    wrong = {
        "X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(
            "http://testserver/twilio/voice", FORM
        )
    }
    assert client.post("/twilio/voice", data=FORM, headers=wrong).status_code == 403


def test_status_callback_is_recorded_only_when_signed(setup) -> None:
    client, app, *_ = setup
    form = {"CallSid": "CA00000000000000000000000000000009", "CallStatus": "completed"}
    assert client.post("/twilio/status", data=form).status_code == 403
    assert app.state.aicall.statuses == {}
    r = client.post("/twilio/status", data=form, headers=_signed("/twilio/status", form))
    assert r.status_code == 204
    assert app.state.aicall.statuses == {"CA00000000000000000000000000000009": "completed"}


def test_no_auth_token_means_every_webhook_is_refused() -> None:
    app = create_app(Settings(public_url=PUBLIC), FakeRuntime(), engines=VoiceEngines())
    with TestClient(app) as client:
        r = client.post("/twilio/voice", data=FORM, headers=_signed("/twilio/voice", FORM))
    assert r.status_code == 403


@pytest.mark.parametrize("token", [None, "garbage", "x.y"])
def test_media_socket_refuses_a_bad_token(setup, token) -> None:
    client, _, _, runtime = setup
    params = {} if token is None else {"token": token}
    with client.websocket_connect("/twilio/media") as ws:
        ws.send_text(protocol.build_connected())
        ws.send_text(protocol.build_start("MZ1", "CA00000000000000000000000000000001", params))
        with pytest.raises(WebSocketDisconnect) as exc:
            ws.receive_text()
    assert exc.value.code == 1008
    assert runtime.calls == []


def test_media_socket_refuses_a_token_of_another_call(setup) -> None:
    client, _, issuer, runtime = setup
    token = issuer.issue(StreamGrant("CA-other", "restaurant-en"))
    with client.websocket_connect("/twilio/media") as ws:
        ws.send_text(
            protocol.build_start("MZ1", "CA00000000000000000000000000000001", {"token": token})
        )
        with pytest.raises(WebSocketDisconnect) as exc:
            ws.receive_text()
    assert exc.value.code == 1008 and runtime.calls == []


def test_media_socket_refuses_a_malformed_start(setup) -> None:
    client, *_ = setup
    with client.websocket_connect("/twilio/media") as ws:
        ws.send_text("{not json")
        with pytest.raises(WebSocketDisconnect) as exc:
            ws.receive_text()
    assert exc.value.code == 1008
