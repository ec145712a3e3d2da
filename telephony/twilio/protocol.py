"""Twilio Media Streams messages: strict parsing (in) and building (out, and for the simulator).

Every inbound message is checked; anything malformed raises :class:`MediaStreamError`, which
ends that one call (marked failed with the reason) and never the process.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from common.errors import InputError

__all__ = [
    "Connected",
    "Dtmf",
    "Mark",
    "Media",
    "MediaStreamError",
    "StartMessage",
    "Stop",
    "build_clear",
    "build_connected",
    "build_dtmf",
    "build_mark",
    "build_media",
    "build_start",
    "build_stop",
    "parse_message",
    "parse_start",
]


class MediaStreamError(InputError):
    """A Media Streams message is malformed, unknown or of the wrong media format."""


@dataclass(frozen=True)
class Connected:
    """The first message of a stream."""


@dataclass(frozen=True)
class StartMessage:
    """The ``start`` message: who is calling and the stream's custom parameters.

    Attributes:
        stream_sid: the stream's SID (echoed in everything sent back).
        call_sid: the call's SID.
        account_sid: the Twilio account.
        parameters: the ``<Parameter>`` values of the TwiML ``<Stream>``.
    """

    stream_sid: str
    call_sid: str
    account_sid: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Media:
    """20 ms (typically) of the caller's audio, 8 kHz mu-law."""

    payload: bytes


@dataclass(frozen=True)
class Dtmf:
    """A key the caller pressed."""

    digit: str


@dataclass(frozen=True)
class Mark:
    """Twilio finished playing the audio sent before the mark of this name."""

    name: str


@dataclass(frozen=True)
class Stop:
    """The stream ended (caller hung up or the call was redirected)."""


_DIGITS = set("0123456789*#")


def _load(data: str | bytes) -> dict[str, Any]:
    try:
        message = json.loads(data)
    except (ValueError, UnicodeDecodeError) as e:
        raise MediaStreamError(f"not JSON: {str(data)[:60]!r}") from e
    if not isinstance(message, dict) or not isinstance(message.get("event"), str):
        raise MediaStreamError("message has no 'event'")
    return message


def _section(message: dict[str, Any], name: str) -> dict[str, Any]:
    section = message.get(name)
    if not isinstance(section, dict):
        raise MediaStreamError(f"{message['event']!r} message has no {name!r} object")
    return section


def parse_start(data: str | bytes) -> StartMessage:
    """Parse a ``start`` message and check its media format (8 kHz mono mu-law).

    Raises:
        MediaStreamError: not a valid ``start`` message.
    """
    message = _load(data)
    if message["event"] != "start":
        raise MediaStreamError(f"expected 'start', got {message['event']!r}")
    start = _section(message, "start")
    stream_sid = start.get("streamSid") or message.get("streamSid")
    call_sid = start.get("callSid")
    if not isinstance(stream_sid, str) or not isinstance(call_sid, str):
        raise MediaStreamError("'start' lacks streamSid or callSid")
    fmt = start.get("mediaFormat") or {}
    if fmt and (
        fmt.get("encoding") != "audio/x-mulaw"
        or int(fmt.get("sampleRate", 0)) != 8000
        or int(fmt.get("channels", 1)) != 1
    ):
        raise MediaStreamError(f"unsupported media format {fmt}")
    params = start.get("customParameters") or {}
    if not isinstance(params, dict):
        raise MediaStreamError("customParameters is not an object")
    return StartMessage(
        stream_sid=stream_sid,
        call_sid=call_sid,
        account_sid=start.get("accountSid"),
        parameters={str(k): str(v) for k, v in params.items()},
    )


def parse_message(data: str | bytes) -> Connected | StartMessage | Media | Dtmf | Mark | Stop:
    """Parse one inbound message of a running stream.

    Raises:
        MediaStreamError: malformed or unknown message, invalid base64.
    """
    message = _load(data)
    event = message["event"]
    if event == "media":
        media = _section(message, "media")
        payload = media.get("payload")
        if not isinstance(payload, str):
            raise MediaStreamError("'media' message has no payload")
        try:
            return Media(base64.b64decode(payload, validate=True))
        except (binascii.Error, ValueError) as e:
            raise MediaStreamError("media payload is not valid base64") from e
    if event == "dtmf":
        digit = _section(message, "dtmf").get("digit")
        if not isinstance(digit, str) or digit not in _DIGITS:
            raise MediaStreamError(f"invalid DTMF digit {digit!r}")
        return Dtmf(digit)
    if event == "mark":
        name = _section(message, "mark").get("name")
        if not isinstance(name, str):
            raise MediaStreamError("'mark' message has no name")
        return Mark(name)
    if event == "stop":
        return Stop()
    if event == "connected":
        return Connected()
    if event == "start":
        return parse_start(data)
    raise MediaStreamError(f"unknown event {event!r}")


# Builders (outbound messages of the agent, and Twilio's side for the simulator).


def _dump(obj: dict[str, Any]) -> str:
    return json.dumps(obj, separators=(",", ":"))


def build_connected() -> str:
    """Twilio's first message."""
    return _dump({"event": "connected", "protocol": "Call", "version": "1.0.0"})


def build_start(
    stream_sid: str, call_sid: str, parameters: dict[str, str], account_sid: str = "AC0"
) -> str:
    """Twilio's ``start`` message."""
    return _dump(
        {
            "event": "start",
            "sequenceNumber": "1",
            "streamSid": stream_sid,
            "start": {
                "accountSid": account_sid,
                "streamSid": stream_sid,
                "callSid": call_sid,
                "tracks": ["inbound"],
                "customParameters": parameters,
                "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
            },
        }
    )


def build_media(stream_sid: str, payload: bytes, *, seq: int = 0, timestamp_ms: int = 0) -> str:
    """A ``media`` message carrying mu-law ``payload``."""
    return _dump(
        {
            "event": "media",
            "sequenceNumber": str(seq),
            "streamSid": stream_sid,
            "media": {
                "track": "inbound",
                "chunk": str(seq),
                "timestamp": str(timestamp_ms),
                "payload": base64.b64encode(payload).decode(),
            },
        }
    )


def build_dtmf(stream_sid: str, digit: str) -> str:
    """A ``dtmf`` message."""
    return _dump(
        {
            "event": "dtmf",
            "streamSid": stream_sid,
            "dtmf": {"track": "inbound_track", "digit": digit},
        }
    )


def build_mark(stream_sid: str, name: str) -> str:
    """A ``mark`` message (sent by the agent; echoed by Twilio when played)."""
    return _dump({"event": "mark", "streamSid": stream_sid, "mark": {"name": name}})


def build_clear(stream_sid: str) -> str:
    """A ``clear`` message: drop the audio Twilio has buffered."""
    return _dump({"event": "clear", "streamSid": stream_sid})


def build_stop(stream_sid: str, call_sid: str) -> str:
    """Twilio's ``stop`` message."""
    return _dump({"event": "stop", "streamSid": stream_sid, "stop": {"callSid": call_sid}})
