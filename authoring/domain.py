"""What the authoring tools know of a scenario (or of any labelled data set): its intents.

:class:`AuthoringDomain` holds a language, intent descriptions, the annotated examples and
the slot types and category values; it comes from a scenario
(:meth:`AuthoringDomain.from_scenario`) or from training data plus descriptions (benchmarks).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from authoring.annotated import Segment, Utterance
from nlu.training import Example, TrainingData, training_data_from_scenario
from scenarios.schema import Scenario

__all__ = ["AuthoringDomain", "annotate_example"]


def annotate_example(ex: Example) -> str:
    """An :class:`~nlu.training.Example` written back with inline annotations."""
    segs: list[Segment] = []
    pos = 0
    for e in sorted(ex.entities, key=lambda e: e.start):
        if e.start < pos:
            continue  # overlapping spans cannot be written inline: keep the first
        segs.append(Segment(ex.text[pos : e.start]))
        segs.append(Segment(ex.text[e.start : e.end], e.entity, e.value))
        pos = e.end
    segs.append(Segment(ex.text[pos:]))
    return Utterance(()).with_segments(segs).annotated


@dataclass
class AuthoringDomain:
    """Intents, descriptions and examples the generators and filters work from.

    Attributes:
        language: ``ko`` or ``en``.
        name: the scenario id or data set name.
        descriptions: intent -> what it means, in words.
        examples: intent -> annotated examples.
        slot_types: slot -> type (``date``, ``count``, ``category``, ...).
        categories: category slot -> canonical key -> surface forms.
        out_of_scope: the intent that collects off-topic utterances, if the domain has one.
        threshold: the NLU's intent threshold (below it, an utterance is out of scope).
        intent_slots: intent -> the slots its task asks for (frames say some of them).
        slot_examples: slot -> example values written with the descriptions (benchmarks).
    """

    language: str
    name: str
    descriptions: dict[str, str]
    examples: dict[str, list[str]] = field(default_factory=dict)
    slot_types: dict[str, str] = field(default_factory=dict)
    categories: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    out_of_scope: str | None = None
    threshold: float = 0.45
    intent_slots: dict[str, list[str]] = field(default_factory=dict)
    slot_examples: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_scenario(cls, sc: Scenario) -> AuthoringDomain:
        """The domain of a scenario: its intents, examples, slots."""
        data = training_data_from_scenario(sc)
        return cls(
            language=sc.language,
            name=sc.id,
            descriptions={k: v.description for k, v in sc.intents.items()},
            examples={k: list(v.examples) for k, v in sc.intents.items()},
            slot_types=dict(data.slot_types),
            categories=data.categories,
            out_of_scope="out_of_scope" if "out_of_scope" in sc.intents else None,
            threshold=sc.globals.intent_threshold,
            intent_slots={t.intent: list(t.slots) for t in sc.tasks.values()},
        )

    @classmethod
    def from_training_data(
        cls, data: TrainingData, descriptions: dict[str, str], *, name: str = "data"
    ) -> AuthoringDomain:
        """A domain of labelled data (a benchmark) with descriptions written for it."""
        examples: dict[str, list[str]] = {k: [] for k in descriptions}
        slot_types = dict(data.slot_types)
        for ex in data.examples:
            examples.setdefault(ex.intent, []).append(annotate_example(ex))
            for e in ex.entities:
                slot_types.setdefault(e.entity, "text")
        return cls(
            language=data.language,
            name=name,
            descriptions=dict(descriptions),
            examples=examples,
            slot_types=slot_types,
            categories=data.categories,
        )

    @property
    def intents(self) -> list[str]:
        """Every intent with a description or examples."""
        return list(dict.fromkeys([*self.descriptions, *self.examples]))

    def slot_values(self) -> dict[str, list[tuple[str, str | None]]]:
        """``(surface text, canonical value)`` seen per slot: annotations and category synonyms."""
        out: dict[str, list[tuple[str, str | None]]] = {}
        for exs in self.examples.values():
            for ex in exs:
                for seg in Utterance.parse(ex).slots:
                    assert seg.slot is not None
                    out.setdefault(seg.slot, []).append((seg.text, seg.value))
        for slot, values in self.categories.items():
            for key, forms in values.items():
                out.setdefault(slot, []).extend((f, key) for f in forms)
        return {k: list(dict.fromkeys(v)) for k, v in out.items()}
