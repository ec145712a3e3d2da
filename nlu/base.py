"""The seam of the trainable engines: :class:`NLUEngine` trains, parses, saves and loads.

An engine implements three things: ``_fit`` (learn intents and slot spans from
:class:`nlu.training.TrainingData`), ``_predict`` (ranked intents and character spans for one
utterance) and ``_save``/``_load`` of its own files. The base class owns the rest, the same
for every engine:

- the typed value parsers normalise what the tagger found (a ``date`` span becomes a
  ``datetime.date``), and still win for dates, times, counts and phone numbers;
- category spans become canonical keys through the slot's synonyms; scenario synonyms also
  catch values the tagger missed;
- ``expected`` (the slot just asked for) relabels a span of the same type and lets a bare
  answer ("넷이요", "seven") fill it;
- out-of-scope: a best intent under the threshold with no slot found;
- never raises on any string; thread-safe ``parse`` on a trained model (one per process).

A model directory holds ``meta.json`` with the format version; loading a directory written by
another format raises :class:`ModelError` naming the directory and both versions.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from common.errors import InputError
from nlu.slots import SlotFiller
from nlu.tokens import Token, tokenize
from nlu.training import Example, TrainingData
from nlu.types import OUT_OF_SCOPE, NLUResult, SlotValue

__all__ = [
    "MODEL_FORMAT",
    "OUT_OF_SCOPE",
    "ModelError",
    "NLUEngine",
    "Progress",
    "TrainingDataError",
    "engine_class",
    "load_engine",
]

#: Version of the model directory layout; bumped whenever saved models stop being readable.
MODEL_FORMAT = 2
MAX_CHARS = 400  # longer utterances are cut: callers do not speak paragraphs in one turn

#: A progress callback: fraction done (0..1) and a short message.
Progress = Callable[[float, str], None]


class ModelError(InputError):
    """A model directory is missing, incomplete or from another version."""


class TrainingDataError(InputError):
    """Training data cannot train an engine (too few intents, an intent without examples)."""


_REGISTRY: dict[str, type[NLUEngine]] = {}
_MODULES = {
    "classical": "nlu.classical",
    "joint": "nlu.joint",
    "ensemble": "nlu.ensemble",
    "encoder": "nlu.encoder",
    "prior": "nlu.zeroshot",
}

#: Hesitations that answer nothing; small (scenario) data learns them as a hidden intent whose
#: utterances come out not understood, else a lone "그" borrows the intent of "그래요".
FILLERS = {
    "ko": (
        "음",
        "음...",
        "흠",
        "그",
        "그...",
        "저",
        "저기",
        "저기...",
        "그게",
        "글쎄",
        "아...",
        "에",
    ),
    "en": ("um", "uh", "hmm", "er", "erm", "well...", "uh...", "hmm...", "so", "like"),
}


#: The hidden intent of :data:`FILLERS`; never reported.
FILLER = "_filler"


def _with_fillers(data: TrainingData) -> TrainingData:
    known = {e.text.strip() for e in data.examples}
    fillers = [Example(f, FILLER) for f in FILLERS.get(data.language, ()) if f not in known]
    if not fillers:
        return data
    return replace(data, examples=[*data.examples, *fillers])


def engine_class(name: str) -> type[NLUEngine]:
    """The engine class registered as ``name`` (``classical``, ``joint``, ``ensemble``).

    Raises:
        InputError: for an unknown name, listing the known ones.
    """
    # importing a module registers its engine; torch loads only when the joint engine is used
    module = _MODULES.get(name)
    for mod in [module] if module else _MODULES.values():
        importlib.import_module(mod)
    try:
        return _REGISTRY[name]
    except KeyError:
        raise InputError(
            f"unknown NLU engine {name!r}; known: {', '.join(sorted(_REGISTRY))}"
        ) from None


class NLUEngine(ABC):
    """A trainable intent classifier and slot tagger with typed normalisation.

    Subclasses set :attr:`name` and implement ``_fit``, ``_predict``, ``_save`` and ``_load``.

    Attributes:
        oos_threshold: best-intent probability under which an utterance without slots is
            out of scope.
        source: where the model came from, for logs: ``"memory"`` (trained in this process),
            ``"scenario"`` (trained from a scenario file here) or the directory it was loaded
            from.
    """

    name: ClassVar[str] = ""
    #: whether the engine can predict intents that have a description and no examples
    uses_descriptions: ClassVar[bool] = False

    def __init__(self, *, oos_threshold: float = 0.45, seed: int = 0) -> None:
        self.oos_threshold = oos_threshold
        self.seed = seed
        self.language = "en"
        self.domain = "default"
        self.slot_types: dict[str, str] = {}
        self.categories: dict[str, dict[str, list[str]]] = {}
        self.multiple: list[str] = []
        self.synonyms: dict[str, str] = {}
        self.intents: list[str] = []
        self.trained = False
        self.train_seconds = 0.0
        self.source = "memory"
        self._lock = threading.Lock()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:
            _REGISTRY[cls.name] = cls

    # --- training -------------------------------------------------------------------------

    def train(self, data: TrainingData, *, progress: Progress | None = None) -> NLUEngine:
        """Learn from ``data``; returns ``self``.

        Raises:
            TrainingDataError: fewer than two intents, or no examples.
        """
        intents = data.intents
        if self.uses_descriptions:
            intents = list(dict.fromkeys([*intents, *data.descriptions]))
        if len(intents) < 2:
            raise TrainingDataError(
                f"training needs at least two intents with examples, got {len(intents)}"
            )
        self.language = data.language
        self.domain = data.domain
        self.slot_types = dict(data.slot_types)
        self.categories = {
            k: {kk: list(vv) for kk, vv in v.items()} for k, v in data.categories.items()
        }
        self.synonyms = dict(data.synonyms)
        self.multiple = list(data.multiple)
        if len(data.examples) < 2000:
            data = _with_fillers(data)
            self.intents = list(dict.fromkeys([*intents, *data.intents]))
        else:
            self.intents = intents
        t0 = time.perf_counter()
        self._fit(data, progress or (lambda _f, _m: None))
        self.train_seconds = time.perf_counter() - t0
        self.trained = True
        return self

    @abstractmethod
    def _fit(self, data: TrainingData, progress: Progress) -> None:
        """Learn intents and slot spans."""

    @abstractmethod
    def _predict(
        self, text: str, tokens: list[Token]
    ) -> tuple[list[tuple[str, float]], list[tuple[int, int, str, float]]]:
        """Ranked (intent, probability) and (start, end, slot, score) spans of one utterance."""

    # --- inference ------------------------------------------------------------------------

    def parse(self, text: str, *, today: date, expected: str | None = None) -> NLUResult:
        """Understand one utterance; never raises on any string.

        Args:
            text: what the caller said.
            today: the caller's local date (relative dates resolve against it).
            expected: the slot the agent just asked for (or ``"yesno"`` during a
                confirmation): spans of its type are read as that slot, bare answers fill it.
        """
        if not self.trained:
            raise ModelError(f"{type(self).__name__}: parse before train or load")
        if not isinstance(text, str):
            text = ""
        text = text[:MAX_CHARS]
        if not text.strip():
            return NLUResult(text, self.domain, OUT_OF_SCOPE, 1.0)
        tokens = tokenize(text)
        if not tokens:
            return NLUResult(text, self.domain, OUT_OF_SCOPE, 1.0)
        ranked, spans = self._predict(text, tokens)
        slots = self._slots(text, spans, today, expected)
        filler = bool(ranked) and ranked[0][0] == FILLER
        # a hesitation is not understood (low confidence), not a confident out-of-scope request
        ranked = [r for r in ranked if r[0] != FILLER]
        if not ranked:
            return NLUResult(text, self.domain, OUT_OF_SCOPE, 1.0, tuple(slots))
        intent, confidence = ranked[0]
        if (filler or confidence < self.oos_threshold) and not slots:
            intent = OUT_OF_SCOPE
            confidence = min(confidence, self.oos_threshold)
        return NLUResult(
            text=text,
            domain=self.domain,
            intent=intent,
            confidence=confidence,
            slots=tuple(slots),
            alternatives=tuple(ranked[1:3]),
        )

    async def parse_async(
        self, text: str, *, today: date, expected: str | None = None
    ) -> NLUResult:
        """:meth:`parse` in a worker thread, off the event loop."""
        return await asyncio.to_thread(self.parse, text, today=today, expected=expected)

    @property
    def filler(self) -> SlotFiller:
        """How this model's slots are filled from spans (see :mod:`nlu.slots`)."""
        return SlotFiller(
            language=self.language,
            slot_types=self.slot_types,
            categories=self.categories,
            multiple=tuple(self.multiple),
            synonyms=self.synonyms,
        )

    def _slots(
        self,
        text: str,
        spans: list[tuple[int, int, str, float]],
        today: date,
        expected: str | None,
    ) -> list[SlotValue]:
        return self.filler.fill(text, spans, today, expected)

    # --- persistence ----------------------------------------------------------------------

    def save(self, directory: str | Path) -> Path:
        """Write the model into ``directory`` (created if needed) with a version stamp."""
        if not self.trained:
            raise ModelError(f"{type(self).__name__}: nothing to save before training")
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        meta = {
            "format": MODEL_FORMAT,
            "engine": self.name,
            "language": self.language,
            "domain": self.domain,
            "slot_types": self.slot_types,
            "categories": self.categories,
            "multiple": self.multiple,
            "synonyms": self.synonyms,
            "intents": self.intents,
            "oos_threshold": self.oos_threshold,
            "train_seconds": self.train_seconds,
            "saved_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        self._save(path)
        (path / "meta.json").write_text(
            json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        return path

    @abstractmethod
    def _save(self, path: Path) -> None:
        """Write the engine's own files into ``path``."""

    @abstractmethod
    def _load(self, path: Path) -> None:
        """Read the engine's own files from ``path``."""

    @classmethod
    def load(cls, directory: str | Path) -> NLUEngine:
        """Load the model saved in ``directory``; see :func:`load_engine`."""
        return load_engine(directory)


def load_engine(directory: str | Path) -> NLUEngine:
    """Load a saved model of any engine.

    Raises:
        ModelError: naming the directory when it is not a model, is incomplete, or was written
            by another model format.
    """
    path = Path(directory)
    meta_path = path / "meta.json"
    if not meta_path.is_file():
        raise ModelError(f"{path}: not an NLU model directory (no meta.json)")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ModelError(f"{meta_path}: unreadable model metadata: {e}") from None
    fmt = meta.get("format") if isinstance(meta, dict) else None
    if fmt != MODEL_FORMAT:
        raise ModelError(
            f"{path}: model format {fmt!r}, this aicall reads format {MODEL_FORMAT}; "
            "retrain it with 'aicall nlu train'"
        )
    engine = engine_class(str(meta.get("engine")))()
    engine.language = meta["language"]
    engine.domain = meta["domain"]
    engine.slot_types = meta["slot_types"]
    engine.categories = meta["categories"]
    engine.multiple = meta.get("multiple", [])
    engine.synonyms = meta["synonyms"]
    engine.intents = meta["intents"]
    engine.oos_threshold = meta["oos_threshold"]
    engine.train_seconds = meta.get("train_seconds", 0.0)
    try:
        engine._load(path)
    except (OSError, ValueError, KeyError, EOFError) as e:
        raise ModelError(f"{path}: incomplete or damaged model: {e}") from None
    engine.trained = True
    engine.source = str(path)
    return engine
