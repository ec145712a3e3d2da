"""Training helpers shared by the torch engines (``joint``, ``encoder``)."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from nlu.classical import ClassicalEngine
from nlu.tokens import Token

__all__ = ["bio_constraints", "fit_temperature", "frame_score", "with_ngram"]


def bio_constraints(labels: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Allowed transitions and forbidden starts of BIO ``labels`` (``O`` -> ``I-x`` is not).

    Returns:
        ``allowed[from, to]`` and ``start_forbidden[tag]``, for :meth:`nlu.crf.CRF.constrain`.
    """
    n = len(labels)
    allowed = torch.ones(n, n, dtype=torch.bool)
    start_forbidden = torch.zeros(n, dtype=torch.bool)
    for j, label in enumerate(labels):
        if label.startswith("I-"):
            start_forbidden[j] = True
            for i, prev in enumerate(labels):
                allowed[i, j] = prev[2:] == label[2:] and prev != "O"
    return allowed, start_forbidden


def fit_temperature(logits: torch.Tensor, gold: torch.Tensor) -> float:
    """The softmax temperature that minimises the held-out negative log-likelihood.

    Dividing logits by it calibrates the confidence (temperature scaling, Guo et al. 2017).
    """
    log_t = torch.zeros(1, requires_grad=True)
    opt = torch.optim.LBFGS([log_t], lr=0.1, max_iter=100)

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(logits / log_t.exp(), gold)
        loss.backward()
        return loss

    opt.step(closure)
    return float(log_t.detach().exp().clamp(0.05, 20.0))


def frame_score(logits: torch.Tensor, gold: torch.Tensor, slot_ok: list[bool]) -> float:
    """Share of utterances whose intent and every slot tag are right (picks the best epoch)."""
    intent_ok = (logits.argmax(1) == gold).tolist()
    return sum(1 for a, b in zip(intent_ok, slot_ok, strict=True) if a and b) / max(len(gold), 1)


def with_ngram(
    probs: torch.Tensor, ngram: Any, text: str, tokens: list[Token], intents: list[str]
) -> torch.Tensor:
    """The geometric mean of ``probs`` and the n-gram model's distribution, renormalised.

    A product of experts: the network and the n-gram model err on different utterances.
    """
    lr = ngram.predict_proba([ClassicalEngine.intent_text(text, tokens)])[0]
    index = {str(c): i for i, c in enumerate(ngram.classes_)}
    other = torch.tensor([float(lr[index[n]]) if n in index else 1e-9 for n in intents])
    out = torch.sqrt(probs * other)
    return out / out.sum().clamp(min=1e-12)
