"""Signed, single-use tokens that admit one Media Stream to the WebSocket endpoint.

``POST /twilio/voice`` issues a token and passes it to Twilio as a ``<Parameter>`` of the
``<Stream>``; Twilio sends it back in the stream's ``start`` message. The token is an HMAC-SHA256
signed payload (call SID, scenario, caller, callee, direction, person, expiry, nonce); it is
accepted once and only before it expires, so a leaked TwiML document cannot be replayed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass

from common.errors import InputError

__all__ = ["StreamGrant", "StreamTokenIssuer"]


@dataclass(frozen=True)
class StreamGrant:
    """What a valid stream token grants.

    Attributes:
        call_sid: Twilio's call SID.
        scenario: the scenario the call runs.
        caller: the caller's number, when known.
        callee: the called number, when known.
        direction: ``"outbound"`` for a call the agent placed; ``None`` means inbound.
        person: who was called (outbound calls), when known.
    """

    call_sid: str
    scenario: str
    caller: str | None = None
    callee: str | None = None
    direction: str | None = None
    person: str | None = None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class StreamTokenIssuer:
    """Issues and redeems stream tokens.

    Args:
        secret: the HMAC key (a random one per process when ``None``; with several server
            processes behind a balancer, give them the same secret).
        ttl: seconds a token stays valid.
        clock: time source (tests).
    """

    def __init__(self, secret: bytes | None = None, *, ttl: float = 60.0, clock=time.time) -> None:
        self._secret = secret or secrets.token_bytes(32)
        self.ttl = ttl
        self._clock = clock
        self._used: dict[str, float] = {}
        self._lock = threading.Lock()

    def issue(self, grant: StreamGrant) -> str:
        """A token for ``grant``, valid for :attr:`ttl` seconds, once."""
        body = {
            "c": grant.call_sid,
            "s": grant.scenario,
            "f": grant.caller,
            "t": grant.callee,
            "d": grant.direction,
            "p": grant.person,
            "e": self._clock() + self.ttl,
            "n": secrets.token_hex(8),
        }
        payload = _b64(json.dumps(body, separators=(",", ":")).encode())
        return f"{payload}.{self._sign(payload)}"

    def redeem(self, token: str | None) -> StreamGrant:
        """Check ``token`` and mark it used.

        Raises:
            InputError: missing, forged, expired or already used.
        """
        if not token or token.count(".") != 1:
            raise InputError("missing or malformed stream token")
        payload, signature = token.split(".")
        if not hmac.compare_digest(signature, self._sign(payload)):
            raise InputError("stream token signature does not match")
        try:
            body = json.loads(_unb64(payload))
            expires, nonce = float(body["e"]), str(body["n"])
            grant = StreamGrant(
                str(body["c"]),
                str(body["s"]),
                body.get("f"),
                body.get("t"),
                direction=body.get("d"),
                person=body.get("p"),
            )
        except (ValueError, KeyError, TypeError) as e:
            raise InputError("stream token payload is malformed") from e
        now = self._clock()
        if now > expires:
            raise InputError("stream token expired")
        with self._lock:
            for n, exp in list(self._used.items()):
                if exp < now:
                    del self._used[n]
            if nonce in self._used:
                raise InputError("stream token already used")
            self._used[nonce] = expires
        return grant

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._secret, payload.encode(), hashlib.sha256).digest())
