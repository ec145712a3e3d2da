"""Malformed Media Streams messages: each one a MediaStreamError with its close code (#17).

The issue's findings: binary frames, ``mediaFormat`` of the wrong type, a missing or
non-numeric ``sampleRate``, deeply nested JSON, a ``../`` callSid, oversize payloads.
"""

from __future__ import annotations

import base64
import json

import pytest

from common.errors import InputError
from common.ids import check_call_id, is_safe_call_id, is_stream_call_sid, is_twilio_call_sid
from telephony.twilio import protocol

SID = "CA" + "0123456789abcdef" * 2


def _start(**changes: object) -> dict:
    message = json.loads(protocol.build_start("MZ1", SID, {"token": "t"}))
    message["start"].update(changes)
    return message


@pytest.mark.parametrize(
    ("start", "words"),
    [
        ({"mediaFormat": "audio/x-mulaw"}, "not an object"),
        ({"mediaFormat": 8000}, "not an object"),
        ({"mediaFormat": True}, "not an object"),
        ({"mediaFormat": [1, 2]}, "not an object"),
        ({"mediaFormat": {"encoding": "audio/x-mulaw"}}, "sampleRate is missing"),
        ({"mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": "fast"}}, "not a number"),
        ({"mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": None}}, "sampleRate"),
        ({"mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": True}}, "sampleRate"),
        ({"mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 1.5}}, "sampleRate"),
        ({"mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 16000}}, "8000"),
        (
            {"mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": "x"}},
            "channels",
        ),
        ({"mediaFormat": {"encoding": 7, "sampleRate": 8000}}, "encoding"),
        ({"callSid": "../escaped-39e846"}, "not a call SID"),
        ({"callSid": "CA" + "0" * 31}, "not a call SID"),
        ({"callSid": 12}, "no callSid"),
        ({"streamSid": {"a": 1}}, "streamSid"),
        ({"customParameters": {"token": 5}}, "strings"),
        ({"customParameters": "token"}, "not an object"),
    ],
)
def test_a_malformed_start_is_refused_with_a_reason(start: dict, words: str) -> None:
    raw = json.dumps(_start(**start))
    with pytest.raises(protocol.MediaStreamError, match=words) as exc:
        protocol.parse_start(raw)
    assert exc.value.code == protocol.CLOSE_POLICY and str(exc.value)
    with pytest.raises(protocol.MediaStreamError):  # the same in a running stream
        protocol.parse_message(raw)


def test_binary_frames_are_unsupported_data() -> None:
    with pytest.raises(protocol.MediaStreamError, match="binary") as exc:
        protocol.parse_message(protocol.build_connected().encode())
    assert exc.value.code == protocol.CLOSE_UNSUPPORTED == 1003


@pytest.mark.parametrize("depth", [9, 100, 100_000])
def test_deeply_nested_json_is_refused_before_parsing(depth: int) -> None:
    raw = '{"event":"media","media":' + "[" * depth + "]" * depth + "}"
    if len(raw) > protocol.MAX_MESSAGE_BYTES:
        raw = "[" * depth  # still not a RecursionError: the size limit answers first
    with pytest.raises(protocol.MediaStreamError) as exc:
        protocol.parse_message(raw)
    assert exc.value.kind in {"depth", "size"}


def test_nesting_inside_strings_does_not_count() -> None:
    name = "[{" * 50
    assert protocol.parse_message(protocol.build_mark("MZ1", name[:128])) == protocol.Mark(
        name[:128]
    )


def test_oversize_messages_and_payloads_are_too_big() -> None:
    # one byte over is refused too (found by the fuzzer: base64's length rounds up to 3 bytes)
    for over in (1, 2, 3, 1000):
        big = protocol.build_media("MZ1", b"\xff" * (protocol.MAX_MEDIA_PAYLOAD_BYTES + over))
        with pytest.raises(protocol.MediaStreamError, match="payload over") as exc:
            protocol.parse_message(big)
        assert exc.value.code == protocol.CLOSE_TOO_BIG == 1009
    huge = json.dumps({"event": "media", "pad": "x" * protocol.MAX_MESSAGE_BYTES})
    with pytest.raises(protocol.MediaStreamError, match="limit") as exc:
        protocol.parse_message(huge)
    assert exc.value.code == 1009
    # Twilio's 20 ms frame and the largest accepted payload pass
    for size in (160, protocol.MAX_MEDIA_PAYLOAD_BYTES):
        media = protocol.parse_message(protocol.build_media("MZ1", b"\x7f" * size))
        assert media == protocol.Media(b"\x7f" * size)


@pytest.mark.parametrize(
    "message",
    [
        {"event": 5},
        {"event": None},
        {"event": "media", "media": "payload"},
        {"event": "media", "media": {"payload": 5}},
        {"event": "media", "media": {"payload": "a=b="}},
        {"event": "dtmf", "dtmf": {"digit": 1}},
        {"event": "dtmf", "dtmf": {"digit": "12"}},
        {"event": "mark", "mark": {"name": ["m"]}},
        {"event": "mark", "mark": None},
        {"event": "transcription", "data": {}},
        {"event": "start", "start": []},
    ],
)
def test_wrong_types_and_unknown_events_are_media_stream_errors(message: dict) -> None:
    with pytest.raises(protocol.MediaStreamError) as exc:
        protocol.parse_message(json.dumps(message))
    assert str(exc.value) and exc.value.kind


def test_media_payload_must_be_strict_base64() -> None:
    ok = base64.b64encode(b"\x00" * 160).decode()
    assert protocol.parse_message(json.dumps({"event": "media", "media": {"payload": ok}}))
    with pytest.raises(protocol.MediaStreamError, match="base64"):
        protocol.parse_message(json.dumps({"event": "media", "media": {"payload": ok + "\n!"}}))


def test_call_ids() -> None:
    assert is_twilio_call_sid(SID) and is_stream_call_sid(SID)
    assert is_stream_call_sid("SP" + "a" * 32) and not is_twilio_call_sid("SP" + "a" * 32)
    for bad in ("../escaped-39e846", "CA" + "A" * 32, "CA1", "", None, 5, "CA" + "0" * 33):
        assert not is_twilio_call_sid(bad) and not is_stream_call_sid(bad)
    for unsafe in ("../x", "a/b", "a\\b", ".hidden", "", "x" * 65, "a b", "a\x00b"):
        assert not is_safe_call_id(unsafe)
        with pytest.raises(InputError, match="not a valid call id"):
            check_call_id(unsafe)
    assert check_call_id("0123abcd" * 4) == "0123abcd" * 4  # a text call's uuid4().hex
