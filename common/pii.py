"""Personal data redaction: resident registration numbers, cards, accounts, phone numbers.

First version (digits only); spoken forms and context words follow.

Public API::

    redact(text, keep=("010-1234-5678",)) -> str     # findings replaced by [RRN], [CARD], ...
    RedactingFilter()                                 # a logging.Filter redacting records
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection

__all__ = ["RedactingFilter", "redact"]

_RRN = re.compile(r"(?<!\d)(\d{6})\s*[-–]?\s*([1-8]\d{6})(?!\d)")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_PHONE = re.compile(r"(?<!\d)(?:\+?82[ -]?)?0\d{1,2}[ -]?\d{3,4}[ -]?\d{4}(?!\d)")
_ACCOUNT = re.compile(r"(?<!\d)\d{2,6}-\d{2,6}-\d{2,8}(?:-\d{1,4})?(?!\d)")


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _luhn(number: str) -> bool:
    total = 0
    for index, ch in enumerate(reversed(number)):
        value = int(ch)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def redact(text: str, *, keep: Collection[str] = ()) -> str:
    """Return ``text`` with personal numbers replaced by typed masks like ``[RRN]``.

    ``keep`` lists values (e.g. the booking's own phone number) that must survive;
    they are compared on their digits.
    """
    kept = {_digits(value) for value in keep if _digits(value)}

    def rrn(match: re.Match[str]) -> str:
        return "[RRN]"

    def card(match: re.Match[str]) -> str:
        digits = _digits(match.group(0))
        if 13 <= len(digits) <= 19 and _luhn(digits) and digits not in kept:
            return "[CARD]"
        return match.group(0)

    def phone(match: re.Match[str]) -> str:
        digits = _digits(match.group(0))
        if digits in kept or (digits.startswith("82") and "0" + digits[2:] in kept):
            return match.group(0)
        return "[PHONE]"

    def account(match: re.Match[str]) -> str:
        digits = _digits(match.group(0))
        if digits in kept or len(digits) < 10:
            return match.group(0)
        return "[ACCOUNT]"

    text = _RRN.sub(rrn, text)
    text = _CARD.sub(card, text)
    text = _PHONE.sub(phone, text)
    return _ACCOUNT.sub(account, text)


class RedactingFilter(logging.Filter):
    """Redacts every record's message (its arguments merged in) before a handler sees it."""

    def __init__(self, name: str = "", *, keep: Collection[str] = ()) -> None:
        super().__init__(name)
        self.keep = tuple(keep)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message, keep=self.keep)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True
