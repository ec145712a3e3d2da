"""Campaign calls through ``aicall serve``'s webhooks, signed as Twilio signs them: answering
machines per policy, a person streamed and in-call, status callbacks moving the attempt and
waking the dispatchers."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator

from agent.campaigns import Claim, MachinePolicy
from agent.config import Settings
from agent.runtime import AgentRuntime
from agent.server.app import create_app
from agent.voice.engines import VoiceEngines
from telephony.twilio.outbound import outbound_urls
from telephony.twilio.tokens import StreamTokenIssuer
from tests.campaigns.conftest import RecordingDialer, korean_people, setup_campaign

TOKEN = "test-auth-token"
PUBLIC = "https://agent.example.test"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[TestClient, AgentRuntime]]:
    """The app on a real runtime (SQLite), the campaigns' clock on Monday 10:00 in Seoul."""
    settings = Settings(
        data_dir=tmp_path,
        public_url=PUBLIC,
        twilio_auth_token=TOKEN,
        twilio_account_sid="AC1",
        queue_url="memory://",
        clock="fixed:2026-09-21T10:00:00+09:00",
    )
    runtime = AgentRuntime(settings)
    app = create_app(
        settings, runtime, engines=VoiceEngines(), tokens=StreamTokenIssuer(), warm_scenarios=[]
    )
    with TestClient(app) as client:
        yield client, runtime
    runtime.close()


def _post(client: TestClient, url: str, form: dict[str, str]):  # type: ignore[no-untyped-def]
    signature = RequestValidator(TOKEN).compute_signature(url, form)
    return client.post(url[len(PUBLIC) :], data=form, headers={"X-Twilio-Signature": signature})


def _dial(runtime: AgentRuntime, tmp_path: Path, n: int, **spec: object) -> list[Claim]:
    setup_campaign(runtime.campaigns, tmp_path, korean_people(n), **spec)
    claims = runtime.campaigns.claim_due("test")
    dialer = RecordingDialer()
    for claim in claims:
        runtime.campaigns.place(claim, dialer)
    return claims


def _sid(runtime: AgentRuntime, claim: Claim) -> str:
    (person,) = [p for p in runtime.campaigns.report("test").people if p.phone == claim.phone]
    assert person.last_call
    return person.last_call


def _form(sid: str, claim: Claim, **extra: str) -> dict[str, str]:
    return {"CallSid": sid, "AccountSid": "AC1", "From": "+15550100100", "To": claim.phone, **extra}


def test_a_machine_is_hung_up_on_and_the_attempt_retried(served, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client, runtime = served
    (claim,) = _dial(runtime, tmp_path, 1)
    sid = _sid(runtime, claim)
    voice, status = outbound_urls(PUBLIC, "carecall-ko", claim.person, str(claim.attempt_id))
    r = _post(client, voice, _form(sid, claim, AnsweredBy="machine_start"))
    assert r.status_code == 200
    assert ET.fromstring(r.text).find("./Hangup") is not None
    assert ET.fromstring(r.text).find("./Connect") is None
    r = _post(client, status, _form(sid, claim, CallStatus="completed", AnsweredBy="machine_start"))
    assert r.status_code == 204
    (person,) = runtime.campaigns.report("test").people
    assert person.result == "retrying" and "voicemail" in person.reasons[0]
    # the dispatchers were woken: now (a slot is free) and when the retry is due
    assert (
        runtime.campaign_queue.huey.pending_count() + runtime.campaign_queue.huey.scheduled_count()
        == 2
    )


def test_a_message_is_spoken_to_the_machine_in_korean(served, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client, runtime = served
    machine = MachinePolicy("message", "안녕하세요, {name}님. 다음 주에 다시 전화드릴게요.")
    (claim,) = _dial(runtime, tmp_path, 1, machine=machine)
    sid = _sid(runtime, claim)
    voice, status = outbound_urls(PUBLIC, "carecall-ko", claim.person, str(claim.attempt_id))
    r = _post(client, voice, _form(sid, claim, AnsweredBy="machine_end_beep"))
    say = ET.fromstring(r.text).find("./Say")
    assert say is not None and say.get("language") == "ko-KR"
    assert say.text == f"안녕하세요, {claim.person}님. 다음 주에 다시 전화드릴게요."
    _post(client, status, _form(sid, claim, CallStatus="completed"))
    (person,) = runtime.campaigns.report("test").people
    assert person.result == "reached-by-message"


def test_a_person_is_streamed_and_no_answer_is_retried(served, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client, runtime = served
    first, second = _dial(runtime, tmp_path, 2)
    sid = _sid(runtime, first)
    voice, _status = outbound_urls(PUBLIC, "carecall-ko", first.person, str(first.attempt_id))
    r = _post(client, voice, _form(sid, first, AnsweredBy="human"))
    assert ET.fromstring(r.text).find("./Connect/Stream") is not None
    other = _sid(runtime, second)
    _voice, status = outbound_urls(PUBLIC, "carecall-ko", second.person, str(second.attempt_id))
    for event in ("initiated", "ringing", "no-answer"):
        r = _post(client, status, _form(other, second, CallStatus=event, SipResponseCode="480"))
        assert r.status_code == 204
    results = {p.phone: p for p in runtime.campaigns.report("test").people}
    assert results[first.phone].result == "calling"
    assert results[second.phone].result == "retrying"
    assert "SIP 480" in results[second.phone].reasons[0]
    # a campaign's unanswered call is the campaign's: no legacy follow-up flag per try
    assert runtime.carecall.results("carecall-ko") == []


def test_an_unsigned_campaign_callback_changes_nothing(served, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client, runtime = served
    (claim,) = _dial(runtime, tmp_path, 1)
    _voice, status = outbound_urls(PUBLIC, "carecall-ko", claim.person, str(claim.attempt_id))
    r = client.post(
        status[len(PUBLIC) :], data=_form(_sid(runtime, claim), claim, CallStatus="busy")
    )
    assert r.status_code == 403
    assert runtime.campaigns.status("test").states == {"dialing": 1}
