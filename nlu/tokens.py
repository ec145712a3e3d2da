"""Tokens with character offsets, Korean morpheme splits, BIO tags and span decoding.

Korean words are cut at kiwipiepy's morpheme boundaries ("내일이요" -> "내일" "이요"), so a
slot ending before a particle still starts and ends on a token. Every token keeps its offsets
in the original text, so learned spans map back exactly.
"""

from __future__ import annotations

import re
import threading
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Token", "bio_tags", "jamo", "spans_from_tags", "tokenize"]

_TOKEN = re.compile(r"[가-힣ㄱ-ㅎㅏ-ㅣ]+|[^\W\d_]+(?:'[^\W\d_]+)?|\d+|\S")
_HANGUL = re.compile(r"[가-힣]")


@dataclass(frozen=True)
class Token:
    """One token: its text, offsets and (for Korean) the morpheme tag."""

    text: str
    start: int
    end: int
    tag: str = ""


class _Kiwi:
    """A lazily created, lock-guarded kiwipiepy analyser shared by the process."""

    def __init__(self) -> None:
        self._kiwi: Any = None
        self._lock = threading.Lock()
        self._cache: dict[str, list[tuple[int, int, str]]] = {}

    def morphemes(self, text: str) -> list[tuple[int, int, str]]:
        """Return (start, end, tag) of each morpheme of ``text``."""
        hit = self._cache.get(text)
        if hit is not None:
            return hit
        with self._lock:
            if self._kiwi is None:
                from kiwipiepy import Kiwi

                with warnings.catch_warnings():
                    # 0 means one thread since kiwipiepy 0.21; it warns about the change
                    warnings.simplefilter("ignore", DeprecationWarning)
                    self._kiwi = Kiwi(num_workers=0)
            try:
                toks = self._kiwi.tokenize(text)
            except Exception:  # kiwipiepy raises on odd input; fall back to no splits
                toks = []
        out = [(t.start, t.start + t.len, str(t.tag)) for t in toks]
        if len(self._cache) < 50_000:
            self._cache[text] = out
        return out


_KIWI = _Kiwi()


def tokenize(text: str, *, morphemes: bool = True) -> list[Token]:
    """Split ``text`` into tokens with offsets; Korean runs are split into morphemes.

    Args:
        text: the utterance.
        morphemes: cut Hangul runs at kiwipiepy morpheme boundaries.
    """
    text = unicodedata.normalize("NFC", text)
    tokens: list[Token] = []
    use_kiwi = morphemes and bool(_HANGUL.search(text))
    morphs = _KIWI.morphemes(text) if use_kiwi else []
    for m in _TOKEN.finditer(text):
        start, end = m.span()
        if use_kiwi and _HANGUL.match(m.group()):
            inside = [x for x in morphs if x[0] < end and x[1] > start]
            cuts = sorted({x[0] for x in inside if start < x[0] < end})
            tags = {x[0]: x[2] for x in inside}
            bounds = [start, *cuts, end]
            for a, b in zip(bounds, bounds[1:], strict=False):
                tag = tags.get(a) or next((t for s, e, t in inside if s <= a < e), "")
                tokens.append(Token(text[a:b], a, b, tag))
        else:
            tokens.append(Token(m.group(), start, end))
    return tokens


def bio_tags(tokens: Sequence[Token], spans: Sequence[tuple[int, int, str]]) -> list[str]:
    """BIO tags of ``tokens`` for character ``spans`` (start, end, label).

    A token overlapping a span belongs to it (spans need not fall on token boundaries).
    """
    tags = ["O"] * len(tokens)
    for start, end, label in sorted(spans):
        first = True
        for i, tok in enumerate(tokens):
            if tok.start < end and tok.end > start:
                tags[i] = ("B-" if first else "I-") + label
                first = False
    return tags


def spans_from_tags(
    tokens: Sequence[Token], tags: Sequence[str], scores: Sequence[float] | None = None
) -> list[tuple[int, int, str, float]]:
    """Decode BIO tags into character spans (start, end, label, mean token score).

    An ``I-`` tag that does not continue a span of its label starts a new one (CoNLL style).
    """
    raw: list[list[Any]] = []
    cur: list[Any] | None = None
    for i, (tok, tag) in enumerate(zip(tokens, tags, strict=False)):
        score = scores[i] if scores is not None else 1.0
        if tag == "O":
            cur = None
            continue
        prefix, _, label = tag.partition("-")
        if prefix == "I" and cur is not None and cur[2] == label:
            cur[1] = tok.end
            cur[3].append(score)
            continue
        cur = [tok.start, tok.end, label, [score]]
        raw.append(cur)
    return [(s, e, label, sum(sc) / len(sc)) for s, e, label, sc in raw]


_CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_JUNG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_JONG = " ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"


def jamo(text: str) -> str:
    """Decompose Hangul syllables into jamo ("한" -> "ㅎㅏㄴ"); other characters stay."""
    out = []
    for ch in text:
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            out.append(_CHO[code // 588])
            out.append(_JUNG[(code % 588) // 28])
            if code % 28:
                out.append(_JONG[code % 28])
        else:
            out.append(ch)
    return "".join(out)
