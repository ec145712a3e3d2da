"""The ``ensemble`` engine: the classical and the joint engine trained side by side.

Intents: the two calibrated distributions are combined, ``p ∝ pc^w · pj^(1-w)`` (geometric,
the default) or ``w · pc + (1-w) · pj`` (arithmetic), where ``pc`` is the classical engine's
n-gram logistic regression and ``pj`` the joint network's temperature-scaled intent head (the
joint engine is trained without its own n-gram model: the classical one plays that part).
Optionally (``slot_prior`` > 0) the slot labels the joint tagger finds (it is not conditioned
on the intent) vote for the intents they were annotated with in training:
``log p(i) += slot_prior · Σ log P(i | label)``, with add-one smoothed counts, so a
``movie_name`` span pulls towards the intent that ``movie_name`` belongs to.
Slots come from one tagger, ``slots="classical"`` (the CRF, conjoined with the ensemble's
intent) or ``slots="joint"`` (the BiLSTM-CRF).

A model directory holds the base ``meta.json``, ``ensemble.json`` (weight, mean, slot prior and its counts, slot source)
and the two sub-models, each a complete model directory with its own version stamp, in
``classical/`` and ``joint/``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import torch

from nlu.base import NLUEngine, Progress, load_engine
from nlu.classical import ClassicalEngine, token_features
from nlu.joint import JointEngine
from nlu.tokens import Token, spans_from_tags
from nlu.training import TrainingData

__all__ = ["EnsembleEngine", "label_counts"]

_MEANS = ("geometric", "arithmetic")
_SOURCES = ("classical", "joint")
_EPS = 1e-9


def label_counts(data: TrainingData, intents: list[str]) -> dict[str, list[float]]:
    """Per slot label, add-one smoothed counts of its examples' intents (in ``intents`` order)."""
    index = {name: i for i, name in enumerate(intents)}
    counts: dict[str, list[float]] = {}
    for ex in data.examples:
        for ent in ex.entities:
            row = counts.setdefault(ent.entity, [1.0] * len(intents))
            if ex.intent in index:
                row[index[ex.intent]] += 1.0
    return counts


