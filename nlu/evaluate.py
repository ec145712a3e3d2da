"""Evaluate an engine on annotated examples: intent accuracy and CoNLL-style slot F1.

Slot scores count exact spans: a predicted slot is correct only when its name, start and end
all match an annotated one (micro-averaged over all slots, as ``conlleval`` does).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from nlu.base import NLUEngine
from nlu.training import Example

__all__ = ["EvalReport", "PRF", "evaluate", "format_report"]


@dataclass
class PRF:
    """Precision, recall and F1 with the counts behind them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """Share of predictions that are right: tp / (tp + fp)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """Share of gold items found: tp / (tp + fn)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        """Counts and rates as a JSON-ready mapping."""
        return {**asdict(self), "precision": self.precision, "recall": self.recall, "f1": self.f1}


@dataclass
class EvalReport:
    """The result of :func:`evaluate`."""

    n: int = 0
    intent_correct: int = 0
    exact_frames: int = 0
    slots: PRF = field(default_factory=PRF)
    per_intent: dict[str, PRF] = field(default_factory=dict)
    per_slot: dict[str, PRF] = field(default_factory=dict)
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    calibration: list[tuple[float, bool]] = field(default_factory=list)

    @property
    def intent_accuracy(self) -> float:
        """Share of utterances whose intent is right."""
        return self.intent_correct / self.n if self.n else 0.0

    @property
    def sentence_accuracy(self) -> float:
        """Share of utterances with the right intent and exactly the right slots."""
        return self.exact_frames / self.n if self.n else 0.0

    def ece(self, bins: int = 10) -> float:
        """Expected calibration error of the intent confidence (0 = perfectly calibrated)."""
        if not self.calibration:
            return 0.0
        total = 0.0
        for b in range(bins):
            lo, hi = b / bins, (b + 1) / bins
            inside = [(c, ok) for c, ok in self.calibration if lo < c <= hi or (b == 0 and c == 0)]
            if inside:
                conf = sum(c for c, _ in inside) / len(inside)
                acc = sum(ok for _, ok in inside) / len(inside)
                total += len(inside) / len(self.calibration) * abs(conf - acc)
        return total

    def latency(self, q: float) -> float:
        """The ``q`` quantile (0..1) of parse latency in milliseconds."""
        if not self.latencies_ms:
            return 0.0
        xs = sorted(self.latencies_ms)
        return xs[min(len(xs) - 1, int(q * len(xs)))]

    def as_dict(self) -> dict[str, Any]:
        """The whole report as a JSON-ready mapping."""
        return {
            "n": self.n,
            "intent_accuracy": self.intent_accuracy,
            "slot_micro": self.slots.as_dict(),
            "sentence_accuracy": self.sentence_accuracy,
            "per_intent": {k: v.as_dict() for k, v in sorted(self.per_intent.items())},
            "per_slot": {k: v.as_dict() for k, v in sorted(self.per_slot.items())},
            "confusions": [
                {"gold": g, "predicted": p, "count": c}
                for (g, p), c in self.confusions.most_common()
            ],
            "parse_ms": {"p50": self.latency(0.5), "p99": self.latency(0.99)},
            "intent_ece": self.ece(),
        }


def evaluate(
    engine: NLUEngine,
    examples: Sequence[Example],
    *,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> EvalReport:
    """Parse every example and score intents and exact slot spans."""
    today = today or date(2026, 1, 5)
    rep = EvalReport()
    for k, ex in enumerate(examples):
        t0 = time.perf_counter()
        res = engine.parse(ex.text, today=today)
        rep.latencies_ms.append((time.perf_counter() - t0) * 1000)
        rep.n += 1
        gold_i, pred_i = ex.intent, res.intent
        rep.per_intent.setdefault(gold_i, PRF())
        rep.per_intent.setdefault(pred_i, PRF())
        rep.calibration.append((float(res.confidence), gold_i == pred_i))
        if gold_i == pred_i:
            rep.intent_correct += 1
            rep.per_intent[gold_i].tp += 1
        else:
            rep.per_intent[gold_i].fn += 1
            rep.per_intent[pred_i].fp += 1
            rep.confusions[(gold_i, pred_i)] += 1
        gold = {(e.start, e.end, e.entity) for e in ex.entities}
        pred = {(s.start, s.end, s.name) for s in res.slots if s.name != "yesno"}
        for key in gold | pred:
            prf = rep.per_slot.setdefault(key[2], PRF())
            if key in gold and key in pred:
                rep.slots.tp += 1
                prf.tp += 1
            elif key in pred:
                rep.slots.fp += 1
                prf.fp += 1
            else:
                rep.slots.fn += 1
                prf.fn += 1
        if gold == pred and gold_i == pred_i:
            rep.exact_frames += 1
        if progress is not None:
            progress(k + 1)
    return rep


def format_report(rep: EvalReport) -> str:
    """A readable table of a report: totals, per intent, per slot, top confusions."""
    lines = [
        f"utterances {rep.n}   intent accuracy {rep.intent_accuracy:.2%}   "
        f"slot micro-F1 {rep.slots.f1:.2%} (P {rep.slots.precision:.2%} R {rep.slots.recall:.2%})   "
        f"exact frames {rep.sentence_accuracy:.2%}",
        f"parse p50 {rep.latency(0.5):.2f} ms   p99 {rep.latency(0.99):.2f} ms   "
        f"intent calibration error (ECE) {rep.ece():.3f}",
        "",
        f"{'intent':32} {'P':>7} {'R':>7} {'F1':>7} {'n':>5}",
    ]
    for k, v in sorted(rep.per_intent.items()):
        lines.append(f"{k[:32]:32} {v.precision:7.2%} {v.recall:7.2%} {v.f1:7.2%} {v.tp + v.fn:5d}")
    lines += ["", f"{'slot':32} {'P':>7} {'R':>7} {'F1':>7} {'n':>5}"]
    for k, v in sorted(rep.per_slot.items()):
        lines.append(f"{k[:32]:32} {v.precision:7.2%} {v.recall:7.2%} {v.f1:7.2%} {v.tp + v.fn:5d}")
    if rep.confusions:
        lines += ["", "top confusions (gold -> predicted):"]
        for (g, p), c in rep.confusions.most_common(10):
            lines.append(f"  {g} -> {p}: {c}")
    return "\n".join(lines)
