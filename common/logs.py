"""The process's log set-up: structured lines, personal data redacted, faults counted.

:func:`configure_logging` (called by the ``aicall`` entry point and ``aicall serve``) gives
every line of the app's own loggers (and uvicorn's, which then propagate to the root) a UTC
timestamp, the level, the logger and the call id::

    2026-12-03T13:30:01.250Z WARNING agent.server.app call=CA0123... rejected a media stream: ...

or one JSON object per line (``fmt="json"``, ``AICALL_LOG_FORMAT=json``). The call id comes
from :data:`call_id_var`, set by the media endpoint for the call's task (the tasks it starts
inherit it). :class:`common.pii.RedactingFilter` masks personal numbers on every line.

Floods: a call logs its first fault of each kind and, at its end, how many there were
(``agent/voice/call.py``); :class:`LogThrottle` keeps one line per kind per interval for
traffic that belongs to no call (refused connections), with how many were left out.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from contextvars import ContextVar
from typing import IO, Literal

from common.pii import RedactingFilter

__all__ = [
    "CallIdFilter",
    "JsonFormatter",
    "LogThrottle",
    "TextFormatter",
    "call_id_var",
    "configure_logging",
]

#: The call the current task works for (``None`` outside calls).
call_id_var: ContextVar[str | None] = ContextVar("aicall_call_id", default=None)

_MARK = "_aicall_handler"


class CallIdFilter(logging.Filter):
    """Adds ``record.call_id`` (from :data:`call_id_var`, ``-`` outside a call)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Always keeps the record."""
        if not hasattr(record, "call_id"):
            record.call_id = call_id_var.get() or "-"
        return True


def _utc(record: logging.LogRecord) -> str:
    seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
    return f"{seconds}.{int(record.msecs):03d}Z"


class TextFormatter(logging.Formatter):
    """``<UTC time> <LEVEL> <logger> call=<id> <message>`` (and the traceback, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        """One line (plus a traceback when the record carries one)."""
        line = (
            f"{_utc(record)} {record.levelname} {record.name} "
            f"call={getattr(record, 'call_id', '-')} {record.getMessage()}"
        )
        if record.exc_text:  # the traceback as RedactingFilter left it
            line += "\n" + record.exc_text
        elif record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time``, ``level``, ``logger``, ``call_id``, ``message``."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one JSON line."""
        data = {
            "time": _utc(record),
            "level": record.levelname,
            "logger": record.name,
            "call_id": getattr(record, "call_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_text:  # the traceback as RedactingFilter left it
            data["exception"] = record.exc_text
        elif record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def configure_logging(
    level: str | int = "INFO",
    fmt: Literal["text", "json"] = "text",
    stream: IO[str] | None = None,
) -> logging.Handler:
    """Send the root logger's records to ``stream`` (stderr) as structured, redacted lines.

    Calling it again replaces the handler it installed before (never other handlers).
    uvicorn's loggers are made to propagate to the root, so their lines look the same.

    Returns:
        The installed handler.
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    setattr(handler, _MARK, True)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(CallIdFilter())
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    return handler


class LogThrottle:
    """At most one line per kind per ``interval`` seconds, saying how many were left out.

    For faults that belong to no call (a refused connection), where a peer could otherwise
    fill the log. Thread-safe.
    """

    def __init__(self, logger: logging.Logger, interval: float = 10.0, clock=time.monotonic):
        self._log = logger
        self._interval = interval
        self._clock = clock
        self._last: dict[str, float] = {}
        self._left_out: dict[str, int] = {}
        self._lock = threading.Lock()

    def warning(self, kind: str, message: str, *args: object) -> bool:
        """Log ``message % args`` unless ``kind`` was logged within the interval (then count it)."""
        now = self._clock()
        with self._lock:
            last = self._last.get(kind)
            if last is not None and now - last < self._interval:
                self._left_out[kind] = self._left_out.get(kind, 0) + 1
                return False
            self._last[kind] = now
            left_out = self._left_out.pop(kind, 0)
        suffix = (
            f" (and {left_out} more like it in the last {self._interval:g} s)" if left_out else ""
        )
        self._log.warning(message + suffix, *args)
        return True
