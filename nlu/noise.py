"""Noise of the kind callers' transcripts carry, to measure robustness: spacing and typos.

- :func:`remove_spaces`: "내일 저녁 7시" -> "내일저녁7시".
- :func:`insert_space`: one space inside a word ("예약 하고싶어요" -> "예 약하고싶어요").
- :func:`one_typo`: one jamo-level edit in Korean (a vowel or consonant swapped for a
  neighbour on the 2-set keyboard, a final consonant dropped or added) or one character edit
  in other scripts.
- :func:`typo_variants`: every one-jamo typo of a short Korean utterance, the same edits as
  :func:`one_typo`; the engines train on them so that "내" (a typo of "네") still reads as yes.
"""

from __future__ import annotations

import random

__all__ = ["insert_space", "one_typo", "remove_spaces", "typo_variants"]

_CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_JUNG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
# keyboard neighbours of initial consonants and vowels (2-set layout), by index
_CHO_NEAR = {
    0: [3, 8],
    2: [11, 5],
    3: [0, 2],
    5: [2, 18],
    6: [2, 18],
    7: [9, 12],
    9: [0, 7],
    11: [2, 5],
    12: [9, 11],
    18: [5, 6],
}
_JUNG_NEAR = {
    0: [4, 20],
    4: [0, 8],
    8: [4, 13],
    13: [8, 18],
    18: [13, 20],
    20: [0, 18],
    1: [5, 0],
    5: [1, 4],
}


def remove_spaces(text: str) -> str:
    """Drop every space."""
    return "".join(text.split())


def insert_space(text: str, rng: random.Random) -> str:
    """Insert one space between two non-space characters (unchanged if there is no room)."""
    spots = [i for i in range(1, len(text)) if not text[i - 1].isspace() and not text[i].isspace()]
    if not spots:
        return text
    i = rng.choice(spots)
    return text[:i] + " " + text[i:]


def _hangul_typo(ch: str, rng: random.Random) -> str:
    code = ord(ch) - 0xAC00
    cho, jung, jong = code // 588, (code % 588) // 28, code % 28
    kind = rng.randrange(3)
    if kind == 0 and cho in _CHO_NEAR:
        cho = rng.choice(_CHO_NEAR[cho])
    elif kind == 1 and jung in _JUNG_NEAR:
        jung = rng.choice(_JUNG_NEAR[jung])
    else:
        jong = 0 if jong else rng.choice([4, 8, 16, 21])  # drop or add ㄴ ㄹ ㅁ ㅇ
    return chr(0xAC00 + cho * 588 + jung * 28 + jong)


def one_typo(text: str, rng: random.Random) -> str:
    """Make one typo: a jamo-level edit of a Hangul syllable, else a letter substitution."""
    hangul = [i for i, ch in enumerate(text) if "가" <= ch <= "힣"]
    if hangul:
        i = rng.choice(hangul)
        return text[:i] + _hangul_typo(text[i], rng) + text[i + 1 :]
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if not letters:
        return text
    i = rng.choice(letters)
    return text[:i] + rng.choice("etaoinsrhl") + text[i + 1 :]


def _syllable_typos(ch: str) -> list[str]:
    code = ord(ch) - 0xAC00
    cho, jung, jong = code // 588, (code % 588) // 28, code % 28
    triples = [(c, jung, jong) for c in _CHO_NEAR.get(cho, [])]
    triples += [(cho, j, jong) for j in _JUNG_NEAR.get(jung, [])]
    triples += [(cho, jung, 0)] if jong else [(cho, jung, k) for k in (4, 8, 16, 21)]
    return [chr(0xAC00 + c * 588 + j * 28 + k) for c, j, k in triples]


def typo_variants(text: str, *, max_syllables: int = 3) -> list[str]:
    """Every utterance one jamo-level typo away from ``text`` (see :func:`one_typo`).

    Only for short utterances (at most ``max_syllables`` Hangul syllables): longer ones keep
    enough intact characters for n-gram features, and their variants would be many. Returns
    an empty list for longer or non-Korean text; never ``text`` itself.
    """
    hangul = [i for i, ch in enumerate(text) if "가" <= ch <= "힣"]
    if not hangul or len(hangul) > max_syllables:
        return []
    out: list[str] = []
    for i in hangul:
        for typo in _syllable_typos(text[i]):
            variant = text[:i] + typo + text[i + 1 :]
            if variant != text and variant not in out:
                out.append(variant)
    return out
