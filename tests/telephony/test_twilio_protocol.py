from __future__ import annotations

import base64
import json

import pytest

from common.errors import InputError
from telephony.twilio import protocol
from telephony.twilio.tokens import StreamGrant, StreamTokenIssuer
from telephony.twilio.twiml import stream_twiml, transfer_twiml


def test_parse_roundtrips_every_inbound_event() -> None:
    assert protocol.parse_message(protocol.build_connected()) == protocol.Connected()
    start = protocol.parse_message(
        protocol.build_start("MZ1", "CA00000000000000000000000000000001", {"token": "t"})
    )
    assert start == protocol.StartMessage(
        "MZ1", "CA00000000000000000000000000000001", "AC0", {"token": "t"}
    )
    assert protocol.parse_message(protocol.build_media("MZ1", b"\x01\x02")) == protocol.Media(
        b"\x01\x02"
    )
    assert protocol.parse_message(protocol.build_dtmf("MZ1", "#")) == protocol.Dtmf("#")
    assert protocol.parse_message(protocol.build_mark("MZ1", "m1")) == protocol.Mark("m1")
    assert (
        protocol.parse_message(protocol.build_stop("MZ1", "CA00000000000000000000000000000001"))
        == protocol.Stop()
    )


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "[]",
        json.dumps({"event": "bogus"}),
        json.dumps({"event": "media", "media": {"payload": "%%%not-base64"}}),
        json.dumps({"event": "media"}),
        json.dumps({"event": "dtmf", "dtmf": {"digit": "X"}}),
        json.dumps({"event": "mark", "mark": {}}),
    ],
)
def test_malformed_messages_raise_media_stream_error(raw: str) -> None:
    with pytest.raises(protocol.MediaStreamError):
        protocol.parse_message(raw)


def test_wrong_media_format_is_refused() -> None:
    msg = json.loads(protocol.build_start("MZ1", "CA00000000000000000000000000000001", {}))
    msg["start"]["mediaFormat"]["encoding"] = "audio/x-alaw"
    with pytest.raises(protocol.MediaStreamError, match="media format"):
        protocol.parse_start(json.dumps(msg))


def test_tokens_are_signed_single_use_and_expire() -> None:
    now = [1000.0]
    issuer = StreamTokenIssuer(b"k" * 32, ttl=10, clock=lambda: now[0])
    grant = StreamGrant("CA00000000000000000000000000000001", "restaurant-en", "+1", "+2")
    token = issuer.issue(grant)
    assert issuer.redeem(token) == grant
    with pytest.raises(InputError, match="already used"):
        issuer.redeem(token)
    payload, sig = issuer.issue(grant).split(".")
    forged = (
        base64.urlsafe_b64encode(b'{"c":"CA00000000000000000000000000000002"}').decode().rstrip("=")
    )
    with pytest.raises(InputError, match="signature"):
        issuer.redeem(f"{forged}.{sig}")
    other = StreamTokenIssuer(b"x" * 32, ttl=10, clock=lambda: now[0])
    with pytest.raises(InputError, match="signature"):
        other.redeem(f"{payload}.{sig}")
    late = issuer.issue(grant)
    now[0] += 11
    with pytest.raises(InputError, match="expired"):
        issuer.redeem(late)


def test_twiml_documents() -> None:
    xml = stream_twiml("wss://h/twilio/media", {"token": "a&b", "scenario": "s"})
    assert '<Stream url="wss://h/twilio/media">' in xml
    assert '<Parameter name="token" value="a&amp;b" />' in xml
    assert "<Dial>+8225550100</Dial>" in transfer_twiml("+8225550100")
