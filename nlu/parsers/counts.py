"""Party sizes: "네 명", "4명", "두 분", "혼자", "둘이서"; "four people", "party of 6", "just me".

A count needs a counter or a people phrase; a bare number becomes a count only in
:func:`nlu.parsers.extract_all` when the agent has just asked for one (``expected="count"``).
Korean counters 명, 분, 사람 take native numerals or digits ("네 명", "4명"); 인 takes digits
only ("4인", not "4인분", which is portions). Sino-Korean numerals with counters ("사 명") are not
natural Korean and are not parsed. "30분" (digits + 분) is minutes, not people.

A range ("대여섯 명", "두세 분", "5~6명", "five or six people", "party of 5 or 6") is the larger
number (the seats to keep) marked ``ambiguous``: the dialogue asks the caller to confirm it.
"""

from __future__ import annotations

import re

from nlu.types import SlotValue

from ._common import make_slot
from .numbers_en import CARDINAL, parse_cardinal
from .numbers_ko import NATIVE_ATTR, NATIVE_FULL, parse_native

__all__ = ["extract_counts_en", "extract_counts_ko"]

_F = re.IGNORECASE
_KO_PATTERNS = [
    # 네 명, 4명, 열두 명이요, 두 분, 다섯 사람
    re.compile(
        f"(?:(?<![가-힣\\d])(?P<nat>{NATIVE_ATTR})|(?<![\\d.])(?P<dig>\\d{{1,3}}))\\s*(?:명|사람)"
    ),
    re.compile(
        f"(?<![가-힣\\d])(?P<nat>{NATIVE_ATTR})\\s*분(?![가-힣])|(?<![가-힣\\d])(?P<nat2>{NATIVE_ATTR})\\s*분(?=[이요께도만은들])"
    ),
    # 4인 (but not 4인분 = portions)
    re.compile("(?<![\\d.])(?P<dig>\\d{1,3})\\s*인(?!분)"),
    # 둘이서, 셋이서, 우리 넷, 저희 둘이요
    re.compile(f"(?<![가-힣])(?P<full>{NATIVE_FULL})(?:이서|서)(?![가-힣])"),
    re.compile(
        f"(?:우리|저희)\\s*(?P<full>{NATIVE_FULL})(?![가-힣]|이서)|(?:우리|저희)\\s*(?P<full2>{NATIVE_FULL})(?=이[요에]|요)"
    ),
]
_KO_ALONE = re.compile("(?:저\\s*)?혼자(?:서)?")
# approximate native numbers: 대여섯 is "five or six"
_KO_APPROX = {
    "한두": 2,
    "두세": 3,
    "두서너": 4,
    "서너": 4,
    "세네": 4,
    "너덧": 5,
    "네다섯": 5,
    "네댓": 5,
    "대여섯": 6,
    "다섯여섯": 6,
    "예닐곱": 7,
    "여섯일곱": 7,
    "일고여덟": 8,
    "일여덟": 8,
    "여덟아홉": 9,
}
_KO_RANGES = [
    re.compile(
        "(?<![가-힣])(?P<w>"
        + "|".join(sorted(_KO_APPROX, key=len, reverse=True))
        + ")\\s*(?:명|분|사람)"
    ),
    # 5~6명, 5-6명, 5, 6명, 다섯에서 여섯 명, 다섯 여섯 명 (the first smaller than the second)
    re.compile(
        f"(?:(?<![\\d.])(?P<lo>\\d{{1,3}})\\s*(?:~|∼|-|,|에서|내지)\\s*(?P<dig>\\d{{1,3}})"
        f"|(?<![가-힣])(?P<lon>{NATIVE_FULL})\\s*(?:~|∼|-|,|에서|내지|\\s)\\s*(?P<nat>{NATIVE_ATTR}))"
        "\\s*(?:명|분|사람)"
    ),
]

