"""Which offered option the caller picks: "첫 번째요", "뒤에 거요", "the second one", "the later one".

Used by the dialogue while alternatives are on offer ("6시 반 또는 7시 반 가능합니다"); the words
mean nothing elsewhere ("just a second", "first of December" are not choices).
"""

from __future__ import annotations

import re

__all__ = ["CHOICES", "extract_choice"]

#: What :func:`extract_choice` returns: an option by its place, or by its time.
CHOICES = ("first", "second", "third", "last", "earlier", "later")

_F = re.IGNORECASE
_THING_KO = "(?:거|것|꺼|걸로|시간|쪽|분)"
_KO = [
    ("first", f"첫\\s*번째|첫째|(?:처음|먼저|앞)(?:에|의)?\\s*(?:말씀하신|말한|{_THING_KO})|1번"),
    ("second", "두\\s*번째|둘째|2번"),
    ("third", "세\\s*번째|셋째|3번"),
    ("last", f"마지막|(?:나중|뒤)(?:에|의)?\\s*(?:말씀하신|말한|{_THING_KO})"),
    ("earlier", f"(?:더\\s*)?(?:이른|빠른)\\s*{_THING_KO}|일찍|더\\s*빨리"),
    ("later", f"(?:더\\s*)?늦은\\s*{_THING_KO}|늦게|더\\s*늦"),
]
_ONE_EN = r"(?:\s+(?:one|option|time|slot))?"
_EN = [
    (
        "first",
        rf"\bthe\s+first{_ONE_EN}\b(?!\s+of)|\bfirst\s+(?:one|option)\b|\boption\s+(?:one|1)\b",
    ),
    (
        "second",
        rf"\bthe\s+second{_ONE_EN}\b(?!\s+of)|\bsecond\s+(?:one|option)\b|\boption\s+(?:two|2)\b",
    ),
    ("third", rf"\bthe\s+third{_ONE_EN}\b(?!\s+of)|\bthird\s+(?:one|option)\b"),
    ("last", rf"\bthe\s+last{_ONE_EN}\b|\blast\s+one\b"),
    ("earlier", rf"\b(?:the\s+)?earl(?:ier|iest){_ONE_EN}\b"),
    ("later", rf"\b(?:the\s+)?lat(?:er|est){_ONE_EN}\b"),
]
_PATTERNS = {
    "ko": [(name, re.compile(p)) for name, p in _KO],
    "en": [(name, re.compile(p, _F)) for name, p in _EN],
}


def extract_choice(text: str, lang: str) -> str | None:
    """The option the caller picks, as one of :data:`CHOICES`, or None.

    Args:
        text: the utterance.
        lang: ``"ko"`` or ``"en"``.

    Returns:
        The first choice said, by position in the text.
    """
    if not isinstance(text, str) or not text:
        return None
    patterns = _PATTERNS["ko" if isinstance(lang, str) and lang.startswith("ko") else "en"]
    found = [(m.start(), name) for name, p in patterns if (m := p.search(text)) is not None]
    return min(found)[1] if found else None
