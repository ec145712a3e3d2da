"""Phone numbers, written or dictated, in Korean and English.

Examples: "010-1234-5678", "공일공에 일이삼사에 오육칠팔", "(555) 123-4567",
"zero one zero, one two three four, five six seven eight".

The value is digits only, in national form: +82 10-1234-5678 -> "01012345678" (+82 drops for a
leading 0), +1 555 123 4567 and 1-555-123-4567 -> "5551234567". Other country codes keep their
digits. A run of digits counts as a phone number when it has 9 to 11 digits (12 with a country
code); with ``lenient=True`` (the agent asked for a number) 7 digits are enough.
"""

from __future__ import annotations

import re

from nlu.types import SlotValue

from ._common import make_slot

__all__ = ["extract_phones"]

_F = re.IGNORECASE
_KO_DIGIT = "[공영빵일이삼사오육륙칠팔구]"
_EN_WORD = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_KO_MAP = dict(zip("공영빵일이삼사오육륙칠팔구", "0001234566789", strict=True))
_EN_DIGIT = "(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine)"
_MULT = "(?:double|triple)"
# One group: ASCII digits, Korean digit syllables or English digit words (with double/triple).
# Korean digit runs: a run may not touch a digit before it (so "5678이에요" stops at 8), and
# "팔이요" / "칠입니다" end with the copula, not with the digit 이 (2).
_KO_NB = "(?<![\\d공영빵일이삼사오육륙칠팔구])"
_GROUP = (
    f"(?:\\d+|{_KO_NB}{_KO_DIGIT}*[공영빵일삼육륙칠팔](?=이요|이에요|입니다|이고|이구요)"
    f"|{_KO_NB}{_KO_DIGIT}+(?![가-힣])|{_KO_NB}{_KO_DIGIT}+(?=에|다시|하고|의|요|예요|고)"
    f"|(?:{_MULT}\\s+)?{_EN_DIGIT}\\b(?:[\\s-]+(?:{_MULT}\\s+)?{_EN_DIGIT}\\b)*)"
)
_SEP = "(?:\\s*(?:[-.,]|에|다시|하고|dash|hyphen)?\\s*)"
_PHONE_RE = re.compile(
    f"(?<![\\w+])(?P<cc>\\+\\s?(?:82|1|\\d{{2,3}}(?=[\\s-]))[\\s-]*)?(?P<body>\\(?{_GROUP}\\)?(?:{_SEP}\\(?{_GROUP}\\)?)*)",
    _F,
)
_TOKEN_RE = re.compile(f"\\d|{_KO_DIGIT}|{_MULT}|{_EN_DIGIT}\\b|[a-z]+|[가-힣]", _F)


def _digits(body: str) -> str | None:
    out: list[str] = []
    repeat = 1
    for tok in _TOKEN_RE.findall(body):
        low = tok.lower()
        if low in ("double", "triple"):
            repeat = 2 if low == "double" else 3
            continue
        digit = tok if tok.isdigit() else _KO_MAP.get(tok, _EN_WORD.get(low))
        if digit is None:
            continue  # separators such as 에, 다시, dash
        out.append(digit * repeat)
        repeat = 1
    return "".join(out) or None


def _normalise(cc: str | None, digits: str) -> str:
    code = re.sub(r"\D", "", cc or "")
    if not code and digits.startswith("82") and len(digits) in (11, 12):
        code, digits = "82", digits[2:]
    if not code and len(digits) == 11 and digits.startswith("1") and not digits.startswith("10"):
        code, digits = "1", digits[1:]
    if code == "82":
        return digits if digits.startswith("0") else "0" + digits
    if code == "1" or not code:
        return digits
    return code + digits


def extract_phones(text: str, lang: str, *, lenient: bool = False) -> list[SlotValue]:
    """Find phone numbers in ``text``.

    Args:
        text: the utterance.
        lang: ``"ko"`` or ``"en"``; both scripts are read either way (callers mix them).
        lenient: accept shorter runs (7+ digits), for when the agent asked for a number.

    Returns:
        ``phone`` slots whose value is the digits in national form.
    """
    del lang  # digits are digits; dictation words of both languages are always recognised
    out: list[SlotValue] = []
    for m in _PHONE_RE.finditer(text):
        body = m.group("body")
        digits = _digits(body)
        if digits is None:
            continue
        value = _normalise(m.group("cc"), digits)
        low, high = (7, 12) if lenient else (9, 11)
        has_cc = bool(m.group("cc"))
        if not (low <= len(value) <= high or (has_cc and 9 <= len(value) <= 13)):
            continue
        end = m.end()
        while end > m.start() and not text[end - 1].isalnum():
            end -= 1
        if text[end - 1 : end] in ("에", "의"):
            end -= 1
        start = m.start()
        confidence = 1.0 if len(value) >= 9 else 0.7
        out.append(make_slot("phone", value, text, start, end, confidence=confidence))
    return out
