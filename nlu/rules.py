"""The first version of the scenario NLU: an n-gram intent classifier and rule-based slots.

Selected with ``AICALL_NLU_ENGINE=`` (empty). It trains in well under a second from a
scenario's examples and fills slots the way every engine does (:class:`nlu.slots.SlotFiller`
with no tagger: typed parsers, category synonyms, the slot just asked for); only the intent
model differs from the trainable engines of :mod:`nlu.base`.
"""

from __future__ import annotations

from datetime import date

from nlu.base import MAX_CHARS
from nlu.intent import IntentClassifier
from nlu.slots import SlotFiller
from nlu.training import training_data_from_scenario
from nlu.types import OUT_OF_SCOPE, NLUResult
from scenarios.schema import Scenario

__all__ = ["RulesNLU"]


class RulesNLU:
    """Intent classifier and rule-based slot filling trained from one scenario's examples.

    Thread-safe after construction: ``parse`` only reads the fitted model.

    Attributes:
        source: where the model came from (always ``"scenario"``: trained from its file).
    """

    name = "rules"

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.source = "scenario"
        data = training_data_from_scenario(scenario)
        self._filler = SlotFiller.from_data(data)
        self._classifier = IntentClassifier().fit(
            [e.text for e in data.examples], [e.intent for e in data.examples]
        )

    def parse(self, text: str, *, today: date, expected: str | None = None) -> NLUResult:
        """Understand one utterance (see :class:`nlu.config.UtteranceParser`)."""
        text = text[:MAX_CHARS] if isinstance(text, str) else ""
        domain = self.scenario.domain
        if not text.strip():
            return NLUResult(text, domain, OUT_OF_SCOPE, 1.0)
        slots = tuple(self._filler.fill(text, [], today, expected))
        ranked = self._classifier.predict(text, top=3)
        if not ranked:
            return NLUResult(text, domain, OUT_OF_SCOPE, 1.0, slots)
        intent, confidence = ranked[0]
        if confidence < self.scenario.globals.intent_threshold and not slots:
            intent = OUT_OF_SCOPE
        return NLUResult(text, domain, intent, confidence, slots, tuple(ranked[1:]))
