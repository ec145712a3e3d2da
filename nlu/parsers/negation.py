"""Phrases the caller mentions only to deny them: "기침은 없어요", "열은 안 나요", "I don't have a cough".

A care-call question ("열이 나거나 기침을 하시거나 아픈 데는 없으세요?") is answered "no" by
denying what it asks about; the dialogue reads such an answer as the question's ``no``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["negated_mention"]

_F = re.IGNORECASE
_EN_NEGATOR = re.compile(
    r"\b(?:no|not|never|without|nor|neither|don'?t|doesn'?t|didn'?t|haven'?t|hasn'?t|hadn'?t"
    r"|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|can'?t|cannot)\b",
    _F,
)
_EN_WORDS_BEFORE = 4  # "I don't have any cough": the negator within four words before
_KO_NEGATIVE = re.compile("없|않|아니|아뇨|(?:^|\\s)(?:안|못)(?:\\s|$)|^(?:안|못)")
_KO_CLAUSE_END = re.compile("(?:고|는데|지만|[,.?!])$")


def _en(text: str, phrase: str) -> bool:
    words = r"\s+".join(re.escape(w) for w in phrase.lower().split())
    for m in re.finditer(rf"(?<![\w']){words}(?![\w'])", text.lower()):
        before = text[: m.start()].split()[-_EN_WORDS_BEFORE:]
        if _EN_NEGATOR.search(" ".join(before)):
            return True
    return False


def _ko(text: str, phrase: str) -> bool:
    start = text.find(phrase)
    while start >= 0:
        end = start + len(phrase)
        before = text[:start].rstrip()
        if before.endswith(("안", "못")) and (len(before) == 1 or before[-2].isspace()):
            return True
        rest = text[end:]
        # the rest of the word ("기침은"), then up to two more words of the same clause
        words = rest.split()
        if rest[:1].isspace():
            words.insert(0, "")
        for word in words[:3]:
            if _KO_NEGATIVE.search(word):
                return True
            if _KO_CLAUSE_END.search(word):
                break
        start = text.find(phrase, end)
    return False


def negated_mention(text: str, lang: str, phrases: Iterable[str]) -> bool:
    """True when one of ``phrases`` is said inside a negation ("기침은 없어요", "no cough here").

    Args:
        text: the utterance.
        lang: ``"ko"`` or ``"en"``.
        phrases: the words to look for (a question's value synonyms).
    """
    if not isinstance(text, str) or not text:
        return False
    ko = isinstance(lang, str) and lang.startswith("ko")
    for phrase in phrases:
        phrase = phrase.strip()
        if phrase and (_ko(text, phrase) if ko else _en(text, phrase)):
            return True
    return False
