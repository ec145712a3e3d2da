"""The one parser of the scenario format's ``[text](slot)`` / ``[text](slot:value)`` marks.

Every reader of annotated examples (the loader's checks, the NLU's training data, the Rasa
formats, authoring) goes through :func:`parse_annotations`; :func:`annotate` writes marks back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["Span", "annotate", "parse_annotations"]

#: ``(start, end, slot, value)`` of one mark in the plain text; ``value`` is ``None`` unless
#: the mark says ``[text](slot:value)``.
Span = tuple[int, int, str, str | None]

_ANNOTATION = re.compile(r"\[([^\]]+)\]\(([a-z_][a-z0-9_]*)(?::([^)]+))?\)")


def parse_annotations(example: str) -> tuple[str, list[Span]]:
    """Strip ``[text](slot)`` / ``[text](slot:value)`` marks from an example.

    Returns:
        The plain text and the spans ``(start, end, slot, value)`` in it.
    """
    spans: list[Span] = []
    out: list[str] = []
    pos = 0
    length = 0
    for m in _ANNOTATION.finditer(example):
        out.append(example[pos : m.start()])
        length += m.start() - pos
        text = m.group(1)
        spans.append((length, length + len(text), m.group(2), m.group(3)))
        out.append(text)
        length += len(text)
        pos = m.end()
    out.append(example[pos:])
    return "".join(out), spans


def annotate(text: str, spans: Iterable[Span]) -> str:
    """Write ``spans`` into ``text`` as ``[text](slot)`` / ``[text](slot:value)`` marks."""
    parts: list[str] = []
    pos = 0
    for start, end, slot, value in sorted(spans, key=lambda s: s[0]):
        parts.append(text[pos:start])
        mark = slot if value is None else f"{slot}:{value}"
        parts.append(f"[{text[start:end]}]({mark})")
        pos = end
    parts.append(text[pos:])
    return "".join(parts)
