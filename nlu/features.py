"""Token features shared by the taggers: lookup tables, regexes and typed-parser spans.

A :class:`Gazetteer` marks, for each token, which lookup table, regex or typed value parser
covers it (``lk:seating``, ``re:zipcode``, ``ty:date``). The taggers learn how much to trust
each mark; the marks carry Korean spacing-free matching of lookup entries.

A :class:`ValueLexicon` does the same for the slot values seen in training ("my", "this is
prince", "new york"): the longest known phrase starting at a token marks it ``vl:B|playlist``
and the tokens it covers ``vl:I|playlist``. Training marks come from the other folds
(:meth:`ValueLexicon.jackknife`), so the tagger learns how far a seen value is to be trusted
on utterances whose values it has not seen.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from nlu.parsers import extract_all
from nlu.tokens import Token
from nlu.training import Example

__all__ = ["Gazetteer", "ValueLexicon", "normalise_text"]

_REF_DAY = dt.date(2026, 1, 5)  # a fixed Monday: features must not depend on the clock


def normalise_text(text: str) -> str:
    """Lower-case and collapse whitespace."""
    return " ".join(text.lower().split())


class Gazetteer:
    """Marks tokens covered by lookup entries, regexes and typed value parsers.

    Args:
        lookups: lookup table name -> entries.
        regexes: feature name -> patterns.
        language: ``"ko"`` or ``"en"`` (Korean matching ignores spaces).
        typed: run the typed value parsers and mark their spans.
    """

    def __init__(
        self,
        lookups: Mapping[str, Sequence[str]],
        regexes: Mapping[str, Sequence[str]],
        language: str,
        *,
        typed: bool = True,
    ) -> None:
        self.language = language
        self.typed = typed
        self._regexes = [
            (name, re.compile(p, re.IGNORECASE)) for name, ps in regexes.items() for p in ps
        ]
        self._lookup_patterns: list[tuple[str, re.Pattern[str]]] = []
        for name, entries in lookups.items():
            words = sorted({normalise_text(e) for e in entries if e.strip()}, key=len, reverse=True)
            if not words:
                continue
            if language == "ko":
                alts = ["\\s*".join(re.escape(ch) for ch in w.replace(" ", "")) for w in words]
                pattern = "(?:" + "|".join(alts) + ")"
            else:
                alts = [r"\s+".join(re.escape(p) for p in w.split()) for w in words]
                pattern = r"(?<![\w'])(?:" + "|".join(alts) + r")(?![\w'])"
            self._lookup_patterns.append((name, re.compile(pattern, re.IGNORECASE)))

    @property
    def names(self) -> list[str]:
        """Every mark this gazetteer can put on a token."""
        out = [f"lk:{n}" for n, _ in self._lookup_patterns]
        out += sorted({f"re:{n}" for n, _ in self._regexes})
        if self.typed:
            out += ["ty:date", "ty:time", "ty:count", "ty:phone"]
        return out

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """All (start, end, mark) spans found in ``text``."""
        found: list[tuple[int, int, str]] = []
        for name, pat in self._lookup_patterns:
            found.extend(
                (m.start(), m.end(), f"lk:{name}")
                for m in pat.finditer(text)
                if m.end() > m.start()
            )
        for name, pat in self._regexes:
            found.extend(
                (m.start(), m.end(), f"re:{name}")
                for m in pat.finditer(text)
                if m.end() > m.start()
            )
        if self.typed:
            for v in extract_all(text, self.language, _REF_DAY):
                if v.name != "yesno":
                    found.append((v.start, v.end, f"ty:{v.name}"))
        return found

    def marks(self, text: str, tokens: Sequence[Token]) -> list[list[str]]:
        """Per token, the marks (with ``B``/``I`` position) covering it."""
        out: list[list[str]] = [[] for _ in tokens]
        for start, end, mark in self.spans(text):
            first = True
            for i, tok in enumerate(tokens):
                if tok.start < end and tok.end > start:
                    out[i].append(("B|" if first else "I|") + mark)
                    first = False
        return out


class ValueLexicon:
    """Slot values seen in training, matched as whole token sequences.

    Args:
        examples: annotated examples (only their entity spans are read).
        tokenized: the tokens of each example.
        max_len: the longest value, in tokens, that is looked up.
    """

    def __init__(
        self,
        examples: Iterable[Example],
        tokenized: Iterable[Sequence[Token]],
        *,
        max_len: int = 8,
    ) -> None:
        self.max_len = max_len
        values: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for ex, toks in zip(examples, tokenized, strict=True):
            for ent in ex.entities:
                key = tuple(t.text.lower() for t in toks if t.start < ent.end and t.end > ent.start)
                if 0 < len(key) <= max_len:
                    values[key].add(ent.entity)
        self._values = {k: sorted(v) for k, v in values.items()}

    def __len__(self) -> int:
        return len(self._values)

    def marks(self, tokens: Sequence[Token]) -> list[list[str]]:
        """Per token, ``vl:B|slot`` / ``vl:I|slot`` for the longest known value from it."""
        words = [t.text.lower() for t in tokens]
        n = len(words)
        out: list[list[str]] = [[] for _ in words]
        for i in range(n):
            for size in range(min(self.max_len, n - i), 0, -1):
                labels = self._values.get(tuple(words[i : i + size]))
                if labels:
                    for label in labels:
                        out[i].append(f"vl:B|{label}")
                        for j in range(i + 1, i + size):
                            out[j].append(f"vl:I|{label}")
                    break
        return out

    @classmethod
    def jackknife(
        cls,
        examples: Sequence[Example],
        tokenized: Sequence[Sequence[Token]],
        *,
        folds: int = 5,
        seed: int = 0,
    ) -> list[list[list[str]]]:
        """Marks of each training example from a lexicon of the other folds' values."""
        order = list(range(len(examples)))
        random.Random(seed).shuffle(order)
        fold_of = {j: n % folds for n, j in enumerate(order)}
        lexicons = [
            cls(
                (examples[j] for j in range(len(examples)) if fold_of[j] != f),
                (tokenized[j] for j in range(len(examples)) if fold_of[j] != f),
            )
            for f in range(folds)
        ]
        return [lexicons[fold_of[j]].marks(tokenized[j]) for j in range(len(examples))]
