"""Training helpers shared by the torch engines (``joint``, ``encoder``)."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["bio_constraints", "fit_temperature"]


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
