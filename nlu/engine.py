"""Understanding for one scenario: intent from a classifier, slots from typed parsers and synonyms.

One :class:`ScenarioNLU` per scenario per process (see :func:`nlu_for`), shared by every call;
``parse`` only reads the trained model, so concurrent calls may use it from several threads.

Live calls use a model trained by ``aicall scenario train`` (the scenario's examples plus the
author's accepted candidates) when one is saved for the scenario under the models directory
(:func:`live_model_dir`: ``<models dir>/<scenario id>/<engine>/``, by default
``<data dir>/models/...``) and its stamp (:data:`STAMP_FILE`) still matches the scenario's
content digest and the engine version; otherwise they train from the scenario file, and a
stale model is named in a logged warning.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
import time
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

from nlu.base import MODEL_FORMAT, OUT_OF_SCOPE, ModelError, NLUEngine, engine_class, load_engine
from nlu.categories import match_category
from nlu.config import DEFAULT_ENGINE
from nlu.intent import IntentClassifier
from nlu.names import extract_name
from nlu.parsers import extract_all
from nlu.slots import TYPED
from nlu.training import training_data_from_scenario
from nlu.types import NLUResult, SlotValue
from scenarios.loader import parse_annotations
from scenarios.schema import Scenario

__all__ = [
    "DEFAULT_ENGINE",
    "OUT_OF_SCOPE",
    "STAMP_FILE",
    "ScenarioNLU",
    "engine_version",
    "live_model_dir",
    "nlu_for",
    "save_live_model",
    "scenario_digest",
]

log = logging.getLogger(__name__)

#: The stamp written next to a live model: which scenario content and engine version it is for.
STAMP_FILE = "scenario.json"


class ScenarioNLU:
    """Intent classifier and slot extraction trained from one scenario's examples.

    Args:
        scenario: the scenario.
        engine: a trainable engine of :mod:`nlu.base` (``classical``, ``joint``) to train from
            the scenario; ``None`` keeps this module's own classifier and rules.
        model: an engine already trained for this scenario (a live model); not retrained.
        source: where ``model`` came from, for logs (:attr:`source`).

    Attributes:
        source: ``"scenario"`` (trained from the scenario file here) or the directory of the
            trained model in use.
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        engine: str | None = None,
        model: NLUEngine | None = None,
        source: str | None = None,
    ) -> None:
        self.scenario = scenario
        self.lang = scenario.language
        self.source = source or "scenario"
        # a trainable engine (nlu.base: "classical", "joint") answers instead, when named
        self._engine: NLUEngine | None = model
        if model is None and engine:
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
        if expected_type == "yesno" and not any(v.name in TYPED for v in found):
            # a correction at confirmation may be a bare hour: "no, make it 8"
            found += [v for v in extract_all(text, self.lang, today, "time") if v.name == "time"]
        for v in found:
            if v.name == "yesno":
                slots.append(v)
            elif v.name in TYPED and v.name in self._slot_of_type:
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


_cache: dict[tuple[str, int, str, str, str], ScenarioNLU] = {}
_cache_lock = threading.Lock()


def scenario_digest(scenario: Scenario) -> str:
    """SHA-256 of the scenario's content: any edit to the file's meaning changes it."""
    return hashlib.sha256(scenario.model_dump_json().encode()).hexdigest()


def engine_version(engine: str) -> str:
    """The version a live model of ``engine`` is stamped with (engine, model format, aicall)."""
    try:
        aicall = metadata.version("aicall")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        aicall = "unknown"
    return f"{engine}/format-{MODEL_FORMAT}/aicall-{aicall}"


def live_model_dir(models_dir: str | Path, scenario_id: str, engine: str) -> Path:
    """Where the live model of one scenario and engine lives: ``<models dir>/<id>/<engine>``."""
    return Path(models_dir) / scenario_id / engine


