"""Training data for the trainable NLU engines: examples with entity spans, synonyms, lookups.

One shape for every source: a scenario (:func:`training_data_from_scenario`) or Rasa NLU YAML
(:func:`nlu.rasa_format.read_rasa_nlu`). Engines learn intents and slot spans from
:attr:`TrainingData.examples`; synonyms normalise what the tagger found; lookup tables and
regexes become tagger features; :attr:`TrainingData.slot_types` tells which slots the typed
value parsers normalise (date, time, count, phone).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from scenarios.annotations import parse_annotations
from scenarios.schema import Scenario

__all__ = ["Entity", "Example", "TrainingData", "training_data_from_scenario"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entity:
    """One annotated span of an example.

    Attributes:
        start: start offset in the example text.
        end: end offset (exclusive).
        entity: the slot (entity) name.
        value: the normalised value the annotation gives, when it differs from the text.
    """

    start: int
    end: int
    entity: str
    value: str | None = None


@dataclass(frozen=True)
class Example:
    """One training utterance: plain text, its intent and its entity spans."""

    text: str
    intent: str
    entities: tuple[Entity, ...] = ()


@dataclass
class TrainingData:
    """Everything an engine trains from.

    Attributes:
        examples: annotated utterances.
        synonyms: surface text (lower-cased) -> canonical value.
        lookups: lookup table name -> entries (a lookup named like a slot marks its values).
        regexes: regex feature name -> patterns.
        slot_types: slot name -> scenario slot type (``date``, ``time``, ``count``, ``phone``,
            ``category``, ``name``, ``text``); slots missing here are free text.
        categories: category slot -> canonical key -> surface forms (label and synonyms);
            scenario category values, matched per slot (one phrase may mean different keys in
            different slots).
        multiple: category slots that take several values at once (symptoms).
        language: ``"ko"`` or ``"en"``.
        domain: the domain reported in results.
        descriptions: intent -> what it means, in words (a scenario's intent descriptions);
            engines with a description prior (``prior``) use them, the others ignore them.
    """

    examples: list[Example] = field(default_factory=list)
    synonyms: dict[str, str] = field(default_factory=dict)
    lookups: dict[str, list[str]] = field(default_factory=dict)
    regexes: dict[str, list[str]] = field(default_factory=dict)
    slot_types: dict[str, str] = field(default_factory=dict)
    categories: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    multiple: list[str] = field(default_factory=list)
    language: str = "en"
    domain: str = "default"
    descriptions: dict[str, str] = field(default_factory=dict)

    @property
    def intents(self) -> list[str]:
        """The intents in first-seen order."""
        return list(dict.fromkeys(e.intent for e in self.examples))

    @property
    def entities(self) -> list[str]:
        """The entity names that occur in examples, sorted."""
        return sorted({en.entity for e in self.examples for en in e.entities})

    def merge(self, other: TrainingData) -> TrainingData:
        """Return the union of this data and ``other`` (``other`` wins on conflicts)."""
        lookups = {k: list(v) for k, v in self.lookups.items()}
        for k, v in other.lookups.items():
            lookups.setdefault(k, []).extend(v)
        regexes = {k: list(v) for k, v in self.regexes.items()}
        for k, v in other.regexes.items():
            regexes.setdefault(k, []).extend(v)
        return TrainingData(
            examples=[*self.examples, *other.examples],
            synonyms={**self.synonyms, **other.synonyms},
            lookups=lookups,
            regexes=regexes,
            slot_types={**self.slot_types, **other.slot_types},
            categories={**self.categories, **other.categories},
            multiple=[*self.multiple, *other.multiple],
            language=other.language if other.examples else self.language,
            domain=other.domain if other.domain != "default" else self.domain,
            descriptions={**self.descriptions, **other.descriptions},
        )


def _examples_of(name: str, texts: Iterable[str]) -> list[Example]:
    out = []
    for raw in texts:
        text, spans = parse_annotations(raw)
        ents = tuple(Entity(s, e, slot, value) for s, e, slot, value in spans)
        out.append(Example(text, name, ents))
    return out


def training_data_from_scenario(scenario: Scenario) -> TrainingData:
    """Collect a scenario's intents, annotated examples, slot types and category synonyms.

    An intent with a description and no examples yet is left out (with a log warning): the
    engines learn only the intents that have examples.
    """
    data = TrainingData(
        language=scenario.language,
        domain=scenario.domain,
        descriptions={k: v.description for k, v in scenario.intents.items()},
    )
    for name, intent in scenario.intents.items():
        if not intent.examples:
            # described but not exemplified yet: it cannot be predicted until examples exist
            log.warning("scenario %s: intent %r has no examples; not trained", scenario.id, name)
        data.examples.extend(_examples_of(name, intent.examples))
    for slot, spec in scenario.slots.items():
        data.slot_types[slot] = spec.type
        if spec.multiple:
            data.multiple.append(slot)
        for key, value in spec.values.items():
            entries = [value.label, *value.synonyms]
            data.lookups.setdefault(slot, []).extend(entries)
            data.categories.setdefault(slot, {})[key] = entries
    return data
