"""Twilio Media Streams messages: strict parsing (in) and building (out, and for the simulator).

Every inbound message is checked; anything malformed raises :class:`MediaStreamError`, which
ends that one call (marked failed with the reason) and never the process. The error carries
the WebSocket close code the stream is closed with (:attr:`MediaStreamError.code`).

Limits: Twilio sends 20 ms of 8 kHz mu-law per ``media`` message (160 bytes, about 330
characters of JSON). A message longer than :data:`MAX_MESSAGE_BYTES` is refused (the server
also caps WebSocket messages at that size, before reading them), and so is a ``media`` payload
longer than :data:`MAX_MEDIA_PAYLOAD_BYTES` once decoded, and JSON nested deeper than
:data:`MAX_JSON_DEPTH`.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from common.errors import InputError
from common.ids import is_stream_call_sid

__all__ = [
    "CLOSE_POLICY",
    "CLOSE_TOO_BIG",
    "CLOSE_UNSUPPORTED",
    "MAX_JSON_DEPTH",
    "MAX_MEDIA_PAYLOAD_BYTES",
    "MAX_MESSAGE_BYTES",
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


#: WebSocket close codes (RFC 6455) a refused stream is closed with.
CLOSE_POLICY = 1008  # malformed or unauthorised
CLOSE_UNSUPPORTED = 1003  # a binary frame: Twilio sends text only
CLOSE_TOO_BIG = 1009  # a message or payload over the limits
#: Longest inbound message (a ``start`` with its token is about 1 KB, a ``media`` 330 bytes).
MAX_MESSAGE_BYTES = 16 * 1024
#: Longest decoded ``media`` payload: 200 ms of 8 kHz mu-law (Twilio sends 20 ms, 160 bytes).
MAX_MEDIA_PAYLOAD_BYTES = 1600
#: Deepest JSON nesting accepted (Twilio's messages are 3 levels deep).
MAX_JSON_DEPTH = 8

_MAX_PAYLOAD_B64 = 4 * ((MAX_MEDIA_PAYLOAD_BYTES + 2) // 3)


class MediaStreamError(InputError):
    """A Media Streams message is malformed, unknown or of the wrong media format.

    Args:
        message: what is wrong (never empty).
        code: the WebSocket close code for it (policy violation by default).
        kind: a short name of the fault, for counting (``"json"``, ``"base64"``, ``"size"``...).
    """

    def __init__(self, message: str, *, code: int = CLOSE_POLICY, kind: str = "malformed") -> None:
        super().__init__(message or "malformed media stream message")
        self.code = code
        self.kind = kind


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


def _depth(text: str) -> int:
    """The deepest nesting of ``[``/``{`` in JSON text (strings skipped), without parsing it."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _load(data: str | bytes) -> dict[str, Any]:
    if not isinstance(data, str):
        raise MediaStreamError(
            "binary frame: Twilio sends JSON text", code=CLOSE_UNSUPPORTED, kind="binary"
        )
    if len(data) > MAX_MESSAGE_BYTES:
        raise MediaStreamError(
            f"message of {len(data)} characters (limit {MAX_MESSAGE_BYTES})",
            code=CLOSE_TOO_BIG,
            kind="size",
        )
    nesting = data.count("{") + data.count("[")  # cheap: Twilio's messages have 2 or 3
    if nesting > MAX_JSON_DEPTH and _depth(data) > MAX_JSON_DEPTH:
        raise MediaStreamError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels", kind="depth")
    try:
        message = json.loads(data)
    except (ValueError, RecursionError) as e:
        raise MediaStreamError(f"not JSON: {data[:40]!r}", kind="json") from e
    if not isinstance(message, dict):
        raise MediaStreamError("message is not a JSON object", kind="json")
    if not isinstance(message.get("event"), str):
        raise MediaStreamError("message has no 'event' string", kind="event")
    return message


def _section(message: dict[str, Any], name: str) -> dict[str, Any]:
    section = message.get(name)
    if not isinstance(section, dict):
        raise MediaStreamError(
            f"{message['event'][:20]!r} message has no {name!r} object", kind="type"
        )
    return section


def _media_format(start: dict[str, Any]) -> None:
    """Check ``mediaFormat`` (absent, or 8 kHz mono ``audio/x-mulaw``)."""
    if "mediaFormat" not in start or start["mediaFormat"] is None:
        return
    fmt = start["mediaFormat"]
    if not isinstance(fmt, dict):
        raise MediaStreamError(
            f"media format: 'mediaFormat' is {type(fmt).__name__}, not an object",
            kind="media format",
        )
    encoding, rate, channels = fmt.get("encoding"), fmt.get("sampleRate"), fmt.get("channels", 1)
    if encoding != "audio/x-mulaw":
        raise MediaStreamError(
            f"unsupported media format: encoding {str(encoding)[:30]!r} (audio/x-mulaw only)",
            kind="media format",
        )
    for name, value, wanted in (("sampleRate", rate, 8000), ("channels", channels, 1)):
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise MediaStreamError(
                f"media format: {name} is missing or not a number", kind="media format"
            )
        try:
            number = int(value)
        except ValueError:
            raise MediaStreamError(
                f"media format: {name} {str(value)[:20]!r} is not a number", kind="media format"
            ) from None
        if number != wanted:
            raise MediaStreamError(
                f"unsupported media format: {name} {number} (only {wanted})", kind="media format"
            )


def parse_start(data: str | bytes) -> StartMessage:
    """Parse a ``start`` message and check its media format (8 kHz mono mu-law).

    Raises:
        MediaStreamError: not a valid ``start`` message.
    """
    message = _load(data)
    if message["event"] != "start":
        raise MediaStreamError(f"expected 'start', got {message['event'][:20]!r}", kind="order")
    return _start(message)


def _start(message: dict[str, Any]) -> StartMessage:
    start = _section(message, "start")
    stream_sid = start.get("streamSid") or message.get("streamSid")
    call_sid = start.get("callSid")
    if not isinstance(stream_sid, str) or not stream_sid or len(stream_sid) > 64:
        raise MediaStreamError("'start' has no streamSid string", kind="start")
    if not isinstance(call_sid, str):
        raise MediaStreamError("'start' has no callSid string", kind="start")
    if not is_stream_call_sid(call_sid):
        raise MediaStreamError(
            f"'start' callSid {call_sid[:40]!r} is not a call SID (CA + 32 hex)", kind="call sid"
        )
    _media_format(start)
    params = start.get("customParameters") or {}
    if not isinstance(params, dict):
        raise MediaStreamError("customParameters is not an object", kind="type")
    if not all(isinstance(v, str) for v in params.values()):
        raise MediaStreamError("customParameters values must be strings", kind="type")
    account = start.get("accountSid")
    return StartMessage(
        stream_sid=stream_sid,
        call_sid=call_sid,
        account_sid=account if isinstance(account, str) else None,
        parameters=dict(params),
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
            raise MediaStreamError("'media' message has no payload string", kind="type")
        if len(payload) > _MAX_PAYLOAD_B64:
            raise MediaStreamError(
                f"media payload over {MAX_MEDIA_PAYLOAD_BYTES} bytes",
                code=CLOSE_TOO_BIG,
                kind="size",
            )
        try:
            audio = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError) as e:
            raise MediaStreamError("media payload is not valid base64", kind="base64") from e
        if len(audio) > MAX_MEDIA_PAYLOAD_BYTES:  # the length check above rounds up to 3 bytes
            raise MediaStreamError(
                f"media payload over {MAX_MEDIA_PAYLOAD_BYTES} bytes",
                code=CLOSE_TOO_BIG,
                kind="size",
            )
        return Media(audio)
    if event == "dtmf":
        digit = _section(message, "dtmf").get("digit")
        if not isinstance(digit, str) or digit not in _DIGITS:
            raise MediaStreamError(f"invalid DTMF digit {str(digit)[:10]!r}", kind="dtmf")
        return Dtmf(digit)
    if event == "mark":
        name = _section(message, "mark").get("name")
        if not isinstance(name, str) or len(name) > 128:
            raise MediaStreamError("'mark' message has no name string", kind="type")
        return Mark(name)
    if event == "stop":
        return Stop()
    if event == "connected":
        return Connected()
    if event == "start":
        return _start(message)
    raise MediaStreamError(f"unknown event {event[:20]!r}", kind="event")


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
