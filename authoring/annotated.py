"""Annotated utterances as segments, so a transformation never moves a slot's boundaries.

An example such as ``"[내일](date) [4명](party_size)이요"`` becomes segments ``내일`` (slot
``date``), `` `` (plain), ``4명`` (slot ``party_size``), ``이요`` (plain). Augmenters rewrite plain
segments and, when they know how, the text of a slot segment as a whole; :attr:`Utterance.annotated`
writes the annotations back, always matching the new text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from scenarios.annotations import parse_annotations

__all__ = ["Segment", "Utterance"]


@dataclass(frozen=True)
class Segment:
    """A stretch of an utterance: plain text, or the text of one slot.

    Attributes:
        text: the words.
        slot: the slot this text fills, or ``None`` for plain text.
        value: the canonical value the annotation gives (``[방](seating:room)`` -> ``room``).
    """

    text: str
    slot: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class Utterance:
    """An utterance as a sequence of plain and slot segments."""

    segments: tuple[Segment, ...]

    @classmethod
    def parse(cls, annotated: str) -> Utterance:
        """Read ``[text](slot)`` / ``[text](slot:value)`` annotations into segments."""
        text, spans = parse_annotations(annotated)
        segs: list[Segment] = []
        pos = 0
        for start, end, slot, value in spans:
            if start > pos:
                segs.append(Segment(text[pos:start]))
            segs.append(Segment(text[start:end], slot, value))
            pos = end
        if pos < len(text):
            segs.append(Segment(text[pos:]))
        return cls(tuple(segs))

    @property
    def text(self) -> str:
        """The plain text, annotations removed."""
        return "".join(s.text for s in self.segments)

    @property
    def annotated(self) -> str:
        """The text with inline annotations, as scenario files write examples."""
        out = []
        for s in self.segments:
            if s.slot is None:
                out.append(s.text)
            elif s.value:
                out.append(f"[{s.text}]({s.slot}:{s.value})")
            else:
                out.append(f"[{s.text}]({s.slot})")
        return "".join(out)

    @property
    def spans(self) -> list[tuple[int, int, str, str | None]]:
        """``(start, end, slot, value)`` of every slot in :attr:`text`."""
        out = []
        pos = 0
        for s in self.segments:
            if s.slot is not None:
                out.append((pos, pos + len(s.text), s.slot, s.value))
            pos += len(s.text)
        return out

    @property
    def slots(self) -> list[Segment]:
        """The slot segments, in order."""
        return [s for s in self.segments if s.slot is not None]

    def map_plain(self, fn: Callable[[str], str]) -> Utterance:
        """Apply ``fn`` to every plain segment; slot segments stay as they are."""
        return Utterance(
            tuple(replace(s, text=fn(s.text)) if s.slot is None else s for s in self.segments)
        )

    def with_segments(self, segments: list[Segment]) -> Utterance:
        """A new utterance of ``segments``, merging adjacent plain ones and dropping empty ones."""
        out: list[Segment] = []
        for s in segments:
            if not s.text:
                continue
            if s.slot is None and out and out[-1].slot is None:
                out[-1] = Segment(out[-1].text + s.text)
            else:
                out.append(s)
        return Utterance(tuple(out))

    def valid(self) -> bool:
        """Whether every slot segment has text without spaces at its edges."""
        return all(s.text and s.text == s.text.strip() for s in self.slots)
