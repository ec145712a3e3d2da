"""Korean numerals: native (하나, 둘, 열두, 스무) and Sino-Korean (일, 이십, 삼십오).

Native numerals count people and name hours ("네 명", "일곱 시"); Sino-Korean numerals name
minutes, dates and dictated digits ("삼십 분", "공일공"). Patterns here are regex fragments
without groups so callers can embed them.
"""

from __future__ import annotations

import re

__all__ = [
    "NATIVE_ATTR",
    "NATIVE_FULL",
    "SINO",
    "parse_digits_ko",
    "parse_native",
    "parse_sino",
]

_UNITS_ATTR = {"한": 1, "두": 2, "세": 3, "네": 4}
_UNITS_FULL = {"하나": 1, "둘": 2, "셋": 3, "넷": 4}
_UNITS_COMMON = {"다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9}
_TENS = {"열": 10, "스물": 20, "스무": 20, "서른": 30, "마흔": 40, "쉰": 50}
_SINO_DIGITS = {
    "공": 0,
    "영": 0,
    "빵": 0,
    "일": 1,
    "이": 2,
    "삼": 3,
    "사": 4,
    "오": 5,
    "육": 6,
    "륙": 6,
    "칠": 7,
    "팔": 8,
    "구": 9,
}


def _alt(words: list[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_TEN_WORDS = ["열", "스물", "서른", "마흔", "쉰"]
_ATTR_UNITS = [*_UNITS_ATTR, *_UNITS_COMMON]
_FULL_UNITS = [*_UNITS_FULL, *_UNITS_COMMON]

#: Native numeral in attributive form, used before a counter: 한, 두, 열두, 스무, 스물한.
NATIVE_ATTR = f"(?:(?:{_alt(_TEN_WORDS)})\\s?(?:{_alt(_ATTR_UNITS)})|스무|{_alt(_TEN_WORDS)}|{_alt(_ATTR_UNITS)})"
#: Native numeral in full (standalone) form: 하나, 넷, 열둘, 스물.
NATIVE_FULL = (
    f"(?:(?:{_alt(_TEN_WORDS)})\\s?(?:{_alt(_FULL_UNITS)})|{_alt(_TEN_WORDS)}|{_alt(_FULL_UNITS)})"
)
#: Sino-Korean number 1..99 written in Hangul: 일, 십, 십오, 삼십, 오십구.
SINO = "(?:[이삼사오육칠팔구]?십[일이삼사오육칠팔구]?|[일이삼사오육칠팔구])"

_NATIVE_UNIT_RE = re.compile(f"({_alt(_ATTR_UNITS + list(_UNITS_FULL))})$")
_NATIVE_TEN_RE = re.compile(f"^({_alt([*_TENS])})")


def parse_native(word: str) -> int | None:
    """Value of a native Korean numeral (attributive or full form), 1..59.

    Args:
        word: the numeral, e.g. ``"네"``, ``"열두"``, ``"스물한"``, ``"다섯"``.

    Returns:
        The integer, or None when ``word`` is not a native numeral.
    """
    w = word.replace(" ", "")
    if not w:
        return None
    units = {**_UNITS_ATTR, **_UNITS_FULL, **_UNITS_COMMON}
    if w in units:
        return units[w]
    if w in _TENS:
        return _TENS[w]
    m = _NATIVE_TEN_RE.match(w)
    if m and w[m.end() :] in units:
        return _TENS[m.group(1)] + units[w[m.end() :]]
    return None


def parse_sino(word: str) -> int | None:
    """Value of a Sino-Korean number written in Hangul, 0..99.

    Args:
        word: e.g. ``"삼십"``, ``"십오"``, ``"사십오"``, ``"칠"``.

    Returns:
        The integer, or None when ``word`` is not such a number.
    """
    w = word.replace(" ", "")
    if not w:
        return None
    if "십" not in w:
        return _SINO_DIGITS.get(w) if len(w) == 1 else None
    tens_part, _, unit_part = w.partition("십")
    if len(tens_part) > 1 or len(unit_part) > 1:
        return None
    tens = 1 if not tens_part else _SINO_DIGITS.get(tens_part)
    unit = 0 if not unit_part else _SINO_DIGITS.get(unit_part)
    if tens is None or unit is None or tens == 0:
        return None
    return tens * 10 + unit


def parse_digits_ko(word: str) -> str | None:
    """Digits of a run of dictated Sino-Korean digit syllables ("공일공" -> "010").

    Args:
        word: syllables such as ``"공일공"``; spaces are ignored.

    Returns:
        The digit string, or None if any syllable is not a digit.
    """
    out = []
    for ch in word:
        if ch.isspace():
            continue
        if ch.isdigit() and ch.isascii():
            out.append(ch)
            continue
        d = _SINO_DIGITS.get(ch)
        if d is None:
            return None
        out.append(str(d))
    return "".join(out) or None
