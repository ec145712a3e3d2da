"""Shared assertions for the parser tests."""

from __future__ import annotations

from nlu.types import SlotValue


def only(slots: list[SlotValue], name: str | None = None) -> SlotValue:
    """The single slot in ``slots`` (optionally of ``name``), with a valid span."""
    if name is not None:
        slots = [s for s in slots if s.name == name]
    assert len(slots) == 1, slots
    return slots[0]


def check_spans(text: str, slots: list[SlotValue]) -> None:
    """Every slot's span indexes into ``text`` and its ``text`` is that span."""
    for s in slots:
        assert 0 <= s.start < s.end <= len(text), s
        assert text[s.start : s.end] == s.text, s
