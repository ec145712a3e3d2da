"""Typed results of understanding: what a caller's utterance means."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["OUT_OF_SCOPE", "NLUResult", "SlotValue"]

#: The intent of an utterance no intent of the scenario explains (and a scenario intent name).
OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class SlotValue:
    """One slot found in an utterance.

    Attributes:
        name: slot name in the scenario (``date``, ``time``, ``party_size``, ``seating``...) or a
            parser type name (``date``, ``time``, ``count``, ``phone``, ``yesno``).
        value: the normalised value: ``datetime.date``, ``datetime.time``, ``int``, ``str``
            (phone digits or a category key) or ``bool`` (yes/no).
        text: the span of the utterance it came from.
        start: start offset of the span in the utterance.
        end: end offset (exclusive).
        confidence: how sure the extractor is, 0..1.
        ambiguous: for times said without am/pm ("7시", "at 7"): the value could also be 12 hours
            later; the dialogue resolves it against opening hours.
    """

    name: str
    value: Any
    text: str
    start: int
    end: int
    confidence: float = 1.0
    ambiguous: bool = False


@dataclass(frozen=True)
class NLUResult:
    """Domain, intent and slots of one utterance."""

    text: str
    domain: str
    intent: str
    confidence: float
    slots: tuple[SlotValue, ...] = ()
    alternatives: tuple[tuple[str, float], ...] = field(default_factory=tuple)

    def slot(self, name: str) -> SlotValue | None:
        """Return the first slot called ``name``, if any."""
        for s in self.slots:
            if s.name == name:
                return s
        return None
