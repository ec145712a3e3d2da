"""Bad input at the server: structured refusals, never an unhandled exception (#17).

Before admission (the in-process ASGI client raises any exception the app lets out, so a
crash fails these tests): every malformed message closes the stream with a close code and a
reason. After admission (a real uvicorn server on loopback, the real Twilio protocol): the
call ends and its stored end reason is the real cause, not "stream disconnected".
"""

from __future__ import annotations

import asyncio
import json
import logging
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from agent.config import Settings
from agent.server.app import create_app
from agent.voice.asr import RecognitionOptions, SpeechRecognizer
from agent.voice.audio import PcmAudio
from agent.voice.engines import VoiceEngines
from agent.voice.report import CallReport
from agent.voice.tts import Synthesizer
from telephony.twilio import protocol
from telephony.twilio.tokens import StreamGrant, StreamTokenIssuer
from tests.server.test_webhooks import FORM, PUBLIC, TOKEN, FakeRuntime, _signed

SID = "CA" + "5" * 32


@pytest.fixture()
def server():
    settings = Settings(
        public_url=PUBLIC, twilio_auth_token=TOKEN, default_scenario="restaurant-en"
    )
    issuer = StreamTokenIssuer(ttl=30)
    runtime = FakeRuntime()
    app = create_app(settings, runtime, engines=VoiceEngines(), tokens=issuer)
    with TestClient(app) as client:
        yield client, issuer, runtime


def _start(**changes: Any) -> str:
    message = json.loads(protocol.build_start("MZ1", SID, {"token": "t"}))
    message["start"].update(changes)
    return json.dumps(message)


#: The issue's hand-made messages (and more), sent where ``start`` is expected.
BEFORE_START = [
    ("binary frame", b'{"event": "connected"}', 1003, "binary"),
    ("not JSON", "{not json", 1008, "not JSON"),
    ("empty text", "", 1008, "not JSON"),
    ("JSON array", "[1, 2]", 1008, "not a JSON object"),
    ("no event", '{"start": {}}', 1008, "event"),
    ("mediaFormat string", _start(mediaFormat="audio/x-mulaw"), 1008, "media format"),
    ("mediaFormat number", _start(mediaFormat=8000), 1008, "media format"),
    ("mediaFormat bool", _start(mediaFormat=True), 1008, "media format"),
    ("no sampleRate", _start(mediaFormat={"encoding": "audio/x-mulaw"}), 1008, "sampleRate"),
    (
        "sampleRate text",
        _start(mediaFormat={"encoding": "audio/x-mulaw", "sampleRate": "8k"}),
        1008,
        "sampleRate",
    ),
    ("nested JSON", '{"event": "start", "start": ' + "[" * 50 + "]" * 50 + "}", 1008, "nested"),
    ("deep JSON", "[" * 100_000, 1009, "limit"),
    ("unknown event", '{"event": "hello"}', 1008, "unknown event"),
    ("callSid traversal", _start(callSid="../escaped-39e846"), 1008, "not a call SID"),
    ("callSid number", _start(callSid=7), 1008, "callSid"),
    ("media before start", protocol.build_media("MZ1", b"\xff" * 160), 1008, "start"),
]


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [case[1:] for case in BEFORE_START],
    ids=[case[0] for case in BEFORE_START],
)
def test_a_malformed_message_before_start_is_closed_with_code_and_reason(
    server, caplog: pytest.LogCaptureFixture, data: str | bytes, code: int, words: str
) -> None:
    client, _, runtime = server
    with client.websocket_connect("/twilio/media") as ws:
        ws.send_text(protocol.build_connected())
        ws.send_bytes(data) if isinstance(data, bytes) else ws.send_text(data)
        with pytest.raises(WebSocketDisconnect) as exc:
            ws.receive_text()
    assert (exc.value.code, runtime.calls) == (code, [])
    assert words in exc.value.reason, exc.value.reason
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "rejected a media stream: \n" not in caplog.text


def test_only_a_few_messages_may_precede_start(server) -> None:
    client, *_ = server
    with client.websocket_connect("/twilio/media") as ws:
        for _ in range(4):
            ws.send_text(protocol.build_connected())
        with pytest.raises(WebSocketDisconnect) as exc:
            ws.receive_text()
    assert exc.value.code == 1008 and "no 'start'" in exc.value.reason


def test_a_token_for_no_call_admits_nothing(server) -> None:
    """A token bound to no call (as a webhook without CallSid once issued) is refused."""
    client, issuer, runtime = server
    token = issuer.issue(StreamGrant("", "restaurant-en"))
    with client.websocket_connect("/twilio/media") as ws:
        ws.send_text(protocol.build_start("MZ1", SID, {"token": token}))
        with pytest.raises(WebSocketDisconnect) as exc:
            ws.receive_text()
    assert exc.value.code == 1008 and "another call" in exc.value.reason
    assert runtime.calls == []


