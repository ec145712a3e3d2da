"""Party sizes: "네 명", "4명", "두 분", "혼자", "둘이서"; "four people", "party of 6", "just me".

A count needs a counter or a people phrase; a bare number becomes a count only in
:func:`nlu.parsers.extract_all` when the agent has just asked for one (``expected="count"``).
Korean counters 명, 분, 사람 take native numerals or digits ("네 명", "4명"); 인 takes digits
only ("4인", not "4인분", which is portions). Sino-Korean numerals with counters ("사 명") are not
natural Korean and are not parsed. "30분" (digits + 분) is minutes, not people.
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
_EN_ONE = re.compile(
    r"\b(?:just|only)\s+(?:me|myself|one)\b|\bby\s+myself\b|\bjust\s+the\s+one\b|\bmyself\s+only\b",
    _F,
)
_EN_TWO = re.compile(
    r"\b(?:me\s+and\s+my\s+(?:wife|husband|partner|friend|girlfriend|boyfriend|mom|mother|dad|father|son|daughter|colleague)"
    r"|my\s+(?:wife|husband|partner)\s+and\s+(?:me|i))\b",
    _F,
)


def _dedupe(cands: list[tuple[int, int, int]], text: str) -> list[SlotValue]:
    chosen: list[tuple[int, int, int]] = []
    for c in sorted(cands, key=lambda c: (c[0] - c[1], c[0])):
        if all(c[1] <= s or e <= c[0] for s, e, _ in chosen):
            chosen.append(c)
    return [make_slot("count", v, text, s, e) for s, e, v in sorted(chosen)]


def extract_counts_ko(text: str) -> list[SlotValue]:
    """Find Korean party sizes in ``text``.

    Args:
        text: the utterance.

    Returns:
        ``count`` slots in text order.
    """
    cands: list[tuple[int, int, int]] = []
    for pattern in _KO_PATTERNS:
        for m in pattern.finditer(text):
            g = {k: v for k, v in m.groupdict().items() if v}
            raw = next(iter(g.values()), "")
            value = int(raw) if raw.isdigit() else parse_native(raw)
            if value is not None and 0 < value <= 999:
                cands.append((m.start(), m.end(), value))
    for m in _KO_ALONE.finditer(text):
        cands.append((m.start(), m.end(), 1))
    return _dedupe(cands, text)


def extract_counts_en(text: str) -> list[SlotValue]:
    """Find English party sizes in ``text``.

    Args:
        text: the utterance.

    Returns:
        ``count`` slots in text order.
    """
    cands: list[tuple[int, int, int]] = []
    for pattern in _EN_PATTERNS:
        for m in pattern.finditer(text):
            value = parse_cardinal(m.group("n"))
            if value is not None and 0 < value <= 999:
                start = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
                cands.append((start, m.end(), value))
    for m in _EN_ONE.finditer(text):
        cands.append((m.start(), m.end(), 1))
    for m in _EN_TWO.finditer(text):
        cands.append((m.start(), m.end(), 2))
    return _dedupe(cands, text)
