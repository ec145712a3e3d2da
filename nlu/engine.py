"""Understanding for one scenario: intent from a classifier, slots from typed parsers and synonyms.

One :class:`ScenarioNLU` per scenario per process (see :func:`nlu_for`), shared by every call;
``parse`` only reads the trained model, so concurrent calls may use it from several threads.
"""

from __future__ import annotations

import hashlib
import os
import threading
from datetime import date

from nlu.base import NLUEngine, engine_class
from nlu.categories import match_category
from nlu.intent import IntentClassifier
from nlu.names import extract_name
from nlu.parsers import extract_all
from nlu.training import training_data_from_scenario
from nlu.types import NLUResult, SlotValue
from scenarios.loader import parse_annotations
from scenarios.schema import Scenario

__all__ = ["DEFAULT_ENGINE", "OUT_OF_SCOPE", "ScenarioNLU", "nlu_for"]

OUT_OF_SCOPE = "out_of_scope"
#: The trainable engine scenarios use by default; ``AICALL_NLU_ENGINE=""`` (empty) brings back
#: this module's own classifier and rules (the first version).
DEFAULT_ENGINE = "classical"
_TYPED = ("date", "time", "count", "phone")


class ScenarioNLU:
    """Intent classifier and slot extraction trained from one scenario's examples."""

    def __init__(self, scenario: Scenario, *, engine: str | None = None) -> None:
        self.scenario = scenario
        self.lang = scenario.language
        # a trainable engine (nlu.base: "classical", "joint") answers instead, when named
        self._engine: NLUEngine | None = None
        if engine:
            self._engine = engine_class(engine)(
                oos_threshold=scenario.globals.intent_threshold
            ).train(training_data_from_scenario(scenario))
        texts: list[str] = []
        labels: list[str] = []
        for name, intent in scenario.intents.items():
            for ex in intent.examples:
                texts.append(parse_annotations(ex)[0])
                labels.append(name)
        self._classifier = IntentClassifier().fit(texts, labels)
        self._slot_of_type: dict[str, str] = {}
        for name, spec in scenario.slots.items():
            self._slot_of_type.setdefault(spec.type, name)

    def parse(self, text: str, *, today: date, expected: str | None = None) -> NLUResult:
        """Understand one utterance.

        Args:
            text: what the caller said.
            today: the caller's local date (relative dates resolve against it).
            expected: the slot the agent just asked for, or ``"yesno"`` during a confirmation:
                a bare answer ("일곱 시요", "four") fills it.
        """
        if self._engine is not None:
            return self._engine.parse(text, today=today, expected=expected)
        text = text[:2000]
        spec = self.scenario.slots.get(expected) if expected else None
        expected_type = spec.type if spec is not None else expected
        slots: list[SlotValue] = []
        found = extract_all(text, self.lang, today, expected_type)
        if expected_type == "yesno" and not any(v.name in _TYPED for v in found):
            # a correction at confirmation may be a bare hour: "no, make it 8"
            found += [v for v in extract_all(text, self.lang, today, "time") if v.name == "time"]
        for v in found:
            if v.name == "yesno":
                slots.append(v)
            elif v.name in _TYPED and v.name in self._slot_of_type:
                slot_name = self._slot_of_type[v.name]
                if expected and self.scenario.slots.get(expected) is not None:
                    if self.scenario.slots[expected].type == v.name:
                        slot_name = expected
                slots.append(
                    SlotValue(slot_name, v.value, v.text, v.start, v.end, v.confidence, v.ambiguous)
                )
        for name, sspec in self.scenario.slots.items():
            if sspec.type == "category":
                slots.extend(
                    match_category(text, name, sspec.values, self.lang, multiple=sspec.multiple)
                )
        if spec is not None and spec.type == "name":
            name_text = extract_name(text, self.lang)
            if name_text:
                start = max(text.find(name_text), 0)
                end = start + len(name_text)
                # "아니요" / "no" answers the question, it is not a name: a name never overlaps
                # a value the parsers found
                if not any(s.start < end and start < s.end for s in slots):
                    slots.append(SlotValue(expected or "name", name_text, name_text, start, end))
        ranked = self._classifier.predict(text, top=3)
        if not ranked:
            return NLUResult(text, self.scenario.domain, OUT_OF_SCOPE, 1.0, tuple(slots), ())
        intent, confidence = ranked[0]
        if confidence < self.scenario.globals.intent_threshold and not slots:
            intent = OUT_OF_SCOPE
        return NLUResult(
            text=text,
            domain=self.scenario.domain,
            intent=intent,
            confidence=confidence,
            slots=tuple(slots),
            alternatives=tuple(ranked[1:]),
        )


_cache: dict[tuple[str, int, str, str], ScenarioNLU] = {}
_cache_lock = threading.Lock()


def nlu_for(scenario: Scenario) -> ScenarioNLU:
    """The process-wide NLU of ``scenario``, trained once on first use.

    Keyed by the scenario's content, so the same file loaded again (a second runtime in the
    process) shares the trained model, and an edited file gets a new one. The engine is
    ``AICALL_NLU_ENGINE`` (``classical``, ``joint``), else :data:`DEFAULT_ENGINE`; empty means
    this module's own classifier and rules.
    """
    digest = hashlib.sha256(scenario.model_dump_json().encode()).hexdigest()
    engine = os.environ.get("AICALL_NLU_ENGINE", DEFAULT_ENGINE)
    key = (scenario.id, scenario.version, digest, engine)
    with _cache_lock:
        nlu = _cache.get(key)
        if nlu is None:
            nlu = ScenarioNLU(scenario, engine=engine or None)
            _cache[key] = nlu
        return nlu
