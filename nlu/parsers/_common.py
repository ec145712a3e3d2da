"""Helpers shared by the parsers: slot construction and span bookkeeping."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nlu.types import SlotValue

__all__ = ["covered", "make_slot", "resolve_overlaps"]


def make_slot(
    name: str,
    value: Any,
    text: str,
    start: int,
    end: int,
    *,
    confidence: float = 1.0,
    ambiguous: bool = False,
) -> SlotValue:
    """Build a SlotValue whose ``text`` is ``text[start:end]`` of the utterance."""
    return SlotValue(
        name=name,
        value=value,
        text=text[start:end],
        start=start,
        end=end,
        confidence=confidence,
        ambiguous=ambiguous,
    )


def covered(slots: Iterable[SlotValue], start: int, end: int) -> bool:
    """True when ``[start, end)`` overlaps any of ``slots``."""
    return any(s.start < end and start < s.end for s in slots)


def resolve_overlaps(slots: Iterable[SlotValue], priority: dict[str, int]) -> list[SlotValue]:
    """Keep non-overlapping slots: longer spans first, then by ``priority`` (lower wins).

    Dates and times never suppress each other: "8 tonight" is a time whose span contains the date
    "tonight", and both facts are wanted.
    """
    ranked = sorted(slots, key=lambda s: (-(s.end - s.start), priority.get(s.name, 99), s.start))
    kept: list[SlotValue] = []
    for s in ranked:
        clash = [k for k in kept if k.start < s.end and s.start < k.end]
        if all({k.name, s.name} == {"date", "time"} for k in clash):
            kept.append(s)
    return sorted(kept, key=lambda s: (s.start, s.end))
