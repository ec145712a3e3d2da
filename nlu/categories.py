"""Find category values (seating, meal, mood...) in an utterance by their synonyms.

Korean matching ignores spaces ("아무데나" = "아무 데나"); a one-syllable Korean synonym ("방")
must stand alone or before a particle, so "방문" is not a room. English matching is on word
boundaries. A negation cancels a match: in English just before it ("no fever", "don't have a
cough"); in Korean just before it ("안 아파요") or after it in the same clause ("열은 없고",
"기침은 안 해요", "열이 나지 않아요", "홀 말고"). A synonym that is itself negative ("안 먹었",
"not good") is kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from nlu.types import SlotValue
from scenarios.schema import SlotValueSpec

__all__ = ["match_category"]

_KO_PARTICLES = ("으로", "로", "에서", "에", "이", "가", "은", "는", "도", "요", "을", "를", "이요")
_EN_NEGATION = re.compile(
    r"\b(no|not|never|without|don't|do not|didn't|haven't|no more)\b[\w' ]{0,12}$"
)


def _squeeze(text: str) -> tuple[str, list[int]]:
    """Lower-case, drop spaces; return the squeezed text and each char's original offset."""
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text.lower()):
        if not ch.isspace():
            chars.append(ch)
            index.append(i)
    return "".join(chars), index


def _is_hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


def _ko_matches(text: str, synonym: str) -> list[tuple[int, int]]:
    squeezed, index = _squeeze(text)
    syn, _ = _squeeze(synonym)
    if not syn:
        return []
    spans = []
    start = squeezed.find(syn)
    while start >= 0:
        end = start + len(syn)
        ok = True
        if len(syn) == 1:
            before_ok = (
                start == 0
                or not _is_hangul(squeezed[start - 1])
                or (index[start] - index[start - 1] > 1)
            )
            rest = squeezed[end:]
            after_ok = not rest or not _is_hangul(rest[0]) or rest.startswith(_KO_PARTICLES)
            ok = before_ok and after_ok
        if ok:
            spans.append((index[start], index[end - 1] + 1))
        start = squeezed.find(syn, start + 1)
    return spans


_KO_NEGATIVE_IN_WORD = ("없", "않", "못")
_KO_NEGATIVE_WORD = re.compile(r"^(?:안$|안(?:해|나|돼|되|좋|먹|가|와)|아니|아뇨|말고)")
_KO_CLAUSE_END = re.compile(r"(?:고|는데|지만|[,.?!])$")


def _ko_negative(word: str) -> bool:
    return any(n in word for n in _KO_NEGATIVE_IN_WORD) or bool(_KO_NEGATIVE_WORD.match(word))


def _ko_negated(text: str, start: int, end: int) -> bool:
    """A negation before the match ("안 아파요") or after it in its clause ("열은 없고")."""
    before = text[:start].rstrip()
    if before.endswith(("안", "못")) and (len(before) == 1 or not _is_hangul(before[-2])):
        return True
    rest = text[end:]
    words = rest.split()
    if rest[:1].isspace() or not rest:
        words.insert(0, "")  # the match ended its word
    for word in words[:3]:
        if _ko_negative(word):
            return True
        if _KO_CLAUSE_END.search(word):  # "아프고 열은 없어요": the pain stands
            return False
    return False


def _en_matches(text: str, synonym: str) -> list[tuple[int, int]]:
    pattern = (
        r"(?<![\w'])" + r"\s+".join(re.escape(w) for w in synonym.lower().split()) + r"(?![\w'])"
    )
    spans = []
    lowered = text.lower()
    for m in re.finditer(pattern, lowered):
        if _EN_NEGATION.search(lowered[: m.start()]) and not synonym.lower().startswith(
            ("no", "not", "didn", "don", "haven", "couldn", "did not", "have not", "do not")
        ):
            continue
        spans.append((m.start(), m.end()))
    return spans


def match_category(
    text: str, slot: str, values: Mapping[str, SlotValueSpec], lang: str, *, multiple: bool = False
) -> list[SlotValue]:
    """Return the values of one category slot mentioned in ``text``.

    When several synonyms overlap, the one starting first wins, then the longest
    ("안 먹었어요" is *skipped*, not *ate well*). Without ``multiple`` only the best match is
    returned.
    """
    found: list[tuple[int, int, str]] = []
    for key, spec in values.items():
        for syn in (spec.label, *spec.synonyms):
            if lang == "ko":
                spans = _ko_matches(text, syn)
                if not any(_ko_negative(w) for w in syn.split()):
                    spans = [(s, e) for s, e in spans if not _ko_negated(text, s, e)]
            else:
                spans = _en_matches(text, syn)
            found.extend((s, e, key) for s, e in spans)
    found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
    chosen: list[tuple[int, int, str]] = []
    for s, e, key in found:
        if any(s < ce and cs < e for cs, ce, _ in chosen):
            continue
        chosen.append((s, e, key))
    result = [SlotValue(slot, key, text[s:e], s, e, 0.9) for s, e, key in chosen]
    if not multiple:
        return result[:1]
    keys = {v.value for v in result}
    dedup: list[SlotValue] = []
    for v in result:
        if v.value in {d.value for d in dedup}:
            continue
        if len(keys) > 1 and v.value == "none":  # "no pain but a cough": the symptom wins
            continue
        dedup.append(v)
    return dedup
