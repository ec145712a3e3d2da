"""Understanding for one scenario: intent from a classifier, slots from typed parsers and synonyms.

One :class:`ScenarioNLU` per scenario per process (see :func:`nlu_for`), shared by every call;
``parse`` only reads the trained model, so concurrent calls may use it from several threads.
"""

from __future__ import annotations

import threading
from datetime import date

from nlu.categories import match_category
from nlu.intent import IntentClassifier
from nlu.names import extract_name
from nlu.parsers import extract_all
from nlu.types import NLUResult, SlotValue
from scenarios.loader import parse_annotations
from scenarios.schema import Scenario

__all__ = ["OUT_OF_SCOPE", "ScenarioNLU", "nlu_for"]

OUT_OF_SCOPE = "out_of_scope"
_TYPED = ("date", "time", "count", "phone")


class ScenarioNLU:
    """Intent classifier and slot extraction trained from one scenario's examples."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.lang = scenario.language
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
            found = extract_name(text, self.lang)
            if found:
                start = max(text.find(found), 0)
                slots.append(SlotValue(expected or "name", found, found, start, start + len(found)))
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


_cache: dict[tuple[str, int, int], ScenarioNLU] = {}
_cache_lock = threading.Lock()


def nlu_for(scenario: Scenario) -> ScenarioNLU:
    """The process-wide NLU of ``scenario``, trained once on first use."""
    key = (scenario.id, scenario.version, id(scenario))
    with _cache_lock:
        nlu = _cache.get(key)
        if nlu is None:
            nlu = ScenarioNLU(scenario)
            _cache[key] = nlu
        return nlu
