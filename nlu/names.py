"""Pull a person's name out of an answer to "may I have your name?"."""

from __future__ import annotations

import re

__all__ = ["extract_name"]

_KO_PREFIX = re.compile(
    r"^(?:네[,.\s]+|예[,.\s]+)?(?:(?:제\s*이름은|이름은|예약자는|예약자\s*이름은|성함은)\s*|(?:저는|전)\s+)?"
)
_KO_SUFFIX = re.compile(
    r"\s*(?:이라고\s*합니다|라고\s*합니다|이라고\s*해요|라고\s*해요|입니다|이에요|예요|이요|요|으로\s*해\s*주세요|로\s*해\s*주세요|으로요|로요|이름으로요)[.!\s]*$"
)
_EN_PREFIX = re.compile(
    r"^(?:(?:yes|yeah|sure|ok|okay)[,.\s]+)?(?:my name is|my name's|the name is|the name's|name's|it's|it is|this is|i'm|i am|under|put it under|book it under)\s+",
    re.IGNORECASE,
)
_EN_SUFFIX = re.compile(r"[\s,.!]*(?:please|thanks|thank you)?[.!\s]*$", re.IGNORECASE)
_HANGUL_NAME = re.compile(r"^[가-힣]{2,5}$")
_LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z'\-]*(?:\s+[A-Za-z][A-Za-z'\-]*){0,3}$")


def extract_name(text: str, lang: str) -> str | None:
    """Return the name in ``text`` ("김민수입니다" → "김민수"), or None when there is none."""
    t = text.strip().strip(".!?")
    if lang == "ko":
        t = _KO_PREFIX.sub("", t)
        t = _KO_SUFFIX.sub("", t).strip()
        t = t.replace(" ", "") if len(t.replace(" ", "")) <= 5 else t
        return t if _HANGUL_NAME.match(t) else None
    t = _EN_PREFIX.sub("", t)
    t = _EN_SUFFIX.sub("", t).strip()
    if not _LATIN_NAME.match(t):
        return None
    return " ".join(w[:1].upper() + w[1:] for w in t.split())