@pytest.mark.parametrize("call_sid", [None, "", "../escaped-39e846", "CA1", "CA" + "G" * 32])
def test_a_signed_voice_webhook_without_a_valid_call_sid_gets_no_token(
    server, call_sid: str | None
) -> None:
    client, *_ = server
    form = {k: v for k, v in FORM.items() if k != "CallSid"}
    if call_sid is not None:
        form["CallSid"] = call_sid
    r = client.post("/twilio/voice", data=form, headers=_signed("/twilio/voice", form))
    assert r.status_code == 400 and "CallSid" in r.text
    assert "token" not in r.text and "<Stream" not in r.text


def test_a_status_callback_with_a_traversal_call_sid_stores_nothing(server) -> None:
    client, _, runtime = server
    form = {"CallSid": "../escaped-39e846", "CallStatus": "busy"}
    path = "/twilio/status?direction=outbound&scenario=restaurant-en"
    r = client.post(path, data=form, headers=_signed(path, form))
    assert r.status_code == 400
    assert runtime.unreached == [] and client.app.state.aicall.statuses == {}


def test_a_report_never_writes_outside_its_directory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    calls = tmp_path / "calls"
    report = CallReport(call_id="../escaped-39e846", scenario="restaurant-en", status="failed")
    report.save(calls, None)  # logged, never raised
    assert list(tmp_path.rglob("*.json")) == []
    assert "not a valid call id" in caplog.text
    CallReport(call_id=SID, scenario="restaurant-en").save(calls, None)
    assert [p.name for p in calls.iterdir()] == [f"{SID}.json"]


def test_a_request_body_over_the_limit_is_413(server) -> None:
    client, *_ = server
    r = client.post(
        "/twilio/voice", content=b"a=" + b"x" * (64 * 1024), headers=_signed("/twilio/voice", {})
    )
    assert r.status_code == 413

    def chunks():  # no Content-Length: counted as it streams
        for _ in range(20):
            yield b"x" * 8192

    form = {"content-type": "application/x-www-form-urlencoded"}
    r = client.post("/twilio/voice", content=chunks(), headers=form)
    assert r.status_code == 413
    # a webhook of ordinary size still works
    ok = client.post("/twilio/voice", data=FORM, headers=_signed("/twilio/voice", FORM))
    assert ok.status_code == 200


def test_a_browser_origin_other_than_the_server_is_refused(server) -> None:
    client, *_ = server
    headers = {"origin": "https://evil.example", "host": "testserver"}
    with client.websocket_connect("/twilio/media", headers=headers) as ws:
        with pytest.raises(WebSocketDisconnect) as exc:
            ws.receive_text()
    assert exc.value.code == 1008 and "origin" in exc.value.reason
    # the server's own page may open it (then the token decides)
    own = {"origin": "http://testserver", "host": "testserver"}
    with client.websocket_connect("/twilio/media", headers=own) as ws:
        ws.send_text(protocol.build_start("MZ1", SID, {"token": "forged.token"}))
        with pytest.raises(WebSocketDisconnect) as exc:
            ws.receive_text()
    assert exc.value.code == 1008 and "token" in exc.value.reason


def _twiml_say(twiml: str) -> tuple[str | None, str]:
    root = ET.fromstring(twiml)
    say = root.find("Say")
    assert say is not None and root.find("Hangup") is not None and root.find("Connect") is None
    return say.get("language"), say.text or ""


def test_beyond_max_calls_the_webhook_answers_busy_in_the_scenarios_language() -> None:
    runtime = FakeRuntime()
    settings = Settings(public_url=PUBLIC, twilio_auth_token=TOKEN, max_calls=0)
    issuer = StreamTokenIssuer()
    app = create_app(settings, runtime, engines=VoiceEngines(), tokens=issuer)
    with TestClient(app) as client:
        for scenario, language, words in (
            ("restaurant-ko", "ko-KR", "통화가 많아"),
            ("restaurant-en", "en-US", "busy"),
        ):
            path = f"/twilio/voice?scenario={scenario}"
            r = client.post(path, data=FORM, headers=_signed(path, FORM))
            assert r.status_code == 200 and "token" not in r.text
            assert _twiml_say(r.text)[0] == language and words in _twiml_say(r.text)[1]
        # a stream that holds a valid token is refused too: try again later
        token = issuer.issue(StreamGrant(SID, "restaurant-en"))
        with client.websocket_connect("/twilio/media") as ws:
            ws.send_text(protocol.build_start("MZ1", SID, {"token": token}))
            with pytest.raises(WebSocketDisconnect) as exc:
                ws.receive_text()
    assert exc.value.code == 1013 and "busy" in exc.value.reason
    assert runtime.calls == []


# After admission: a real server on loopback ------------------------------------------


class _Silence(Synthesizer):
    def __init__(self) -> None:
        super().__init__(cache_size=0)

    def _synthesize(self, text: str) -> PcmAudio:
        return PcmAudio(b"\x00\x00" * 800, 8000)


class _Deaf(SpeechRecognizer):
    def _recognize(self, audio: PcmAudio, options: RecognitionOptions) -> tuple[str, float]:
        return "", 0.0


