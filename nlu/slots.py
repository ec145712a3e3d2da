"""Slot filling shared by every backend: spans from a tagger (or a Rasa server) become values.

The trainable engines (:mod:`nlu.base`) and the Rasa HTTP backend (:mod:`nlu.rasa_http`)
find an intent and character spans their own way; turning spans into normalised slot values
is the same for all of them and lives here:

- the typed value parsers read dates, times, counts and phone numbers, and win over spans;
- category values come from the scenario's synonyms over the whole utterance;
- ``expected`` (the slot just asked for) relabels a span of the same type and lets a bare
  answer fill it ("넷이요", "seven", a name);
- at a confirmation (``expected="yesno"``) a bare hour is read as a correction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from nlu.categories import match_category
from nlu.names import extract_name
from nlu.parsers import extract_all
from nlu.training import TrainingData
from nlu.types import SlotValue
from scenarios.schema import SlotValueSpec

__all__ = ["TYPED", "Span", "SlotFiller"]

#: Slot types whose values the typed parsers read (and normalise).
TYPED = ("date", "time", "count", "phone")

#: A tagged span: ``(start, end, slot name, score)``.
Span = tuple[int, int, str, float]


@dataclass(frozen=True)
class SlotFiller:
    """What one scenario's slots look like, and how to fill them from an utterance.

    Attributes:
        language: ``"ko"`` or ``"en"`` (for the typed parsers).
        slot_types: slot name -> scenario slot type.
        categories: category slot -> canonical key -> surface forms (label first).
        multiple: category slots that take several values at once.
        synonyms: surface text (lower-cased) -> canonical value, for free-text slots.
    """

    language: str = "en"
    slot_types: dict[str, str] = field(default_factory=dict)
    categories: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    multiple: tuple[str, ...] = ()
    synonyms: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_data(cls, data: TrainingData) -> SlotFiller:
        """The filler of the slots ``data`` declares."""
        return cls(
            language=data.language,
            slot_types=dict(data.slot_types),
            categories={
                k: {kk: list(vv) for kk, vv in v.items()} for k, v in data.categories.items()
            },
            multiple=tuple(data.multiple),
            synonyms=dict(data.synonyms),
        )

    def expected_type(self, expected: str | None) -> str | None:
        """The type of the slot asked for (``"yesno"`` stays itself)."""
        if expected is None:
            return None
        return self.slot_types.get(expected, expected)

    def slot_for_type(self, typ: str, expected: str | None) -> str | None:
        """The slot a typed value belongs to: the asked one if it has that type, else the first."""
        if expected is not None and self.slot_types.get(expected) == typ:
            return expected
        return next((s for s, t in self.slot_types.items() if t == typ), None)

    def values(self, slot: str) -> dict[str, SlotValueSpec]:
        """The category values of ``slot`` as scenario value specs."""
        return {
            key: SlotValueSpec(label=forms[0], synonyms=tuple(forms[1:]))
            for key, forms in self.categories.get(slot, {}).items()
            if forms
        }

    def fill(
        self, text: str, spans: list[Span], today: date, expected: str | None
    ) -> list[SlotValue]:
        """The slot values of ``text``, given a tagger's ``spans``, sorted by position.

        Args:
            text: the utterance.
            spans: ``(start, end, slot, score)`` found by a tagger; may be empty.
            today: the caller's local date (relative dates resolve against it).
            expected: the slot just asked for, or ``"yesno"`` during a confirmation.
        """
        exp_type = self.expected_type(expected)
        typed = extract_all(text, self.language, today, exp_type if exp_type in TYPED else None)
        if exp_type == "yesno" and not any(v.name in TYPED for v in typed):
            # a correction at confirmation may be a bare hour: "no, make it 8"
            typed += [
                v for v in extract_all(text, self.language, today, "time") if v.name == "time"
            ]
        slots: list[SlotValue] = []

        def free(start: int, end: int) -> bool:
            return not any(s.start < end and start < s.end for s in slots)

        # typed parsers win for dates, times, counts and phones
        for v in typed:
            if v.name == "yesno":
                continue
            name = self.slot_for_type(v.name, expected)
            if name is not None and name != expected:
                # the tagger tells which of several slots of one type this is
                name = next(
                    (
                        label
                        for a, b, label, _ in spans
                        if a < v.end and v.start < b and self.slot_types.get(label) == v.name
                    ),
                    name,
                )
            if name is not None and free(v.start, v.end):
                slots.append(
                    SlotValue(name, v.value, v.text, v.start, v.end, v.confidence, v.ambiguous)
                )
        # category values by the scenario's synonyms, over the whole utterance, as the
        # authors wrote them: one phrase may answer several slots ("없어요"), the dialogue
        # reads the slot it asked for
        for slot in self.categories:
            slots.extend(
                match_category(
                    text, slot, self.values(slot), self.language, multiple=slot in self.multiple
                )
            )
        # learned spans, normalised by the slot's type
        for start, end, label, score in spans:
            if not free(start, end):
                continue
            typ = self.slot_types.get(label, "text")
            if exp_type is not None and expected is not None and typ == exp_type:
                label = expected
            surface = text[start:end]
            if typ in TYPED or typ == "yesno":
                continue  # the parsers did not read a value there: nothing to normalise
            if typ == "category":
                if any(s.name == label for s in slots):
                    continue
                found = match_category(surface, label, self.values(label), self.language)
                if found:
                    slots.append(SlotValue(label, found[0].value, surface, start, end, score))
            else:
                value = self.synonyms.get(surface.lower(), surface)
                slots.append(SlotValue(label, value, surface, start, end, score))
        if exp_type == "name" and expected is not None:
            name_text = extract_name(text, self.language)
            if name_text:
                start = max(text.find(name_text), 0)
                end = start + len(name_text)
                slots = [s for s in slots if not (s.name == expected)]
                if free(start, end):
                    slots.append(SlotValue(expected, name_text, name_text, start, end))
        slots.extend(v for v in typed if v.name == "yesno")
        return sorted(slots, key=lambda s: (s.start, s.end))
