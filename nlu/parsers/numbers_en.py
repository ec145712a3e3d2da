"""English number words: cardinals ("twenty-one") and ordinals ("third", "21st")."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["CARDINAL", "ORDINAL", "parse_cardinal", "parse_ordinal"]

_ONES = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
_ORD_ONES = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
}
_ORD_TENS = {"twentieth": 20, "thirtieth": 30}


def _alt(words: Iterable[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_ONE_TO_NINE = _alt([w for w, v in _ONES.items() if 1 <= v <= 9])
#: A cardinal 0..59 in words or 1..3 digits: "four", "twenty-one", "forty five", "12".
CARDINAL = (
    f"(?:\\d{{1,3}}|(?:{_alt(_TENS)})(?:[\\s-](?:{_ONE_TO_NINE}))?|{_alt(_ONES)}|a\\s+dozen|dozen)"
)
#: An ordinal 1..31: "3rd", "third", "twenty-first", "thirty first".
ORDINAL = (
    f"(?:\\d{{1,2}}(?:st|nd|rd|th)|(?:twenty|thirty)[\\s-](?:{_alt(_ORD_ONES)})"
    f"|{_alt(_ORD_TENS)}|{_alt(_ORD_ONES)})"
)

_SPLIT = re.compile(r"[\s-]+")


def parse_cardinal(word: str) -> int | None:
    """Value of an English cardinal in digits or words.

    Args:
        word: e.g. ``"4"``, ``"four"``, ``"twenty-one"``, ``"a dozen"``.

    Returns:
        The integer, or None when ``word`` is not a cardinal.
    """
    w = word.strip().lower()
    if not w:
        return None
    if w.isascii() and w.isdigit():
        return int(w)
    if w in ("a dozen", "dozen"):
        return 12
    parts = [p for p in _SPLIT.split(w) if p]
    if len(parts) == 1:
        return _ONES.get(parts[0], _TENS.get(parts[0]))
    if len(parts) == 2 and parts[0] in _TENS and parts[1] in _ONES and 1 <= _ONES[parts[1]] <= 9:
        return _TENS[parts[0]] + _ONES[parts[1]]
    return None


def parse_ordinal(word: str) -> int | None:
    """Value of an English ordinal in digits or words.

    Args:
        word: e.g. ``"3rd"``, ``"third"``, ``"twenty-first"``.

    Returns:
        The integer, or None when ``word`` is not an ordinal.
    """
    w = word.strip().lower()
    if not w:
        return None
    if w[:-2].isdigit() and w[-2:] in ("st", "nd", "rd", "th"):
        return int(w[:-2])
    parts = [p for p in _SPLIT.split(w) if p]
    if len(parts) == 1:
        return _ORD_ONES.get(parts[0], _ORD_TENS.get(parts[0]))
    if len(parts) == 2 and parts[0] in ("twenty", "thirty") and parts[1] in _ORD_ONES:
        return _TENS[parts[0]] + _ORD_ONES[parts[1]]
    return None