#: Messages that break an admitted call: (name, what is sent, close code, stored words).
AFTER_START: list[tuple[str, str | bytes, int, str]] = [
    ("bad base64", json.dumps({"event": "media", "media": {"payload": "@@"}}), 1008, "base64"),
    ("binary frame", b"\x00\x01\x02", 1003, "binary frame"),
    ("nested JSON", '{"event": "media", "media": ' + "[" * 40 + "]" * 40 + "}", 1008, "nested"),
    (
        "oversize payload",
        protocol.build_media("MZ1", b"\xff" * 8000),
        1009,
        "payload over 1600 bytes",
    ),
    ("5 MB message", "x" * 5_000_000, 1009, "close code 1009: message too big"),
    ("mediaFormat string", _start(mediaFormat="audio/x-mulaw"), 1008, "media format"),
    ("unknown event", '{"event": "hello"}', 1008, "unknown event 'hello'"),
    ("wrong type", '{"event": "dtmf", "dtmf": {"digit": 5}}', 1008, "DTMF"),
]


def test_malformed_messages_on_admitted_calls_end_them_with_the_real_cause(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    from agent.server.loopback import serve_on_loopback
    from tests.voice.fakes import FakeRuntime as CallRuntime

    runtime = CallRuntime()
    issuer = StreamTokenIssuer()
    engines = VoiceEngines(recognizers={"en": _Deaf()}, synthesizers={"en": _Silence()})
    served: Any = runtime
    app = create_app(Settings(), served, engines=engines, tokens=issuer)
    sids = ["CA" + f"{i:032x}" for i in range(len(AFTER_START) + 1)]

    async def call(base: str, sid: str, bad: list[str | bytes]) -> tuple[int, str]:
        token = issuer.issue(StreamGrant(sid, "fake-en", "+15550100", None))
        async with connect(base.replace("http", "ws") + "/twilio/media", max_size=None) as ws:
            await ws.send(protocol.build_connected())
            await ws.send(protocol.build_start("MZ" + sid[2:], sid, {"token": token}))
            for _ in range(5):
                await ws.send(protocol.build_media("MZ", b"\xff" * 160))
            await asyncio.wait_for(ws.recv(), 10)  # the greeting: the call is running
            try:
                for message in bad:
                    await ws.send(message)
                async for _ in ws:
                    pass
            except ConnectionClosed:
                pass
            assert ws.close_code is not None
            return ws.close_code, ws.close_reason or ""

    async def scenario() -> list[tuple[int, str]]:
        closes = []
        async with serve_on_loopback(app) as base:
            for sid, (_, message, _, _) in zip(sids, AFTER_START, strict=False):
                closes.append(await asyncio.wait_for(call(base, sid, [message]), 20))
            # 50 bad messages on one call: one warning line for the call, and a count
            bad = json.dumps({"event": "media", "media": {"payload": "@@"}})
            closes.append(await asyncio.wait_for(call(base, sids[-1], [bad] * 50), 20))
            for _ in range(100):
                if len(app.state.aicall.reports) == len(sids):
                    break
                await asyncio.sleep(0.05)
        return closes

    with caplog.at_level(logging.INFO):
        closes = asyncio.run(scenario())
    by_id = {s.call_id: s for s in runtime.sessions}
    for sid, (name, _, code, words), (got_code, got_reason) in zip(
        sids, AFTER_START, closes, strict=False
    ):
        status, reason = by_id[sid].closed or ("", "")
        assert status == "failed" and words in (reason or ""), (name, reason)
        assert "stream disconnected" not in (reason or "") or code == 1009, (name, reason)
        assert got_code == code, (name, got_code, got_reason)
        if name != "5 MB message":  # closed by the server's frame limit, before the app
            assert got_reason and got_reason in (reason or ""), (name, got_reason, reason)
    assert by_id[sids[-1]].closed[0] == "failed"
    lines = [r.getMessage() for r in caplog.records if sids[-1] in r.getMessage()]
    assert sum("bad media stream" in line for line in lines) == 1, lines
    assert any("malformed messages" in line for line in lines), lines
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not [r for r in errors if "Exception in ASGI application" in r.getMessage()]
    assert not [r for r in errors if r.exc_info], [r.getMessage() for r in errors]


def test_a_flood_of_refused_streams_logs_a_line_per_kind_not_per_stream(
    server, caplog: pytest.LogCaptureFixture
) -> None:
    client, *_ = server
    with caplog.at_level(logging.WARNING):
        for _ in range(50):
            with client.websocket_connect("/twilio/media") as ws:
                ws.send_text("{not json")
                with pytest.raises(WebSocketDisconnect):
                    ws.receive_text()
    lines = [r.getMessage() for r in caplog.records if "rejected a media stream" in r.getMessage()]
    assert len(lines) <= 1, lines  # one per kind per 10 s (none if one was logged just before)
    assert all(line.rstrip()[-1] != ":" for line in lines)
