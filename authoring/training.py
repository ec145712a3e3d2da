"""Train an NLU engine with a scenario's accepted candidates; read held-out phrasing files.

Only candidates in state ``accepted`` are added to the scenario's own examples; the engines are
those of ``nlu.base`` (``classical``, ``joint``), trained and evaluated with their own API
(:func:`nlu.evaluate.evaluate`).

A held-out file (``scenarios/heldout/<scenario-id>.yaml``) holds phrasings written by hand that
no generator saw, annotated like scenario examples::

    scenario: restaurant-ko
    examples:
      book:
        - "[토요일](date) 저녁에 자리 좀 잡아 주실래요"
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from authoring.annotated import Utterance
from authoring.candidates import Candidate
from common.errors import InputError
from nlu.base import NLUEngine, Progress, engine_class
from nlu.training import Entity, Example, TrainingData, training_data_from_scenario
from scenarios.schema import Scenario

__all__ = [
    "HELDOUT_DIR",
    "examples_of",
    "heldout_path",
    "load_heldout",
    "train_with_candidates",
    "training_data_with",
]

HELDOUT_DIR = Path(__file__).resolve().parents[1] / "scenarios" / "heldout"


def examples_of(intent: str, annotated: Sequence[str]) -> list[Example]:
    """Annotated utterances of one intent as training examples."""
    out = []
    for text in annotated:
        u = Utterance.parse(text)
        ents = tuple(Entity(s, e, slot, value) for s, e, slot, value in u.spans)
        out.append(Example(u.text, intent, ents))
    return out


def training_data_with(base: TrainingData, accepted: Sequence[Candidate]) -> TrainingData:
    """``base`` plus every accepted utterance candidate (others are ignored)."""
    extra = [
        ex
        for c in accepted
        if c.state == "accepted" and c.kind == "utterance"
        for ex in examples_of(c.intent, [c.text])
    ]
    return TrainingData(
        examples=[*base.examples, *extra],
        synonyms=dict(base.synonyms),
        lookups={k: list(v) for k, v in base.lookups.items()},
        regexes={k: list(v) for k, v in base.regexes.items()},
        slot_types=dict(base.slot_types),
        categories=base.categories,
        multiple=list(base.multiple),
        language=base.language,
        domain=base.domain,
        descriptions=dict(base.descriptions),
    )


def train_with_candidates(
    scenario: Scenario,
    accepted: Sequence[Candidate],
    *,
    engine: str = "classical",
    progress: Progress | None = None,
) -> NLUEngine:
    """An engine trained on the scenario's examples and its accepted candidates."""
    data = training_data_with(training_data_from_scenario(scenario), accepted)
    model = engine_class(engine)(oos_threshold=scenario.globals.intent_threshold)
    return model.train(data, progress=progress)


def heldout_path(scenario_id: str) -> Path:
    """Where the held-out file of a shipped scenario lives."""
    return HELDOUT_DIR / f"{scenario_id}.yaml"


def load_heldout(path: str | Path) -> tuple[str, list[Example]]:
    """Read a held-out file: its scenario id and annotated examples.

    Raises:
        InputError: the file is missing or not in the format above.
    """
    path = Path(path)
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except (OSError, YAMLError) as e:
        raise InputError(f"{path}: cannot read held-out file: {e}") from None
    if not isinstance(data, dict) or not isinstance(data.get("examples"), dict):
        raise InputError(
            f"{path}: a held-out file needs 'scenario' and 'examples: {{intent: [...]}}'"
        )
    out: list[Example] = []
    for intent, texts in data["examples"].items():
        if not isinstance(texts, list):
            raise InputError(f"{path}: examples of {intent!r} must be a list")
        out.extend(examples_of(str(intent), [str(t) for t in texts]))
    return str(data.get("scenario", path.stem)), out
