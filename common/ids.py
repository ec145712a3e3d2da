"""Call ids: checked before they name a file or a database row.

A call id comes from outside (Twilio's ``CallSid`` in a webhook, the ``start`` message of a
media stream) or is made here (``uuid4().hex`` for text calls, ``SP`` + 32 hex for the
softphone). An id such as ``../escaped-39e846`` must never reach a path or a row, so every
place that turns an id into a file name or a row id asks :func:`is_safe_call_id` first, and
the webhooks and the media endpoint accept only :func:`is_twilio_call_sid` (or the
softphone's own ids).
"""

from __future__ import annotations

import re

from common.errors import InputError

__all__ = [
    "check_call_id",
    "is_safe_call_id",
    "is_stream_call_sid",
    "is_twilio_call_sid",
]

_TWILIO_CALL_SID = re.compile(r"CA[0-9a-f]{32}")
_SOFTPHONE_CALL_SID = re.compile(r"SP[0-9a-f]{32}")
_SAFE_CALL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def is_twilio_call_sid(value: object) -> bool:
    """``True`` for Twilio's call SID form: ``CA`` followed by 32 lower-case hex digits."""
    return isinstance(value, str) and _TWILIO_CALL_SID.fullmatch(value) is not None


def is_stream_call_sid(value: object) -> bool:
    """A call SID a media stream may carry: Twilio's, or the softphone's ``SP`` + 32 hex."""
    return isinstance(value, str) and (
        _TWILIO_CALL_SID.fullmatch(value) is not None
        or _SOFTPHONE_CALL_SID.fullmatch(value) is not None
    )


def is_safe_call_id(value: object) -> bool:
    """An id that can name a file and a row: 1-64 letters, digits, ``_`` or ``-``, no dots."""
    return isinstance(value, str) and _SAFE_CALL_ID.fullmatch(value) is not None


def check_call_id(value: object) -> str:
    """``value`` if it is a safe call id.

    Raises:
        InputError: it could escape a directory or is not an id at all.
    """
    if not is_safe_call_id(value):
        raise InputError(f"not a valid call id: {str(value)[:40]!r}")
    assert isinstance(value, str)
    return value
