"""Token features shared by the taggers: lookup tables, regexes and typed-parser spans.

A :class:`Gazetteer` marks, for each token, which lookup table, regex or typed value parser
covers it (``lk:seating``, ``re:zipcode``, ``ty:date``). The taggers learn how much to trust
each mark; the marks carry Korean spacing-free matching of lookup entries.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence

from nlu.parsers import extract_all
from nlu.tokens import Token

__all__ = ["Gazetteer", "normalise_text"]

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
