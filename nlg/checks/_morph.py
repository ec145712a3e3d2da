"""Korean morphology for the checks (kiwipiepy): sentence endings, proper nouns, content words."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Morph",
    "content_words_ko",
    "impolite_endings",
    "morphs",
    "proper_nouns",
    "sentence_complete_ko",
]


@dataclass(frozen=True)
class Morph:
    """One morpheme: its form, its Sejong tag and where it starts."""

    form: str
    tag: str
    start: int


@functools.lru_cache(maxsize=1)
def _kiwi() -> Any:
    # One analyser per process (it holds a model, ~1 s to load); analysis is read-only.
    from kiwipiepy import Kiwi

    return Kiwi()


def morphs(text: str) -> tuple[Morph, ...]:
    """The morphemes of ``text``.

    Not cached on purpose: replies carry callers' names and numbers, which a process-wide
    cache would keep after the call; an analysis costs about 0.1 ms.
    """
    return tuple(Morph(t.form, t.tag, t.start) for t in _kiwi().tokenize(text))


_POLITE_FINAL = ("요", "죠", "니다", "니까", "시오", "소서")
_FINAL_SYLLABLES = tuple("요다까죠지네군어아야니자게래나가오")
# Sentence-final words of 반말 that the analyser may tag as interjections or connectives.
_BANMAL_WORDS = re.compile(
    r"(?:^|[\s,.!?])(응|어어|그래|알았어|알겠어|고마워|미안해|맞아|좋아|됐어|했어|할게|줄게|볼게|"
    r"있어|없어|거야|이야|뭐야|그치|그렇지|해|해봐|봐|줘|돼|하자|가자)(?=$|[,.!?~])"
)
# Addressing the caller as 당신 or 너 (니가, 너희) talks down to them, whatever the ending.
_RUDE_ADDRESS = re.compile(
    r"(?:^|[\s,.!?])(당신|너희|니가|너)(?=$|[\s,.!?]|[은는이가을를의께에랑한도])"
)
_PUNCT = {"SF", "SP", "SS", "SE", "SO", "SW", "SSO", "SSC"}


def impolite_endings(text: str) -> list[str]:
    """The 반말 sentence endings of ``text`` (empty when every sentence is 존댓말).

    A sentence-final ending (EF) is polite when it ends in 요 or is a 하십시오체 ending
    (습니다, ㅂ니까...). A connective ending (EC) that closes a sentence or a comma-separated
    clause the way 반말 does ("알았어,") counts as an ending too, as do a few 반말 words the
    analyser tags as interjections (응, 그래), and addressing the caller as 당신 or 너.
    """
    found: list[str] = []
    ms = morphs(text)
    for i, m in enumerate(ms):
        nxt = ms[i + 1] if i + 1 < len(ms) else None
        closes = nxt is None or nxt.tag in _PUNCT
        # An EF followed by more words is the analyser reading a connective as final
        # ("어려운 것 같아 다음에..."); the sentence's real ending comes later and is checked.
        if (m.tag == "EF" and closes) or (
            m.tag == "EC" and closes and m.form in ("어", "아", "여", "지", "니")
        ):
            if not m.form.endswith(_POLITE_FINAL):
                found.append(m.form)
        elif m.tag == "IC" and m.form in ("응", "어", "그래", "야", "으응"):
            found.append(m.form)
    found.extend(w for w in _BANMAL_WORDS.findall(text) if w not in found)
    found.extend(w for w in _RUDE_ADDRESS.findall(text) if w not in found)
    return found


def sentence_complete_ko(text: str) -> bool:
    """True when Korean ``text`` ends the way a sentence ends (punctuation or a final ending)."""
    stripped = text.rstrip()
    if not stripped:
        return False
    if stripped[-1] in ".?!…~。":
        return True
    content = [m for m in morphs(stripped) if m.tag not in _PUNCT]
    if not content:
        return False
    last = content[-1]
    if last.tag == "EF":
        # The analyser calls a stray syllable ("맞으") an ending too: require a real one.
        return last.form.endswith(_FINAL_SYLLABLES)
    return last.tag == "IC" or (last.tag == "JX" and last.form == "요")


def proper_nouns(text: str) -> list[str]:
    """Proper nouns (NNP) of Korean ``text``, adjacent ones joined ("박" + "지훈")."""
    names: list[str] = []
    ms = morphs(text)
    i = 0
    while i < len(ms):
        if ms[i].tag == "NNP":
            start = ms[i].start
            end = start + len(ms[i].form)
            j = i + 1
            while j < len(ms) and ms[j].tag == "NNP" and ms[j].start <= end + 1:
                end = ms[j].start + len(ms[j].form)
                j += 1
            names.append(text[start:end])
            i = j
        else:
            i += 1
    return names


def content_words_ko(text: str) -> set[str]:
    """Nouns and verb/adjective stems of ``text`` (for "does the reply ask about this")."""
    return {
        m.form
        for m in morphs(text)
        if m.tag in ("NNG", "NNP", "VV", "VA", "XR") and len(m.form) > 1
    }
