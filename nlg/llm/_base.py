"""The LLM seam: a base class owning timeouts, retries, a concurrency limit and metrics.

A backend implements one ``_impl`` method per capability (completion, chat, the two streams,
schema-constrained JSON); everything around a call lives here, once.
"""

from __future__ import annotations

import abc
import asyncio
import dataclasses
import json
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, NoReturn, TypeVar

from common.errors import AicallError, InputError, NotConfiguredError
from common.pii import redact
from nlg.llm._metrics import LLMMetrics
from nlg.llm._types import (
    ChatMessage,
    Completion,
    GenerationOptions,
    LLMBackendError,
    LLMOutputError,
    LLMTimeoutError,
)

__all__ = ["LLMClient", "PromptOrMessages"]

PromptOrMessages = str | Sequence[ChatMessage]
"""A completion prompt (plain text) or a chat (a sequence of messages)."""

_T = TypeVar("_T")

#: Never sent to a model, whoever wrote the prompt: a caller's resident registration, card
#: and account numbers (and configured secrets). Phone numbers are left to the prompt's
#: author, who knows the booking's own (the session redacts the others: docs/privacy.md).
_NEVER_SENT = ("RRN", "CARD", "ACCOUNT")


def _private(prompt: str) -> str:
    return redact(prompt, kinds=_NEVER_SENT)


def _messages(messages: Sequence[ChatMessage]) -> tuple[ChatMessage, ...]:
    out = tuple(messages)
    if not out:
        raise InputError("a chat needs at least one message")
    for m in out:
        if not isinstance(m, ChatMessage):
            raise InputError(f"chat messages must be ChatMessage, not {type(m).__name__}")
    return tuple(dataclasses.replace(m, content=_private(m.content)) for m in out)


def _check_schema(schema: Mapping[str, Any]) -> None:
    try:
        import jsonschema
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise NotConfiguredError(
            "JSON output needs the 'jsonschema' package: pip install 'aicall[llm]'"
        ) from e
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as e:
        raise InputError(f"invalid JSON schema: {e.message}") from e


