"""Placing outbound calls with twilio's REST client against a loopback Calls API stand-in."""

from __future__ import annotations

import socket
from urllib.parse import parse_qs, urlsplit

import pytest

from common.errors import BackendUnavailableError, InputError, NotConfiguredError
from telephony.twilio.outbound import (
    OutboundCall,
    TwilioDialer,
    check_number,
    hangup_twiml,
    is_machine,
    outbound_urls,
)
from tests.telephony.twilio_api import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    BROKEN_TO,
    INVALID_TO,
    twilio_stand_in,
)

PUBLIC = "https://agent.example.test"
FROM = "+15550100100"


def _dialer(api_url: str) -> TwilioDialer:
    return TwilioDialer(
        account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, public_url=PUBLIC, api_base_url=api_url
    )


def test_a_care_call_is_created_with_its_webhooks_and_person() -> None:
    with twilio_stand_in() as api:
        call = OutboundCall(
            to="+82 10-1234-5678", scenario="carecall-ko", from_=FROM, person="박순자"
        )
        placed = _dialer(api.url).place(call)
    assert placed.sid.startswith("CA") and placed.status == "queued"
    (form,) = api.requests
    assert form["To"] == ["+821012345678"] and form["From"] == [FROM]
    assert form["Method"] == ["POST"] and form["Timeout"] == ["30"]
    assert form["StatusCallbackEvent"] == ["initiated", "ringing", "answered", "completed"]
    assert "MachineDetection" not in form
    voice, status = urlsplit(form["Url"][0]), urlsplit(form["StatusCallback"][0])
    assert f"{voice.scheme}://{voice.netloc}{voice.path}" == f"{PUBLIC}/twilio/voice"
    assert f"{status.scheme}://{status.netloc}{status.path}" == f"{PUBLIC}/twilio/status"
    expected = {"direction": ["outbound"], "scenario": ["carecall-ko"], "person": ["박순자"]}
    assert parse_qs(voice.query) == expected and parse_qs(status.query) == expected
    assert placed.to_dict()["person"] == "박순자"


def test_an_english_call_without_a_person_and_with_voicemail_detection() -> None:
    with twilio_stand_in() as api:
        call = OutboundCall(
            to="+15550100200",
            scenario="carecall-en",
            from_=FROM,
            ring_timeout=20,
            detect_voicemail=True,
        )
        _dialer(api.url).place(call)
    (form,) = api.requests
    assert form["MachineDetection"] == ["Enable"] and form["Timeout"] == ["20"]
    assert parse_qs(urlsplit(form["Url"][0]).query) == {
        "direction": ["outbound"],
        "scenario": ["carecall-en"],
    }


def test_twilio_refusing_the_number_is_bad_input_with_its_code() -> None:
    with twilio_stand_in() as api:
        with pytest.raises(InputError, match=r"21211.*not a valid phone number"):
            _dialer(api.url).place(OutboundCall(to=INVALID_TO, scenario="carecall-en", from_=FROM))
        assert api.requests == []


def test_a_twilio_server_error_is_backend_unavailable() -> None:
    with twilio_stand_in() as api:
        with pytest.raises(BackendUnavailableError, match="500"):
            _dialer(api.url).place(OutboundCall(to=BROKEN_TO, scenario="carecall-en", from_=FROM))


def test_wrong_credentials_are_refused_by_twilio() -> None:
    with twilio_stand_in() as api:
        dialer = TwilioDialer(
            account_sid=ACCOUNT_SID, auth_token="wrong", public_url=PUBLIC, api_base_url=api.url
        )
        with pytest.raises(InputError, match="401"):
            dialer.place(OutboundCall(to="+15550100200", scenario="carecall-en", from_=FROM))


def test_an_unreachable_api_is_backend_unavailable() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(BackendUnavailableError, match="unreachable|could not"):
        _dialer(f"http://127.0.0.1:{port}").place(
            OutboundCall(to="+15550100200", scenario="carecall-en", from_=FROM)
        )


@pytest.mark.parametrize(
    ("sid", "token", "url", "missing"),
    [
        (None, None, None, "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, AICALL_PUBLIC_URL not set"),
        (ACCOUNT_SID, None, PUBLIC, "TWILIO_AUTH_TOKEN not set"),
        (ACCOUNT_SID, AUTH_TOKEN, None, "AICALL_PUBLIC_URL not set"),
    ],
)
def test_missing_settings_are_named(sid, token, url, missing) -> None:
    with pytest.raises(NotConfiguredError) as e:
        TwilioDialer(account_sid=sid, auth_token=token, public_url=url)
    assert str(e.value).startswith(missing)


def test_a_public_url_must_be_http() -> None:
    with pytest.raises(NotConfiguredError, match="http"):
        TwilioDialer(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, public_url="agent.example")


@pytest.mark.parametrize("number", ["010-1234-5678", "+0123456789", "+82", "call me", ""])
def test_numbers_must_be_e164(number) -> None:
    with pytest.raises(InputError, match="E.164"):
        check_number(number, "--to")


def test_bad_calls_are_refused_before_twilio() -> None:
    with pytest.raises(InputError, match="ring timeout"):
        OutboundCall(to="+15550100200", scenario="carecall-en", from_=FROM, ring_timeout=1)
    with pytest.raises(InputError, match="--from"):
        OutboundCall(to="+15550100200", scenario="carecall-en", from_="12")


def test_urls_answering_machines_and_hangup() -> None:
    voice, status = outbound_urls(PUBLIC + "/", "carecall-ko", None)
    assert voice == f"{PUBLIC}/twilio/voice?direction=outbound&scenario=carecall-ko"
    assert status == f"{PUBLIC}/twilio/status?direction=outbound&scenario=carecall-ko"
    assert is_machine("machine_start") and is_machine("fax")
    assert not is_machine("human") and not is_machine("unknown") and not is_machine(None)
    assert "<Hangup />" in hangup_twiml()


def test_stream_tokens_carry_the_direction_and_the_person() -> None:
    from telephony.twilio.tokens import StreamGrant, StreamTokenIssuer

    issuer = StreamTokenIssuer()
    grant = StreamGrant("CA1", "carecall-ko", FROM, "+821012345678", "outbound", "박순자")
    assert issuer.redeem(issuer.issue(grant)) == grant
    inbound = StreamGrant("CA2", "restaurant-en", "+15550100200", FROM)
    assert issuer.redeem(issuer.issue(inbound)) == inbound
