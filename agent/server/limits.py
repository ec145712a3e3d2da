"""The server's limits: webhook rate per source address, request body size, allowed origins.

* :class:`RateLimiter`: a token bucket per source address (``AICALL_WEBHOOK_RATE_LIMIT``
  requests per minute, bursts up to that many); beyond it the webhooks and the softphone's
  token endpoint answer 429 with ``Retry-After``.
* :class:`BodySizeLimit`: an ASGI middleware answering 413 to a request body over
  :data:`MAX_BODY_BYTES` (Twilio's webhooks are a few hundred bytes), before it is read; the
  operator console's paths have a larger limit (:data:`LARGER_BODY_BYTES`).
* :func:`origin_allowed`: a browser's WebSocket or ``fetch`` must come from the page the server
  served (its ``Origin`` matches the ``Host`` it asked, or ``AICALL_PUBLIC_URL``); Twilio sends
  no ``Origin``.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "LARGER_BODY_BYTES",
    "MAX_BODY_BYTES",
    "BodySizeLimit",
    "RateLimiter",
    "is_loopback",
    "origin_allowed",
    "retry_after",
]

#: Largest HTTP request body accepted (Twilio's webhook forms are well under 4 KB).
MAX_BODY_BYTES = 64 * 1024
#: Larger limits by path prefix: the operator console's editor posts a whole scenario file with
#: its form (a Korean clinic's is about 80 KB URL-encoded), its API takes files.
LARGER_BODY_BYTES: Mapping[str, int] = {"/console/": 4 * 1024 * 1024, "/api/v1/": 4 * 1024 * 1024}

_Scope = MutableMapping[str, Any]
_Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
_Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class RateLimiter:
    """A token bucket per key (source address): ``per_minute`` requests, refilled evenly.

    Args:
        per_minute: requests allowed per minute and key; 0 turns the limit off.
        clock: time source (tests).
        max_keys: keys kept at most (the fullest buckets are forgotten first).
    """

    def __init__(self, per_minute: int, *, clock=time.monotonic, max_keys: int = 10_000) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def allow(self, key: str) -> float:
        """Take one request of ``key``: 0.0 if allowed, else the seconds until one is."""
        if self.per_minute <= 0:
            return 0.0
        rate = self.per_minute / 60.0
        now = self._clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - at) * rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return (1.0 - tokens) / rate
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > self._max_keys:
                self._forget(now, rate)
        return 0.0

    def _forget(self, now: float, rate: float) -> None:
        full = [
            k
            for k, (tokens, at) in self._buckets.items()
            if tokens + (now - at) * rate >= self.per_minute
        ]
        for k in full or list(self._buckets)[: len(self._buckets) // 2]:
            del self._buckets[k]


class BodySizeLimit:
    """ASGI middleware: 413 for an HTTP request body over ``max_bytes`` (declared or streamed).

    The body is read (up to the limit) before the app runs and handed to it in one piece, so
    an oversized body never reaches the form parser and the app never sees it.

    Args:
        app: the ASGI app.
        max_bytes: the limit.
        larger: larger limits by path prefix (:data:`LARGER_BODY_BYTES`).
    """

    def __init__(
        self,
        app: Any,
        max_bytes: int = MAX_BODY_BYTES,
        larger: Mapping[str, int] = LARGER_BODY_BYTES,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = dict(larger)

    async def __call__(self, scope: _Scope, receive: _Receive, send: _Send) -> None:
        """Read the body (refusing it over the limit), then pass the request on."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        limit = next(
            (n for prefix, n in self.larger.items() if path.startswith(prefix)), self.max_bytes
        )
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > limit
            except ValueError:
                too_large = True
            if too_large:
                await self._refuse(send, limit)
                return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            body += message.get("body", b"")
            if len(body) > limit:
                await self._refuse(send, limit)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> MutableMapping[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: _Send, limit: int) -> None:
        body = f"request body over {limit} bytes".encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def retry_after(seconds: float) -> str:
    """A ``Retry-After`` header value (whole seconds, at least 1)."""
    return str(max(1, math.ceil(seconds)))


def is_loopback(host: str | None) -> bool:
    """``True`` for 127.0.0.0/8, ::1 and ``localhost``."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def origin_allowed(origin: str | None, host: str | None, public_url: str | None) -> bool:
    """A request's ``Origin`` is absent (not a browser) or is the server's own address.

    Args:
        origin: the ``Origin`` header.
        host: the ``Host`` header the request was sent to.
        public_url: ``AICALL_PUBLIC_URL`` (its host also counts as the server's own).
    """
    if origin is None:
        return True
    served = urlsplit(origin).netloc.lower()
    if not served:
        return False
    own = {h.lower() for h in (host,) if h}
    if public_url:
        own.add(urlsplit(public_url).netloc.lower())
    return served in own