def _parse_json(text: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    import jsonschema

    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise LLMOutputError(f"the model's output is not JSON ({e.msg}): {text[:200]!r}") from e
    if not isinstance(data, dict):
        raise LLMOutputError(f"the model's JSON is a {type(data).__name__}, not an object")
    try:
        jsonschema.validate(data, schema)
    except jsonschema.ValidationError as e:
        raise LLMOutputError(f"the model's JSON does not match the schema: {e.message}") from e
    return data


class LLMClient(abc.ABC):
    """Base of every LLM backend: one async API, the same guarantees for all.

    The base class owns:

    * a time budget per call (``timeout``) and, for streams, a first-token budget
      (``first_token_timeout``); waiting for a concurrency slot, retries and back-off all
      count against both;
    * retries of transient failures only (``LLMBackendError.transient``: connection refused,
      HTTP 5xx/429), with exponential back-off; timeouts are not retried (the budget is spent)
      and a stream is never retried once it has yielded text;
    * a concurrency limit (a semaphore of ``max_concurrency`` slots per event loop);
    * metrics (:attr:`metrics`): calls, failures, timeouts, retries, first-token latency,
      tokens per second.

    Implementations fill in ``_complete_impl``, ``_chat_impl``, ``_stream_complete_impl``,
    ``_stream_chat_impl`` and ``_json_impl`` and map their vendor's errors to the project's.

    Streams are async generators: close them when done early, e.g. with
    ``contextlib.aclosing(client.stream_complete(...))``, so their slot is freed at once.

    Args:
        timeout: seconds allowed per call (retries included); ``None`` keeps the class default.
        first_token_timeout: seconds allowed until a stream's first piece of text.
        max_retries: extra attempts after a transient failure.
        retry_backoff: wait before the first retry; doubled for each further one.
        max_concurrency: calls that may run at once against this client.
    """

    name: str = "llm"
    timeout: float = 30.0
    first_token_timeout: float | None = None
    max_retries: int = 2
    retry_backoff: float = 0.2
    max_concurrency: int = 1
    #: whether :meth:`logprobs` can score text on this backend
    scores_text: bool = False

    def __init__(
        self,
        *,
        timeout: float | None = None,
        first_token_timeout: float | None = None,
        max_retries: int | None = None,
        retry_backoff: float | None = None,
        max_concurrency: int | None = None,
    ) -> None:
        if timeout is not None:
            self.timeout = timeout
        if first_token_timeout is not None:
            self.first_token_timeout = first_token_timeout
        if max_retries is not None:
            self.max_retries = max_retries
        if retry_backoff is not None:
            self.retry_backoff = retry_backoff
        if max_concurrency is not None:
            self.max_concurrency = max_concurrency
        if self.timeout <= 0 or self.max_retries < 0 or self.max_concurrency < 1:
            raise InputError("timeout must be > 0, max_retries >= 0, max_concurrency >= 1")
        self.metrics = LLMMetrics()
        # asyncio primitives bind to one loop; sync wrappers run a fresh loop per call.
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    # ------------------------------------------------------------------ public API

    async def complete(
        self,
        prompt: str,
        *,
        max_tokens: int = 128,
        stop: Sequence[str] = (),
        temperature: float = 0.0,
        seed: int | None = None,
        budget: float | None = None,
    ) -> Completion:
        """Continue ``prompt`` (plain completion: the way to prompt a base model).

        Args:
            prompt: the text to continue (few-shot examples included).
            max_tokens: upper bound of generated tokens.
            stop: strings that end the generation.
            temperature: 0 for greedy decoding.
            seed: sampling seed.
            budget: seconds for this call, instead of the client's ``timeout``.

        Returns:
            The generated text with its finish reason and timings.

        Raises:
            LLMTimeoutError: the budget ran out.
            LLMBackendError: the backend failed (after retries, when transient).
            InputError: the request is invalid (e.g. longer than the context window).
        """
        options = self._options(max_tokens, stop, temperature, seed)
        prompt = _private(prompt)
        return await self._call(lambda: self._complete_impl(prompt, options), budget)

    async def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int = 128,
        stop: Sequence[str] = (),
        temperature: float = 0.0,
        seed: int | None = None,
        budget: float | None = None,
    ) -> Completion:
        """Answer a chat (for instruction-tuned models); arguments as in :meth:`complete`."""
        msgs = _messages(messages)
        options = self._options(max_tokens, stop, temperature, seed)
        return await self._call(lambda: self._chat_impl(msgs, options), budget)

    def stream_complete(
        self,
        prompt: str,
        *,
        max_tokens: int = 128,
        stop: Sequence[str] = (),
        temperature: float = 0.0,
        seed: int | None = None,
        budget: float | None = None,
        first_token_budget: float | None = None,
    ) -> AsyncIterator[str]:
        """Continue ``prompt``, yielding pieces of text as they are generated.

        The pieces joined equal the text :meth:`complete` would return for the same greedy call.

        Args:
            prompt: the text to continue.
            max_tokens: upper bound of generated tokens.
            stop: strings that end the generation.
            temperature: 0 for greedy decoding.
            seed: sampling seed.
            budget: seconds for the whole stream, instead of the client's ``timeout``.
            first_token_budget: seconds until the first piece, instead of the client's
                ``first_token_timeout``.

        Returns:
            An async iterator of text pieces; it raises the errors :meth:`complete` raises.
        """
        options = self._options(max_tokens, stop, temperature, seed)
        prompt = _private(prompt)
        return self._stream(
            lambda: self._stream_complete_impl(prompt, options), budget, first_token_budget
        )

    def stream_chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int = 128,
        stop: Sequence[str] = (),
        temperature: float = 0.0,
        seed: int | None = None,
        budget: float | None = None,
        first_token_budget: float | None = None,
    ) -> AsyncIterator[str]:
        """Answer a chat, yielding pieces of text; arguments as in :meth:`stream_complete`."""
        msgs = _messages(messages)
        options = self._options(max_tokens, stop, temperature, seed)
        return self._stream(
            lambda: self._stream_chat_impl(msgs, options), budget, first_token_budget
        )

    async def complete_json(
        self,
        prompt_or_messages: PromptOrMessages,
        schema: Mapping[str, Any],
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        seed: int | None = None,
        budget: float | None = None,
    ) -> dict[str, Any]:
        """Generate a JSON object constrained to ``schema``, parsed and validated.

        A plain-text prompt is continued (completion); a sequence of messages is a chat.

        Args:
            prompt_or_messages: the prompt or the chat.
            schema: a JSON schema whose top level is an object.
            max_tokens: upper bound of generated tokens (too few cuts the JSON short).
            temperature: 0 for greedy decoding.
            seed: sampling seed.
            budget: seconds for this call, instead of the client's ``timeout``.

        Returns:
            The parsed object; it validates against ``schema``.

        Raises:
            InputError: the schema itself is invalid.
            LLMOutputError: the output does not parse or validate (e.g. cut by ``max_tokens``).
            LLMTimeoutError: the budget ran out.
            LLMBackendError: the backend failed.
        """
        _check_schema(schema)
        request: str | tuple[ChatMessage, ...] = (
            _private(prompt_or_messages)
            if isinstance(prompt_or_messages, str)
            else _messages(prompt_or_messages)
        )
        options = self._options(max_tokens, (), temperature, seed)
        result = await self._call(lambda: self._json_impl(request, schema, options), budget)
        try:
            return _parse_json(result.text, schema)
        except LLMOutputError:
            self.metrics.call_failed(timeout=False)
            raise

    async def logprobs(
        self, prompt: str, continuation: str, *, budget: float | None = None
    ) -> tuple[float, ...]:
        """How likely the model finds ``continuation`` after ``prompt``: no text is generated.

        Args:
            prompt: the text before (the model's own prompt format).
            continuation: the text scored, token by token.
            budget: seconds for this call, instead of the client's ``timeout``.

        Returns:
            The natural-log probability of each token of ``continuation``.

        Raises:
            NotConfiguredError: this backend cannot score text (``scores_text`` is false).
            LLMTimeoutError: the budget ran out.
            LLMBackendError: the backend failed.
            InputError: the text is empty or longer than the context window.
        """
        if not self.scores_text:
            raise NotConfiguredError(f"{self.name} cannot score text (no log-probabilities)")
        if not continuation:
            raise InputError("nothing to score: the continuation is empty")
        budget = self.timeout if budget is None else budget
        prompt = _private(prompt)
        try:
            async with asyncio.timeout(budget), self._slot():
                return await self._logprobs_impl(prompt, continuation)
        except TimeoutError as e:
            raise self._timeout_error("the scores", budget) from e
        except (InputError, LLMBackendError):
            raise
        except Exception as e:
            self._fail(e)

    async def aclose(self) -> None:  # noqa: B027 - optional hook, not abstract
        """Release the client's resources (connections); the default has none."""

    # sync conveniences for the command line (never from inside a running event loop)

    def complete_sync(self, prompt: str, **kwargs: Any) -> Completion:
        """Blocking :meth:`complete`, for scripts and the CLI."""
        return self._run_sync(self.complete(prompt, **kwargs))

    def chat_sync(self, messages: Sequence[ChatMessage], **kwargs: Any) -> Completion:
        """Blocking :meth:`chat`, for scripts and the CLI."""
        return self._run_sync(self.chat(messages, **kwargs))

    def complete_json_sync(
        self, prompt_or_messages: PromptOrMessages, schema: Mapping[str, Any], **kwargs: Any
    ) -> dict[str, Any]:
        """Blocking :meth:`complete_json`, for scripts and the CLI."""
        return self._run_sync(self.complete_json(prompt_or_messages, schema, **kwargs))

    def _run_sync(self, call: Coroutine[Any, Any, _T]) -> _T:
        async def main() -> _T:
            try:
                return await call
            finally:
                await self._aclose_loop()

        return asyncio.run(main())

    async def _aclose_loop(self) -> None:  # noqa: B027 - optional hook, not abstract
        """Close what the client holds for the running event loop (HTTP connections)."""

    # ------------------------------------------------------------------ for implementations

    @abc.abstractmethod
    async def _complete_impl(self, prompt: str, options: GenerationOptions) -> Completion:
        """Generate a completion of ``prompt``."""

    @abc.abstractmethod
    async def _chat_impl(
        self, messages: tuple[ChatMessage, ...], options: GenerationOptions
    ) -> Completion:
        """Generate the next assistant message of ``messages``."""

    @abc.abstractmethod
    def _stream_complete_impl(self, prompt: str, options: GenerationOptions) -> AsyncIterator[str]:
        """Yield the completion of ``prompt`` piece by piece (an async generator)."""

    @abc.abstractmethod
    def _stream_chat_impl(
        self, messages: tuple[ChatMessage, ...], options: GenerationOptions
    ) -> AsyncIterator[str]:
        """Yield the next assistant message of ``messages`` piece by piece."""

    @abc.abstractmethod
    async def _json_impl(
        self,
        request: str | tuple[ChatMessage, ...],
        schema: Mapping[str, Any],
        options: GenerationOptions,
    ) -> Completion:
        """Generate text constrained to ``schema``; the base class parses and validates it."""

    async def _logprobs_impl(self, prompt: str, continuation: str) -> tuple[float, ...]:
        """Score ``continuation`` after ``prompt`` (backends with ``scores_text``)."""
        raise NotConfiguredError(f"{self.name} cannot score text")

    # ------------------------------------------------------------------ machinery

    @staticmethod
    def _options(
        max_tokens: int, stop: Sequence[str], temperature: float, seed: int | None
    ) -> GenerationOptions:
        if max_tokens < 1:
            raise InputError("max_tokens must be at least 1")
        if isinstance(stop, str):
            stop = (stop,)
        return GenerationOptions(
            max_tokens=max_tokens, stop=tuple(stop), temperature=temperature, seed=seed
        )

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        sem = self._slots.get(loop)
        if sem is None:
            sem = self._slots[loop] = asyncio.Semaphore(self.max_concurrency)
        return sem

    @asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        async with self._semaphore():
            self.metrics.enter()
            try:
                yield
            finally:
                self.metrics.leave()

    def _should_retry(self, error: BaseException, attempt: int) -> bool:
        return isinstance(error, LLMBackendError) and error.transient and attempt < self.max_retries

    async def _backoff(self, attempt: int) -> None:
        self.metrics.retried()
        await asyncio.sleep(self.retry_backoff * (2**attempt))

    def _timeout_error(self, what: str, budget: float) -> LLMTimeoutError:
        self.metrics.call_failed(timeout=True)
        return LLMTimeoutError(f"{self.name}: {what} not received within {budget:g} s")

    def _unexpected(self, error: Exception) -> AicallError:
        # An implementation let a vendor error through: still a project error at the seam.
        if isinstance(error, AicallError):
            return error
        return LLMBackendError(f"{self.name}: {type(error).__name__}: {error}")

    async def _call(
        self, make: Callable[[], Awaitable[Completion]], budget: float | None
    ) -> Completion:
        budget = self.timeout if budget is None else budget
        self.metrics.call_started()
        try:
            # One budget for the whole call, retries and back-off included: a caller on the
            # phone waits for the call, not for an attempt.
            async with asyncio.timeout(budget):
                return await self._attempts(make)
        except TimeoutError as e:
            raise self._timeout_error("the answer", budget) from e

    def _fail(self, e: Exception) -> NoReturn:
        """Count a failed call and raise it as the project's own error (chained)."""
        self.metrics.call_failed(timeout=False)
        error = self._unexpected(e)
        if error is e:
            raise e
        raise error from e

    async def _attempts(self, make: Callable[[], Awaitable[Completion]]) -> Completion:
        attempt = 0
        while True:
            started = time.perf_counter()
            try:
                async with self._slot():
                    result = await make()
            except LLMTimeoutError:
                self.metrics.call_failed(timeout=True)
                raise
            except Exception as e:
                if self._should_retry(e, attempt):
                    await self._backoff(attempt)
                    attempt += 1
                    continue
                self._fail(e)
            self.metrics.generation(
                first_token_s=result.first_token_s,
                total_s=time.perf_counter() - started,
                completion_tokens=result.completion_tokens,
            )
            return result

    async def _stream(
        self,
        make: Callable[[], AsyncIterator[str]],
        budget: float | None,
        first_token_budget: float | None,
    ) -> AsyncIterator[str]:
        budget = self.timeout if budget is None else budget
        first_budget = first_token_budget or self.first_token_timeout
        loop = asyncio.get_running_loop()
        self.metrics.call_started()
        attempt = 0
        # Budgets are for the whole call, retries included (see _call).
        deadline = loop.time() + budget
        first_deadline = deadline if first_budget is None else loop.time() + first_budget
        started = time.perf_counter()  # first-token latency as the caller sees it
        while True:
            pieces = 0
            first_token_s: float | None = None
            try:
                # The timeout covers only the waits for the next piece, never the consumer's
                # own work between pieces (a timeout around a yield would cancel the consumer).
                async with asyncio.timeout_at(first_deadline):
                    await self._semaphore().acquire()
                try:
                    self.metrics.enter()
                    iterator = make()
                    try:
                        while True:
                            limit = min(deadline, first_deadline) if pieces == 0 else deadline
                            async with asyncio.timeout_at(limit):
                                try:
                                    piece = await anext(iterator)
                                except StopAsyncIteration:
                                    break
                            if not piece:
                                continue
                            if pieces == 0:
                                first_token_s = time.perf_counter() - started
                            pieces += 1
                            yield piece
                    finally:
                        aclose = getattr(iterator, "aclose", None)
                        if aclose is not None:
                            await aclose()
                finally:
                    self.metrics.leave()
                    self._semaphore().release()
            except TimeoutError as e:
                what = "the first token" if pieces == 0 else "the rest of the stream"
                limit_s = first_budget if pieces == 0 and first_budget is not None else budget
                raise self._timeout_error(what, limit_s) from e
            except LLMTimeoutError:
                self.metrics.call_failed(timeout=True)
                raise
            except GeneratorExit:
                raise
            except Exception as e:
                if pieces == 0 and self._should_retry(e, attempt):
                    await self._backoff(attempt)
                    attempt += 1
                    continue
                self._fail(e)
            self.metrics.generation(
                first_token_s=first_token_s,
                total_s=time.perf_counter() - started,
                completion_tokens=pieces,
            )
            return
