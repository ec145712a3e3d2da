"""A linear-chain CRF layer in torch: negative log-likelihood and Viterbi decoding."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["CRF"]


class CRF(nn.Module):
    """Transition scores between tags, with start and end scores.

    Args:
        num_tags: number of tags.
    """

    def __init__(self, num_tags: int) -> None:
        super().__init__()
        self.num_tags = num_tags
        self.transitions = nn.Parameter(torch.zeros(num_tags, num_tags))
        self.start = nn.Parameter(torch.zeros(num_tags))
        self.end = nn.Parameter(torch.zeros(num_tags))
        self._forbid: torch.Tensor
        self._forbid_start: torch.Tensor
        self.register_buffer("_forbid", torch.zeros(num_tags, num_tags))
        self.register_buffer("_forbid_start", torch.zeros(num_tags))

    def constrain(self, allowed: torch.Tensor, start_forbidden: torch.Tensor) -> None:
        """Forbid transitions (``allowed[from, to]`` false, e.g. ``O`` -> ``I-x``) and starts.

        Forbidden moves get a large negative score, so decoding never produces them.
        """
        self._forbid.copy_((~allowed).float() * -1e4)
        self._forbid_start.copy_(start_forbidden.float() * -1e4)

    def _trans(self) -> torch.Tensor:
        return self.transitions + self._forbid

    def nll(self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Mean negative log-likelihood of ``tags`` (batch, time) under ``emissions``.

        Args:
            emissions: (batch, time, tags) scores.
            tags: (batch, time) gold tag ids.
            mask: (batch, time) booleans, true on real tokens (every row starts with one).
        """
        trans = self._trans()
        start = self.start + self._forbid_start
        b, t, _ = emissions.shape
        maskf = mask.float()
        # score of the gold path
        idx = torch.arange(b)
        score = start[tags[:, 0]] + emissions[idx, 0, tags[:, 0]]
        for i in range(1, t):
            step = trans[tags[:, i - 1], tags[:, i]] + emissions[idx, i, tags[:, i]]
            score = score + step * maskf[:, i]
        lengths = mask.long().sum(1)
        last = tags[idx, lengths - 1]
        score = score + self.end[last]
        # log partition
        alpha = start.unsqueeze(0) + emissions[:, 0]
        for i in range(1, t):
            nxt = torch.logsumexp(alpha.unsqueeze(2) + trans.unsqueeze(0), dim=1) + emissions[:, i]
            m = mask[:, i].unsqueeze(1)
            alpha = torch.where(m, nxt, alpha)
        log_z = torch.logsumexp(alpha + self.end.unsqueeze(0), dim=1)
        return (log_z - score).mean()

    @torch.no_grad()
    def decode(self, emissions: torch.Tensor) -> list[int]:
        """Best tag sequence of one sentence; ``emissions`` is (time, tags)."""
        trans = self._trans()
        score = self.start + self._forbid_start + emissions[0]
        back: list[torch.Tensor] = []
        for i in range(1, emissions.shape[0]):
            total = score.unsqueeze(1) + trans
            best, idx = total.max(0)
            score = best + emissions[i]
            back.append(idx)
        score = score + self.end
        tag = int(score.argmax())
        path = [tag]
        for idx in reversed(back):
            tag = int(idx[tag])
            path.append(tag)
        return path[::-1]