_EN_NUM = f"(?P<n>{CARDINAL})"
_EN_PATTERNS = [
    re.compile(
        f"\\b{_EN_NUM}\\s+(?:people|persons|person|guests|adults|diners|pax|ppl|of\\s+us)\\b", _F
    ),
    re.compile(f"\\b(?:a\\s+)?party\\s+of\\s+{_EN_NUM}\\b", _F),
    re.compile(f"\\btable\\s+for\\s+{_EN_NUM}\\b", _F),
    re.compile(
        f"\\bwe(?:'re|\\s+are|\\s+will\\s+be|'ll\\s+be)\\s+{_EN_NUM}\\b(?!\\s*(?:o'?clock|[ap]\\.?m|minutes))",
        _F,
    ),
    re.compile(
        f"\\b(?:reservation|booking|book|reserve|seats?|room)?\\s*for\\s+{_EN_NUM}\\b"
        "(?!\\s*(?:o'?clock|[ap]\\.?\\s?m\\b|:|\\.\\d|hours?|minutes?|nights?|days?|weeks?|tonight"
        "|in\\s+the|at\\s+night|thirty|fifteen|forty|pm|am|oh\\b|/))",
        _F,
    ),
]
_EN_RANGE = re.compile(
    f"\\b(?:(?:a\\s+)?party\\s+of\\s+|table\\s+for\\s+|for\\s+|between\\s+)?(?P<lo>{CARDINAL})"
    f"\\s*(?:or|to|-|–|and)\\s*{_EN_NUM}"
    "(?:\\s+(?:people|persons|guests|adults|diners|pax|ppl|of\\s+us))?\\b",
    _F,
)
_EN_RANGE_NEEDS = re.compile(
    r"party|table|for|people|persons|guests|adults|diners|pax|ppl|of\s+us", _F
)
_EN_ONE = re.compile(
    r"\b(?:just|only)\s+(?:me|myself|one)\b|\bby\s+myself\b|\bjust\s+the\s+one\b|\bmyself\s+only\b",
    _F,
)
_EN_TWO = re.compile(
    r"\b(?:me\s+and\s+my\s+(?:wife|husband|partner|friend|girlfriend|boyfriend|mom|mother|dad|father|son|daughter|colleague)"
    r"|my\s+(?:wife|husband|partner)\s+and\s+(?:me|i))\b",
    _F,
)


def _dedupe(cands: list[tuple[int, int, int, bool]], text: str) -> list[SlotValue]:
    chosen: list[tuple[int, int, int, bool]] = []
    for c in sorted(cands, key=lambda c: (c[0] - c[1], c[0])):
        if all(c[1] <= s or e <= c[0] for s, e, _, _ in chosen):
            chosen.append(c)
    return [make_slot("count", v, text, s, e, ambiguous=a) for s, e, v, a in sorted(chosen)]


def extract_counts_ko(text: str) -> list[SlotValue]:
    """Find Korean party sizes in ``text``.

    Args:
        text: the utterance.

    Returns:
        ``count`` slots in text order.
    """
    cands: list[tuple[int, int, int, bool]] = []
    for pattern in _KO_PATTERNS:
        for m in pattern.finditer(text):
            g = {k: v for k, v in m.groupdict().items() if v}
            raw = next(iter(g.values()), "")
            value = int(raw) if raw.isdigit() else parse_native(raw)
            if value is not None and 0 < value <= 999:
                cands.append((m.start(), m.end(), value, False))
    for m in _KO_ALONE.finditer(text):
        cands.append((m.start(), m.end(), 1, False))
    for pattern in _KO_RANGES:
        for m in pattern.finditer(text):
            if m.groupdict().get("w"):
                value = _KO_APPROX[m.group("w")]
            else:
                raw = m.group("dig") or m.group("nat")
                value = int(raw) if raw.isdigit() else parse_native(raw)
                low_raw = m.group("lo") or m.group("lon")
                low = int(low_raw) if low_raw.isdigit() else parse_native(low_raw)
                if value is None or low is None or not 0 < low < value:
                    continue
            if value is not None and 0 < value <= 999:
                cands.append((m.start(), m.end(), value, True))
    return _dedupe(cands, text)


def extract_counts_en(text: str) -> list[SlotValue]:
    """Find English party sizes in ``text``.

    Args:
        text: the utterance.

    Returns:
        ``count`` slots in text order.
    """
    cands: list[tuple[int, int, int, bool]] = []
    for pattern in _EN_PATTERNS:
        for m in pattern.finditer(text):
            value = parse_cardinal(m.group("n"))
            if value is not None and 0 < value <= 999:
                start = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
                cands.append((start, m.end(), value, False))
    for m in _EN_ONE.finditer(text):
        cands.append((m.start(), m.end(), 1, False))
    for m in _EN_TWO.finditer(text):
        cands.append((m.start(), m.end(), 2, False))
    for m in _EN_RANGE.finditer(text):
        value, low = parse_cardinal(m.group("n")), parse_cardinal(m.group("lo"))
        if value is None or low is None or not 0 < low < value <= 999:
            continue
        # "5 or 6" alone is no count: a people word or "party of" / "for" must say so
        if _EN_RANGE_NEEDS.search(m.group(0)):
            cands.append((m.start(), m.end(), value, True))
    return _dedupe(cands, text)
