"""The media WebSocket of one admitted call, as pipecat's transport sees it.

Pipecat's FastAPI transport reads the socket and closes it (always with code 1000, and it
drops the peer's close code). :class:`StreamGuard` stands in for the socket so that:

* a stream ended by a malformed message is closed with that error's code and reason
  (:meth:`StreamGuard.fail`: 1008 policy, 1003 binary frame, 1009 too big);
* a stream the peer closed (or the server's size limit cut) is recorded with its close code,
  so the call's stored reason says what happened (:meth:`StreamGuard.disconnect_reason`).
"""

from __future__ import annotations

from typing import Any

from telephony.twilio.protocol import MediaStreamError

__all__ = ["StreamGuard", "close_reason"]

#: What a close code means, for the stored reason of a call (RFC 6455, 7.4.1).
_CLOSE_CODES = {
    1000: "normal closure",
    1001: "going away",
    1002: "protocol error",
    1003: "unsupported data",
    1006: "connection lost",
    1007: "invalid data",
    1008: "policy violation",
    1009: "message too big",
    1011: "internal error",
}


def close_reason(text: str) -> str:
    """``text`` cut to the 123 bytes a WebSocket close reason may carry (UTF-8, whole chars)."""
    data = text.encode("utf-8")[:123]
    return data.decode("utf-8", errors="ignore")


class StreamGuard:
    """A WebSocket proxy that remembers how the stream ended and closes it with the cause.

    Args:
        websocket: the accepted FastAPI WebSocket.
    """

    def __init__(self, websocket: Any) -> None:
        self._ws = websocket
        #: the peer's close code, once it disconnected
        self.peer_code: int | None = None
        self._close: tuple[int, str] | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ws, name)

    def fail(self, error: MediaStreamError) -> None:
        """Close with ``error``'s code and reason (the first error wins)."""
        if self._close is None:
            self._close = (error.code, close_reason(str(error)))

    async def receive(self) -> Any:
        """The next ASGI message; a disconnect's code is kept."""
        message = await self._ws.receive()
        if message.get("type") == "websocket.disconnect":
            self.peer_code = int(message.get("code") or 1005)
        return message

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        """Close the socket, with the failure's code and reason if a message was malformed."""
        if self._close is not None:
            code, reason = self._close
        await self._ws.close(code=code, reason=reason)

    def disconnect_reason(self) -> str:
        """Why the stream ended without a ``stop``: ``stream disconnected (close code ...)``."""
        code = self.peer_code
        if code is None:
            return "stream disconnected"
        meaning = _CLOSE_CODES.get(code)
        return f"stream disconnected (close code {code}{': ' + meaning if meaning else ''})"
