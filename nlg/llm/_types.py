"""Typed messages of the LLM seam: chat messages, generation options, results, errors.

::

    BackendUnavailableError (common.errors)
    ├── LLMBackendError     the backend failed (unreachable, 5xx, crashed); ``transient`` says
    │                       whether a retry may help
    ├── LLMTimeoutError     no answer (or no first token) within the time budget
    └── LLMOutputError      the backend answered, but not with what was asked (bad JSON)

Bad requests (context overflow, an invalid schema, HTTP 4xx) raise ``InputError``; a missing
optional package or model file raises ``NotConfiguredError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from common.errors import BackendUnavailableError

__all__ = [
    "ChatMessage",
    "Completion",
    "GenerationOptions",
    "LLMBackendError",
    "LLMOutputError",
    "LLMTimeoutError",
]

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ChatMessage:
    """One message of a chat.

    Attributes:
        role: ``system``, ``user`` or ``assistant``.
        content: the text of the message.
    """

    role: Role
    content: str


@dataclass(frozen=True)
class GenerationOptions:
    """Per-call generation settings.

    Attributes:
        max_tokens: upper bound of generated tokens.
        stop: strings that end the generation (not included in the output).
        temperature: sampling temperature; 0 is greedy (deterministic).
        seed: sampling seed, for reproducible sampling when ``temperature > 0``.
    """

    max_tokens: int = 128
    stop: tuple[str, ...] = ()
    temperature: float = 0.0
    seed: int | None = None


@dataclass(frozen=True)
class Completion:
    """The result of one non-streaming call.

    Attributes:
        text: the generated text (stop strings excluded).
        finish_reason: ``stop`` (a stop string or end of text) or ``length`` (``max_tokens`` hit:
            the text is probably cut mid-sentence), when the backend says.
        prompt_tokens: tokens in the prompt, when the backend says.
        completion_tokens: tokens generated, when the backend says.
        first_token_s: seconds from the request to the first generated token, when measured
            (streaming underneath); ``None`` otherwise.
        total_s: seconds from the request to the end of the answer.
    """

    text: str
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    first_token_s: float | None = None
    total_s: float = 0.0


class LLMBackendError(BackendUnavailableError):
    """The LLM backend failed; retry (when ``transient``), fall back or hand over.

    Args:
        message: what failed.
        transient: a later attempt may succeed (connection refused, HTTP 5xx or 429).
        status: the HTTP status, for remote backends.
    """

    def __init__(self, message: str, *, transient: bool = False, status: int | None = None):
        super().__init__(message)
        self.transient = transient
        self.status = status


class LLMTimeoutError(BackendUnavailableError):
    """No answer, or no first token, within the time budget (never retried: the budget is spent)."""


class LLMOutputError(BackendUnavailableError):
    """The backend answered with unusable output (JSON that does not parse or validate)."""
