"""Signed, single-use tokens that admit one Media Stream to the WebSocket endpoint.

``POST /twilio/voice`` issues a token and passes it to Twilio as a ``<Parameter>`` of the
``<Stream>``; Twilio sends it back in the stream's ``start`` message. The token is an HMAC-SHA256
signed payload (call SID, scenario, caller, callee, direction, person, expiry, nonce); it is
accepted once and only before it expires, so a leaked TwiML document cannot be replayed.

Several server processes behind a load balancer share one secret (``AICALL_STREAM_SECRET``), so
a token issued by one is verified by any other, and one :class:`RedemptionLedger` in a store
they all reach (a database row with a unique key, or a Redis ``SET NX``), so a token is accepted
once across all of them. The default ledger, :class:`MemoryLedger`, is one process's memory.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from common.errors import InputError

__all__ = ["MemoryLedger", "RedemptionLedger", "StreamGrant", "StreamTokenIssuer"]


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


class RedemptionLedger(Protocol):
    """Where redeemed tokens are noted, so each is accepted once (by every process sharing it)."""

    def claim(self, nonce: str, expires: float) -> bool:
        """Note ``nonce`` as used until ``expires`` (a Unix time); ``False`` if it was already.

        Blocking (a database or Redis round trip): call it off any event loop.

        Raises:
            StoreUnavailableError: the shared store cannot be reached (the token is refused).
        """
        ...


class MemoryLedger:
    """Redeemed tokens in this process's memory (one server process).

    Args:
        clock: time source (tests).
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._used: dict[str, float] = {}
        self._lock = threading.Lock()

    def claim(self, nonce: str, expires: float) -> bool:
        """See :meth:`RedemptionLedger.claim`."""
        now = self._clock()
        with self._lock:
            for n, exp in list(self._used.items()):
                if exp < now:
                    del self._used[n]
            if nonce in self._used:
                return False
            self._used[nonce] = expires
            return True


class StreamTokenIssuer:
    """Issues and redeems stream tokens.

    Args:
        secret: the HMAC key (a random one per process when ``None``; with several server
            processes behind a balancer, give them the same secret).
        ttl: seconds a token stays valid.
        clock: time source (tests).
        ledger: where redeemed tokens are noted (default: this process's memory); servers
            behind one balancer share one (:mod:`agent.store.tokens`).
    """

    def __init__(
        self,
        secret: bytes | None = None,
        *,
        ttl: float = 60.0,
        clock: Callable[[], float] = time.time,
        ledger: RedemptionLedger | None = None,
    ) -> None:
        self._secret = secret or secrets.token_bytes(32)
        self.ttl = ttl
        self._clock = clock
        self.ledger: RedemptionLedger = ledger if ledger is not None else MemoryLedger(clock)

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
        """Check ``token`` and mark it used in the ledger.

        Blocking when the ledger is shared (a database or Redis round trip): a server calls it
        in a worker thread.

        Raises:
            InputError: missing, forged, expired or already used.
            StoreUnavailableError: the shared ledger cannot be reached.
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
        if not self.ledger.claim(nonce, expires):
            raise InputError("stream token already used")
        return grant

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._secret, payload.encode(), hashlib.sha256).digest())
