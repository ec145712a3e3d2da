"""Build the process's rewriter from settings."""

from __future__ import annotations

import logging

from common.errors import NotConfiguredError
from nlg.llm import make_llm_client
from nlg.rewrite._rewriter import PromptStyle, ReplyRewriter

__all__ = ["make_rewriter"]

log = logging.getLogger(__name__)


def make_rewriter(
    kind: str,
    *,
    base_url: str | None = None,
    model: str | None = None,
    api_key: str | None = None,
    model_path: str | None = None,
    n_threads: int | None = None,
    lora_path: str | None = None,
    first_token_budget: float = 0.3,
    total_budget: float = 3.0,
    prompt_style: PromptStyle = "auto",
) -> ReplyRewriter:
    """The rewriter over the LLM a setting names (``local`` or ``openai``).

    ``lora_path`` (``local`` only): a LoRA adapter on the model, e.g. the tuned generator
    (:func:`nlg.llm.chosen_adapter`); its own reword prompt and the read-back check come with it.

    Raises:
        NotConfiguredError: ``kind`` is ``none``, or a needed package or setting is missing.
        InputError: ``kind`` is unknown.
    """
    kwargs: dict[str, object] = {}
    if kind.strip().lower() == "local":
        kwargs = {"model_path": model_path, "max_retries": 0, "lora_path": lora_path}
        if n_threads:
            kwargs["n_threads"] = n_threads
    else:
        # One quick retry of a refused connection still fits a phone budget; more does not.
        kwargs = {"base_url": base_url, "model": model, "api_key": api_key, "max_retries": 1}
        kwargs["retry_backoff"] = 0.05
    llm = make_llm_client(kind, **kwargs)  # type: ignore[arg-type]
    if llm is None:
        raise NotConfiguredError("LLM replies need an LLM: set AICALL_LLM to local or openai")
    return ReplyRewriter(
        llm,
        first_token_budget=first_token_budget,
        total_budget=total_budget,
        prompt_style=prompt_style,
    )
