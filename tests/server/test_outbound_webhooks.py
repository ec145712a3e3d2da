"""Webhooks of outbound calls: signed requests as Twilio sends them for a call the agent placed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect
from twilio.request_validator import RequestValidator

from agent.config import Settings
from agent.runtime import AgentRuntime
from agent.server.app import create_app
from agent.voice.engines import VoiceEngines
from common.errors import NotConfiguredError
from telephony.twilio import protocol
from telephony.twilio.tokens import StreamTokenIssuer

TOKEN = "test-auth-token"
PUBLIC = "https://agent.example.test"
AGENT_NUMBER, PERSON_NUMBER = "+15550100100", "+821012345678"


def _query(scenario: str, person: str | None = "박순자") -> str:
    query = {"direction": "outbound", "scenario": scenario}
    if person:
        query["person"] = person
    return urlencode(query)


def _post(client: TestClient, path: str, form: dict[str, str], *, signed: bool = True):
    headers = {}
    if signed:
        signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, form)
        headers["X-Twilio-Signature"] = signature
    return client.post(path, data=form, headers=headers)


def _form(call_sid: str, **extra: str) -> dict[str, str]:
    return {
        "CallSid": call_sid,
        "AccountSid": "AC1",
        "From": AGENT_NUMBER,
        "To": PERSON_NUMBER,
        "Direction": "outbound-api",
        **extra,
    }


def _stream_params(twiml: str) -> dict[str, str]:
    stream = ET.fromstring(twiml).find("./Connect/Stream")
    assert stream is not None, twiml
    return {p.get("name", ""): p.get("value", "") for p in stream}


@pytest.fixture()
def real(tmp_path):
    """The app on the real runtime (SQLite in ``tmp_path``); no speech engines."""
    settings = Settings(
        data_dir=tmp_path, public_url=PUBLIC, twilio_auth_token=TOKEN, twilio_account_sid="AC1"
    )
    runtime = AgentRuntime(settings)
    issuer = StreamTokenIssuer(ttl=30)
    app = create_app(settings, runtime, engines=VoiceEngines(), tokens=issuer, warm_scenarios=[])
    with TestClient(app) as client:
        yield client, runtime, issuer
    runtime.close()


def test_the_answered_call_gets_a_stream_granting_outbound_and_the_person(real) -> None:
    client, runtime, issuer = real
    r = _post(
        client,
        f"/twilio/voice?{_query('carecall-ko')}",
        _form("CA00000000000000000000000000000001", CallStatus="in-progress"),
    )
    assert r.status_code == 200
    params = _stream_params(r.text)
    assert params["scenario"] == "carecall-ko"
    grant = issuer.redeem(params["token"])
    assert (grant.call_sid, grant.scenario, grant.direction, grant.person) == (
        "CA00000000000000000000000000000001",
        "carecall-ko",
        "outbound",
        "박순자",
    )
    assert (grant.caller, grant.callee) == (AGENT_NUMBER, PERSON_NUMBER)
    assert (
        runtime.calls.get_call("CA00000000000000000000000000000001") is None
    )  # stored when the stream starts the dialogue


def test_an_inbound_call_cannot_claim_a_person_without_the_outbound_marker(real) -> None:
    client, _, issuer = real
    path = "/twilio/voice?" + urlencode({"scenario": "carecall-en", "person": "Someone"})
    r = _post(client, path, _form("CA00000000000000000000000000000002"))
    grant = issuer.redeem(_stream_params(r.text)["token"])
    assert grant.direction is None and grant.person is None


def test_the_media_stream_starts_an_outbound_call_with_its_person(real) -> None:
    client, runtime, issuer = real
    r = _post(
        client,
        f"/twilio/voice?{_query('carecall-ko')}",
        _form("CA00000000000000000000000000000003"),
    )
    params = _stream_params(r.text)
    with client.websocket_connect("/twilio/media") as ws:
        ws.send_text(protocol.build_start("MZ3", "CA00000000000000000000000000000003", params))
        # No speech engines here: the call is stored, then cannot run (1011).
        with pytest.raises(WebSocketDisconnect) as exc:
            ws.receive_text()
    assert exc.value.code == 1011
    stored = runtime.calls.get_call("CA00000000000000000000000000000003")
    assert stored is not None
    assert (stored.direction, stored.scenario_id) == ("outbound", "carecall-ko")
    assert (stored.caller, stored.callee) == (AGENT_NUMBER, PERSON_NUMBER)


class _RecordingRuntime:
    """Records what ``new_call`` is given, then refuses the call."""

    def __init__(self) -> None:
        self.kwargs: list[dict[str, object]] = []

    def scenario(self, scenario_id: str):
        return SimpleNamespace(id=scenario_id, language="ko", vocabulary=(), handover_number=None)

    def new_call(self, scenario_id: str, **kwargs):
        self.kwargs.append(kwargs)
        raise NotConfiguredError("no dialogue in this test")

    def prepare_nlu(self, scenario_ids=None) -> None:
        pass

    def record_unreached(self, **call) -> bool:
        raise AssertionError("no status callback in this test")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (_query("carecall-ko"), {"direction": "outbound", "person": "박순자"}),
        (_query("carecall-en", None), {"direction": "outbound"}),
        ("scenario=carecall-en", {"direction": None}),
    ],
)
def test_new_call_gets_the_direction_and_person_of_the_grant(query, expected) -> None:
    settings = Settings(public_url=PUBLIC, twilio_auth_token=TOKEN)
    runtime = _RecordingRuntime()
    app = create_app(settings, runtime, engines=VoiceEngines(), warm_scenarios=[])
    with TestClient(app) as client:
        r = _post(client, f"/twilio/voice?{query}", _form("CA00000000000000000000000000000004"))
        params = _stream_params(r.text)
        with client.websocket_connect("/twilio/media") as ws:
            ws.send_text(protocol.build_start("MZ4", "CA00000000000000000000000000000004", params))
            with pytest.raises(WebSocketDisconnect):
                ws.receive_text()
    (kwargs,) = runtime.kwargs
    assert {k: kwargs.get(k) for k in expected} == expected
    assert "person" in kwargs if "person" in expected else "person" not in kwargs


@pytest.mark.parametrize(
    ("twilio_status", "stored", "extra"),
    [
        ("no-answer", "no_answer", {}),
        ("busy", "busy", {"SipResponseCode": "486"}),
        ("failed", "failed", {"ErrorCode": "32009", "ErrorMessage": "Your TwiML was invalid"}),
    ],
)
def test_a_care_call_nobody_answered_is_stored_and_flagged(
    real, twilio_status, stored, extra
) -> None:
    client, runtime, _ = real
    path = f"/twilio/status?{_query('carecall-ko')}"
    for status in ("initiated", "ringing", twilio_status):
        r = _post(
            client, path, _form("CA00000000000000000000000000000005", CallStatus=status, **extra)
        )
        assert r.status_code == 204
    call = runtime.calls.get_call("CA00000000000000000000000000000005")
    assert call is not None
    assert (call.direction, call.status, call.callee) == ("outbound", stored, PERSON_NUMBER)
    assert call.ended_at is not None
    if extra:
        assert call.failure_reason and all(v in call.failure_reason for v in extra.values())
    (result,) = runtime.carecall.results("carecall-ko")
    assert (result.person, result.call_id, result.flagged) == (
        "박순자",
        "CA00000000000000000000000000000005",
        True,
    )
    assert result.reasons == ("call_incomplete", stored)
    # Twilio may send a callback twice: nothing changes.
    assert (
        _post(
            client, path, _form("CA00000000000000000000000000000005", CallStatus=twilio_status)
        ).status_code
        == 204
    )
    assert len(runtime.carecall.results()) == 1


def test_an_unnamed_call_is_flagged_under_its_number(real) -> None:
    client, runtime, _ = real
    path = f"/twilio/status?{_query('carecall-en', None)}"
    _post(client, path, _form("CA00000000000000000000000000000006", CallStatus="no-answer"))
    (result,) = runtime.carecall.results()
    assert result.person == PERSON_NUMBER and result.reasons == ("call_incomplete", "no_answer")


def test_an_unanswered_restaurant_call_is_stored_without_a_flag(real) -> None:
    client, runtime, _ = real
    path = f"/twilio/status?{_query('restaurant-ko', None)}"
    assert (
        _post(
            client, path, _form("CA00000000000000000000000000000007", CallStatus="busy")
        ).status_code
        == 204
    )
    call = runtime.calls.get_call("CA00000000000000000000000000000007")
    assert call is not None and call.status == "busy"
    assert runtime.carecall.results() == []


def test_a_completed_call_that_ran_is_left_as_the_dialogue_stored_it(real) -> None:
    client, runtime, _ = real
    runtime.calls.start_call(
        call_id="CA00000000000000000000000000000008",
        scenario_id="carecall-ko",
        direction="outbound",
    )
    runtime.calls.end_call("CA00000000000000000000000000000008", "completed", outcome="answered")
    r = _post(
        client,
        f"/twilio/status?{_query('carecall-ko')}",
        _form("CA00000000000000000000000000000008", CallStatus="completed"),
    )
    assert r.status_code == 204
    call = runtime.calls.get_call("CA00000000000000000000000000000008")
    assert call is not None and (call.status, call.outcome) == ("completed", "answered")
    assert runtime.carecall.results() == []


def test_a_completed_call_the_agent_never_ran_is_failed_and_flagged(real) -> None:
    client, runtime, _ = real
    r = _post(
        client,
        f"/twilio/status?{_query('carecall-ko')}",
        _form("CA00000000000000000000000000000009", CallStatus="completed"),
    )
    assert r.status_code == 204
    call = runtime.calls.get_call("CA00000000000000000000000000000009")
    assert call is not None and call.status == "failed"
    assert runtime.carecall.results()[0].reasons == ("call_incomplete", "failed")


def test_an_answering_machine_is_hung_up_on_and_stored_as_voicemail(real) -> None:
    client, runtime, _ = real
    form = _form("CA00000000000000000000000000000010", AnsweredBy="machine_start")
    r = _post(client, f"/twilio/voice?{_query('carecall-ko')}", form)
    assert r.status_code == 200
    root = ET.fromstring(r.text)
    assert root.find("./Hangup") is not None and root.find("./Connect") is None
    call = runtime.calls.get_call("CA00000000000000000000000000000010")
    assert call is not None and call.status == "voicemail"
    assert runtime.carecall.results()[0].reasons == ("call_incomplete", "voicemail")


@pytest.mark.parametrize("path", ["/twilio/status", "/twilio/voice"])
def test_forged_outbound_callbacks_store_nothing(real, path) -> None:
    client, runtime, _ = real
    form = _form(
        "CA00000000000000000000000000000011", CallStatus="no-answer", AnsweredBy="machine_start"
    )
    assert _post(client, f"{path}?{_query('carecall-ko')}", form, signed=False).status_code == 403
    forged = {
        "X-Twilio-Signature": RequestValidator("not-the-token").compute_signature(
            f"{PUBLIC}{path}?{_query('carecall-ko')}", form
        )
    }
    r = client.post(f"{path}?{_query('carecall-ko')}", data=form, headers=forged)
    assert r.status_code == 403
    # A signature over another person's URL does not carry over to this one.
    signed_other = RequestValidator(TOKEN).compute_signature(
        f"{PUBLIC}{path}?{_query('carecall-ko', '김철수')}", form
    )
    r = client.post(
        f"{path}?{_query('carecall-ko')}", data=form, headers={"X-Twilio-Signature": signed_other}
    )
    assert r.status_code == 403
    assert (
        runtime.calls.get_call("CA00000000000000000000000000000011") is None
        and runtime.carecall.results() == []
    )


def test_an_unknown_scenario_in_a_status_callback_is_refused_and_stores_nothing(real) -> None:
    client, runtime, _ = real
    r = _post(
        client,
        f"/twilio/status?{_query('nope')}",
        _form("CA00000000000000000000000000000012", CallStatus="busy"),
    )
    assert r.status_code == 503
    assert runtime.calls.get_call("CA00000000000000000000000000000012") is None