def save_live_model(
    scenario: Scenario,
    model: NLUEngine,
    models_dir: str | Path,
    *,
    info: dict[str, Any] | None = None,
) -> Path:
    """Save a trained engine as the live model of ``scenario``, stamped; returns its directory.

    The model is written beside its final place and then swapped in, so a process starting at
    the same moment reads either the old model or the new one, never half of one.

    Args:
        scenario: the scenario the model was trained for (its digest goes in the stamp).
        model: the trained engine.
        models_dir: the models directory (``<data dir>/models``).
        info: extra facts for the stamp (e.g. how many accepted candidates were used).
    """
    target = live_model_dir(models_dir, scenario.id, model.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = target.with_name(f".{target.name}.new-{os.getpid()}")
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    shutil.rmtree(fresh, ignore_errors=True)
    model.save(fresh)
    stamp = {
        "scenario": scenario.id,
        "scenario_version": scenario.version,
        "scenario_digest": scenario_digest(scenario),
        "engine": model.name,
        "engine_version": engine_version(model.name),
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **(info or {}),
    }
    (fresh / STAMP_FILE).write_text(
        json.dumps(stamp, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def _stale_reason(stamp_path: Path, scenario: Scenario, engine: str) -> str | None:
    try:
        stamp = json.loads(stamp_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        return f"no readable stamp ({e.__class__.__name__}); retrain it"
    if not isinstance(stamp, dict):
        return "the stamp is not a JSON object; retrain it"
    if stamp.get("scenario") != scenario.id:
        return f"it was trained for scenario {stamp.get('scenario')!r}, not {scenario.id!r}"
    if stamp.get("scenario_digest") != scenario_digest(scenario):
        return "the scenario was edited since it was trained"
    if stamp.get("engine_version") != engine_version(engine):
        return (
            f"it was trained by {stamp.get('engine_version')!r}, "
            f"this process runs {engine_version(engine)!r}"
        )
    return None


def _live_model(scenario: Scenario, engine: str, models_dir: Path) -> ScenarioNLU | None:
    """The scenario's live model if one is saved and current; a stale one is logged."""
    directory = live_model_dir(models_dir, scenario.id, engine)
    if not directory.exists():
        return None
    stamp_path = directory / STAMP_FILE
    why = _stale_reason(stamp_path, scenario, engine)
    if why is None:
        try:
            model = load_engine(directory)
        except ModelError as e:
            why = str(e)
        except Exception as e:  # a damaged pickle: a call must still be answered
            why = f"unreadable model ({e.__class__.__name__}: {e})"
        else:
            log.info("%s: using the trained model %s", scenario.id, directory)
            return ScenarioNLU(scenario, model=model, source=str(directory))
    log.warning(
        "%s: ignoring the trained model %s: %s; training from the scenario file instead "
        "(run 'aicall scenario train %s' to update it)",
        scenario.id,
        stamp_path,
        why,
        scenario.id,
    )
    return None


def nlu_for(
    scenario: Scenario,
    *,
    engine: str = DEFAULT_ENGINE,
    models_dir: str | Path | None = None,
) -> ScenarioNLU:
    """The process-wide NLU of ``scenario``, loaded or trained once on first use.

    Keyed by the scenario's content, so the same file loaded again (a second runtime in the
    process) shares the model, and an edited file gets a new one. Live calls reach it through
    :func:`nlu.config.make_backend`, which passes ``AICALL_NLU_ENGINE`` as ``engine``.

    Args:
        scenario: the scenario.
        engine: ``classical`` (:data:`~nlu.config.DEFAULT_ENGINE`), ``joint``, ``ensemble`` or
            ``encoder``; empty for this module's own classifier and rules (the first version).
        models_dir: where live models are saved (``<data dir>/models``); the scenario's model
            for the engine is loaded from there when its stamp matches the scenario and engine
            version. ``None`` always trains from the scenario. A model saved later in the
            process's life is picked up by the next process, not by this one.
    """
    digest = scenario_digest(scenario)
    where = str(Path(models_dir).resolve()) if models_dir is not None and engine else ""
    key = (scenario.id, scenario.version, digest, engine, where)
    trained_key = (*key[:4], "")  # trained from the file: shared whatever the models dir
    with _cache_lock:
        nlu = _cache.get(key)
        if nlu is None:
            if where:
                nlu = _live_model(scenario, engine, Path(where))
            if nlu is None:
                nlu = _cache.get(trained_key) or ScenarioNLU(scenario, engine=engine or None)
                _cache[trained_key] = nlu
            _cache[key] = nlu
        return nlu
