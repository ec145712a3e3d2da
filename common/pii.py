"""Personal data redaction: resident registration numbers, cards, accounts, phone numbers, secrets.

Public API::

    redact("제 주민번호는 900101-1234567이고 ...")       -> "제 주민번호는 [RRN]이고 ..."
    redact(text, keep=("010-1234-5678",))               # the booking's own phone survives
    redact_json(payload, keep=...)                       # every string inside a JSON value
    redact_secrets(text)                                  # configured secrets, URL passwords
    RedactingFilter()                                     # a logging.Filter doing both

Findings are replaced by typed masks: ``[RRN]``, ``[CARD]``, ``[ACCOUNT]``, ``[PHONE]``,
``[SECRET]``. Numbers are found written or dictated, in Korean and English ("구공공일공일 다시
일이삼사…", "four one one one…", "oh one oh 1234 5678"): :mod:`common.digit_runs` reads the
digits, :mod:`common.pii_recognizers` scores each candidate (validators: birth date and check
digit, Luhn, number plans, bank groupings; context words such as "카드번호", "account number"
raise the score, "주문번호", "order number" lower it). What is redacted, where, and the limits:
docs/privacy.md.

Pure Python, no I/O, ~0.1 ms for a caller's turn: call it where text is stored (in the thread
that stores it), never on a live call's event loop in bulk.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from common.digit_runs import DigitRun, digit_runs
from common.pii_recognizers import RECOGNIZERS, Candidate, national_phone

__all__ = [
    "KINDS",
    "THRESHOLD",
    "Finding",
    "RedactingFilter",
    "find",
    "redact",
    "redact_json",
    "redact_secrets",
    "register_secrets",
]

#: The kinds of personal number found, as their masks say them.
KINDS = tuple(r.kind for r in RECOGNIZERS)
#: A candidate scoring this much or more is redacted.
THRESHOLD = 0.5
_MAX_GROUPS = 6  # a number spans at most this many groups ("3-4-4-2", "4-4-4-4-3")
_MAX_DIGITS = 19
_SECRET = "[SECRET]"


@dataclass(frozen=True)
class Finding:
    """A personal number in a text.

    Attributes:
        kind: ``RRN``, ``CARD``, ``ACCOUNT`` or ``PHONE``.
        start: its first character.
        end: one past its last character.
        score: how sure, 0..1.
        digits: its digits.
    """

    kind: str
    start: int
    end: int
    score: float
    digits: str


def _keep_digits(keep: Iterable[str]) -> frozenset[str]:
    out: set[str] = set()
    for value in keep:
        if not value:
            continue
        digits = "".join(ch for ch in str(value) if ch.isdigit())
        if not digits:
            digits = "".join(run.digits for run in digit_runs(str(value)))
        if digits:
            out.update({digits, national_phone(digits)})
    return frozenset(out)


def _run_findings(
    text: str, run: DigitRun, keep: frozenset[str], kinds: Collection[str]
) -> list[Finding]:
    groups = run.groups
    scored: list[tuple[float, int, int, int, str]] = []  # score, length, i, j, kind
    for i in range(len(groups)):
        digits = ""
        for j in range(i, min(len(groups), i + _MAX_GROUPS)):
            digits += groups[j].digits
            if len(digits) > _MAX_DIGITS:
                break
            if len(digits) < 7:
                continue
            if digits in keep or national_phone(digits) in keep:
                scored.append((2.0, len(digits), i, j, ""))  # kept: blocks overlapping findings
                continue
            start, end = groups[i].start, groups[j].end
            cand = Candidate(
                digits=digits,
                shape=tuple(len(g.digits) for g in groups[i : j + 1]),
                before=text[max(0, start - 40) : start].lower(),
                after=text[end : end + 20].lower(),
            )
            best, kind = 0.0, ""
            for recognizer in RECOGNIZERS:
                score = recognizer.score(cand)
                if score > best:
                    best, kind = score, recognizer.kind
            if best >= THRESHOLD:
                scored.append((best, len(digits), i, j, kind))
    scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
    taken: set[int] = set()
    found: list[Finding] = []
    for score, _, i, j, kind in scored:
        span = set(range(i, j + 1))
        if span & taken:
            continue
        taken |= span
        if kind in kinds:  # a phone left alone stays a phone, never an account
            digits = "".join(g.digits for g in groups[i : j + 1])
            start = groups[i].start
            while start > 0 and text[start - 1] in "+(":  # "+82 10…", "(555) 123-4567"
                start -= 1
            found.append(Finding(kind, start, groups[j].end, score, digits))
    return found


def find(text: str, *, keep: Collection[str] = (), kinds: Collection[str] = KINDS) -> list[Finding]:
    """The personal numbers in ``text``, in text order (arguments as for :func:`redact`)."""
    kept = _keep_digits(keep)
    found: list[Finding] = []
    for run in digit_runs(text):
        if len(run.digits) >= 7:
            found.extend(_run_findings(text, run, kept, kinds))
    return sorted(found, key=lambda f: f.start)


def redact(text: str, *, keep: Collection[str] = (), kinds: Collection[str] = KINDS) -> str:
    """Return ``text`` with personal numbers replaced by typed masks like ``[RRN]``.

    Args:
        text: what a caller said, a log line, a prompt.
        keep: values that must survive (the booking's own phone number, the caller ID);
            compared on their digits, national form (``+82 10…`` = ``010…``), written or
            dictated.
        kinds: only these kinds (default: all of :data:`KINDS`); secrets are always masked.
    """
    if not text:
        return text
    out = text
    for finding in reversed(find(text, keep=keep, kinds=kinds)):
        out = f"{out[: finding.start]}[{finding.kind}]{out[finding.end :]}"
    return redact_secrets(out)


def redact_json(value: Any, *, keep: Collection[str] = ()) -> Any:
    """``value`` (JSON data: dicts, lists, strings, numbers) with every string redacted."""
    if isinstance(value, str):
        return redact(value, keep=keep)
    if isinstance(value, dict):
        return {k: redact_json(v, keep=keep) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_json(v, keep=keep) for v in value]
    return value


# -- secrets -------------------------------------------------------------------------------

_secrets: set[str] = set()
_secrets_lock = threading.Lock()
_secret_re: re.Pattern[str] | None = None
# scheme://user:password@host → the password; "Bearer <token>"; "token=<...>" in URLs.
_URL_PASSWORD = re.compile(
    r"(?P<head>\b[a-z][a-z0-9+.\-]*://[^\s:/@]*:)(?P<pw>[^\s@/]+)(?=@)", re.I
)
_BEARER = re.compile(r"(?P<head>\b(?:bearer|token|basic)\s+)(?P<pw>[A-Za-z0-9._~+/=\-]{12,})", re.I)


def register_secrets(*values: str | None) -> None:
    """Make :func:`redact_secrets` (and every :func:`redact`) mask these values.

    The process's configuration registers its secrets once at start (the Twilio auth token,
    API tokens, database passwords); values shorter than 4 characters are ignored (they would
    mask ordinary words).
    """
    global _secret_re
    with _secrets_lock:
        _secrets.update(v for v in values if v and len(v) >= 4)
        if _secrets:
            alternatives = sorted(_secrets, key=len, reverse=True)
            _secret_re = re.compile("|".join(re.escape(v) for v in alternatives))


def redact_secrets(text: str, secrets: Collection[str] = ()) -> str:
    """``text`` without registered secrets, ``secrets``, URL passwords and bearer tokens."""
    if not text:
        return text
    pattern = _secret_re
    if pattern is not None:
        text = pattern.sub(_SECRET, text)
    for value in secrets:
        if value and len(value) >= 4:
            text = text.replace(value, _SECRET)
    text = _URL_PASSWORD.sub(lambda m: m.group("head") + "***", text)
    return _BEARER.sub(lambda m: m.group("head") + _SECRET, text)


class RedactingFilter(logging.Filter):
    """Redacts every record (message with its arguments, and its traceback) before output.

    Attach it to a handler (a logger's filters see only records logged on that logger itself):
    ``handler.addFilter(RedactingFilter())``.

    Args:
        name: as for :class:`logging.Filter`.
        keep: values that must survive (see :func:`redact`).
        secrets: secret values to mask besides those registered with :func:`register_secrets`.
    """

    def __init__(
        self, name: str = "", *, keep: Collection[str] = (), secrets: Collection[str] = ()
    ) -> None:
        super().__init__(name)
        self.keep = tuple(keep)
        self.secrets = tuple(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place; never drops it."""
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: logging reports it itself later
            return True
        cleaned = redact_secrets(redact(message, keep=self.keep), self.secrets)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_secrets(redact(record.exc_text, keep=self.keep), self.secrets)
        return True