class EnsembleEngine(NLUEngine):
    """Classical and joint engines with combined intent probabilities.

    Args:
        weight: share of the classical distribution, 0..1 (1 = classical intents only).
        mean: ``"geometric"`` or ``"arithmetic"``.
        slots: the tagger whose spans are reported, ``"classical"`` or ``"joint"``.
        slot_prior: weight of the intent votes of the joint tagger's slot labels (0 = off).
        threads: torch threads of the joint engine.
        max_seconds: training budget of the joint engine (the classical engine has none).
        joint_kwargs: further arguments of :class:`nlu.joint.JointEngine`.
    """

    name = "ensemble"

    def __init__(
        self,
        *,
        weight: float = 0.5,
        mean: str = "geometric",
        slots: str = "classical",
        slot_prior: float = 0.0,
        threads: int = 2,
        max_seconds: float = 400.0,
        joint_kwargs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.weight = weight
        self.mean = mean
        self.slot_source = slots
        self.slot_prior = slot_prior
        self.label_counts: dict[str, list[float]] = {}
        self.threads = threads
        self.max_seconds = max_seconds
        self.joint_kwargs = dict(joint_kwargs or {})
        self._check()
        self.classical: ClassicalEngine | None = None
        self.joint: JointEngine | None = None

    def _check(self) -> None:
        if not 0.0 <= self.weight <= 1.0:
            raise ValueError(f"ensemble weight must be within 0..1, got {self.weight!r}")
        if self.mean not in _MEANS:
            raise ValueError(f"ensemble mean must be one of {_MEANS}, got {self.mean!r}")
        if self.slot_source not in _SOURCES:
            raise ValueError(f"ensemble slots must be one of {_SOURCES}, got {self.slot_source!r}")
        if not 0.0 <= self.slot_prior <= 10.0:
            raise ValueError(f"ensemble slot_prior must be within 0..10, got {self.slot_prior!r}")

    # --- training -------------------------------------------------------------------------

    def _fit(self, data: TrainingData, progress: Progress) -> None:
        self._check()
        classical = ClassicalEngine(oos_threshold=self.oos_threshold, seed=self.seed)
        progress(0.0, "classical engine")
        classical.train(data, progress=lambda f, m: progress(0.25 * f, f"classical: {m}"))
        kwargs = {"threads": self.threads, "max_seconds": self.max_seconds, **self.joint_kwargs}
        joint = JointEngine(
            oos_threshold=self.oos_threshold, seed=self.seed, ngram_intents=False, **kwargs
        )
        joint.train(data, progress=lambda f, m: progress(0.25 + 0.75 * f, f"joint: {m}"))
        self.classical, self.joint = classical, joint
        self.label_counts = label_counts(data, self.intents)
        progress(1.0, "done")

    # --- inference ------------------------------------------------------------------------

    def intent_distributions(
        self, text: str, tokens: list[Token]
    ) -> tuple[np.ndarray, np.ndarray, Any]:
        """Intent distributions of one utterance, and the joint network's slot emissions.

        Both distributions are over :attr:`intents`, in that order, and never hold a zero.
        """
        assert self.classical is not None and self.joint is not None
        index = {name: i for i, name in enumerate(self.intents)}
        pc = np.full(len(self.intents), _EPS)
        lr = self.classical._intent.predict_proba([ClassicalEngine.intent_text(text, tokens)])[0]
        for name, p in zip(self.classical.intents, lr, strict=True):
            if name in index:
                pc[index[name]] = max(float(p), _EPS)
        pj = np.full(len(self.intents), _EPS)
        net = self.joint._net
        assert net is not None
        with torch.no_grad():
            enc = self.joint._encode(text, tokens)
            logits, emissions = net(*self.joint._batch([enc]))
            probs = torch.softmax(logits[0] / self.joint.temperature, dim=0).tolist()
        for name, p in zip(self.joint.intents, probs, strict=True):
            if name in index:
                pj[index[name]] = max(float(p), _EPS)
        return pc / pc.sum(), pj / pj.sum(), emissions

    def combine(self, pc: np.ndarray, pj: np.ndarray) -> np.ndarray:
        """The ensemble distribution of two intent distributions."""
        w = self.weight
        if self.mean == "arithmetic":
            p = w * pc + (1.0 - w) * pj
        else:
            logp = w * np.log(pc) + (1.0 - w) * np.log(pj)
            p = np.exp(logp - logp.max())
        total = float(p.sum())
        if not math.isfinite(total) or total <= 0.0:
            return np.full(len(pc), 1.0 / len(pc))
        return p / total

    def slot_votes(self, labels: list[str]) -> np.ndarray:
        """Summed ``log P(intent | label)`` of slot labels (zeros for unknown labels)."""
        votes = np.zeros(len(self.intents))
        for label in labels:
            row = self.label_counts.get(label)
            if row is not None and len(row) == len(votes):
                counts = np.asarray(row, dtype=float)
                votes += np.log(counts / counts.sum())
        return votes

    def _predict(
        self, text: str, tokens: list[Token]
    ) -> tuple[list[tuple[str, float]], list[tuple[int, int, str, float]]]:
        pc, pj, emissions = self.intent_distributions(text, tokens)
        probs = self.combine(pc, pj)
        joint_spans: list[tuple[int, int, str, float]] | None = None
        if self.slot_prior > 0.0 and self.label_counts:
            joint_spans = self._joint_spans(tokens, emissions)
            logp = np.log(probs) + self.slot_prior * self.slot_votes(
                [label for _, _, label, _ in joint_spans]
            )
            probs = np.exp(logp - logp.max())
            probs = probs / probs.sum()
        order = np.argsort(probs)[::-1]
        ranked = [(self.intents[i], float(probs[i])) for i in order[:5]]
        if self.slot_source == "joint":
            return ranked, (
                joint_spans if joint_spans is not None else self._joint_spans(tokens, emissions)
            )
        return ranked, self._classical_spans(text, tokens, ranked[0][0])

    def _classical_spans(
        self, text: str, tokens: list[Token], intent: str
    ) -> list[tuple[int, int, str, float]]:
        c = self.classical
        assert c is not None
        if c._crf is None or c._gazetteer is None:
            return []
        marks = c._gazetteer.marks(text, tokens)
        if c._lexicon is not None:
            marks = [g + v for g, v in zip(marks, c._lexicon.marks(tokens), strict=True)]
        feats = token_features(tokens, marks, intent)
        with c._lock:  # python-crfsuite's tagger is stateful
            tags = c._crf.predict_single(feats)
            marg = c._crf.predict_marginals_single(feats)
        scores = [float(m.get(t, 0.0)) for m, t in zip(marg, tags, strict=True)]
        return spans_from_tags(tokens, tags, scores)

    def _joint_spans(
        self, tokens: list[Token], emissions: Any
    ) -> list[tuple[int, int, str, float]]:
        j = self.joint
        assert j is not None and j._net is not None
        with torch.no_grad():
            path = j._net.crf.decode(emissions[0])
            token_probs = torch.softmax(emissions[0], dim=1)
        labels = [j._labels[p] for p in path]
        scores = [float(token_probs[i, p]) for i, p in enumerate(path)]
        return spans_from_tags(tokens, labels, scores)

    # --- persistence ----------------------------------------------------------------------

    def _save(self, path: Path) -> None:
        assert self.classical is not None and self.joint is not None
        self.classical.save(path / "classical")
        self.joint.save(path / "joint")
        config = {
            "weight": self.weight,
            "mean": self.mean,
            "slots": self.slot_source,
            "slot_prior": self.slot_prior,
            "label_counts": self.label_counts,
            "threads": self.threads,
        }
        (path / "ensemble.json").write_text(json.dumps(config), encoding="utf-8")

    def _load(self, path: Path) -> None:
        config = json.loads((path / "ensemble.json").read_text(encoding="utf-8"))
        self.weight = float(config["weight"])
        self.mean = str(config["mean"])
        self.slot_source = str(config["slots"])
        self.threads = int(config.get("threads", 2))
        self.slot_prior = float(config.get("slot_prior", 0.0))
        self.label_counts = {
            str(k): [float(x) for x in v] for k, v in config.get("label_counts", {}).items()
        }
        try:
            self._check()
        except ValueError as e:
            raise ValueError(f"{path / 'ensemble.json'}: {e}") from None
        classical, joint = load_engine(path / "classical"), load_engine(path / "joint")
        if not isinstance(classical, ClassicalEngine) or not isinstance(joint, JointEngine):
            raise ValueError(f"{path}: classical/ and joint/ must hold those two engines")
        self.classical, self.joint = classical, joint
