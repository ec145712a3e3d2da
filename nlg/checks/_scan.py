"""A small span scanner shared by the Korean and English mention finders."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from nlg.checks._mention import Mention

__all__ = ["Rule", "scan"]

Builder = Callable[[re.Match[str]], Mention | None]
Rule = tuple[re.Pattern[str], Builder]


def scan(text: str, rules: Sequence[Rule], taken: Iterable[tuple[int, int]] = ()) -> list[Mention]:
    """Apply ``rules`` in order; a span once claimed is not matched again by a later rule."""
    spans = list(taken)
    found: list[Mention] = []
    for pattern, build in rules:
        for m in pattern.finditer(text):
            start, end = m.span()
            if start == end or any(s < end and start < e for s, e in spans):
                continue
            mention = build(m)
            if mention is None:
                continue
            spans.append((start, end))
            found.append(mention)
    return sorted(found, key=lambda x: x.start)


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of ``words``, longest first (so "열두" wins over "열")."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
