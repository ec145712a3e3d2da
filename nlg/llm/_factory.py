"""Choose an LLM backend from configuration."""

from __future__ import annotations

from typing import Any, Literal

from common.errors import InputError, NotConfiguredError
from nlg.llm._base import LLMClient
from nlg.llm._local import LlamaCppClient
from nlg.llm._openai import OpenAICompatClient

__all__ = ["LLMKind", "make_llm_client"]

LLMKind = Literal["local", "openai", "none"]


def make_llm_client(
    kind: str,
    *,
    model_path: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    model: str | None = None,
    **kwargs: Any,
) -> LLMClient | None:
    """Build the LLM client a setting names.

    Args:
        kind: ``local`` (llama.cpp in this process), ``openai`` (an OpenAI-compatible endpoint)
            or ``none`` (no LLM: templates only).
        model_path: for ``local``, a GGUF file; ``None`` for the bundled model.
        base_url: for ``openai``, the API root including ``/v1``.
        api_key: for ``openai``, the bearer token, when the server needs one.
        model: for ``openai``, the model name the server expects.
        **kwargs: passed to the client (``timeout``, ``max_retries``, ``max_concurrency``,
            ``n_threads``...).

    Returns:
        The client, or ``None`` for ``none``.

    Raises:
        InputError: ``kind`` is not one of the three.
        NotConfiguredError: a needed setting or package is missing.
    """
    kind = kind.strip().lower()
    if kind == "none":
        return None
    if kind == "local":
        return LlamaCppClient(model_path, **kwargs)
    if kind == "openai":
        if not base_url or not model:
            raise NotConfiguredError("an OpenAI-compatible LLM needs base_url and model")

        return OpenAICompatClient(base_url, api_key=api_key, model=model, **kwargs)
    raise InputError(f"unknown LLM kind {kind!r}: expected 'local', 'openai' or 'none'")
