"""A scripted LLM backend for testing the seam's machinery (no model, no network)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import Any

from nlg.llm import ChatMessage, Completion, GenerationOptions, LLMBackendError, LLMClient


class FakeLLM(LLMClient):
    """Answers ``reply`` piece by piece; fails or blocks as told.

    Args:
        reply: the text every call produces (split on spaces into stream pieces).
        fail_first: attempts that raise before one succeeds.
        transient: whether those failures are transient.
        block: an event every call waits for before answering (never set = hangs).
        vendor_error: raise this (a non-project exception) instead of answering.
    """

    name = "fake"
    retry_backoff = 0.0

    def __init__(
        self,
        reply: str = "hello there world",
        *,
        fail_first: int = 0,
        transient: bool = True,
        block: asyncio.Event | None = None,
        vendor_error: Exception | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.reply = reply
        self.fail_first = fail_first
        self.transient = transient
        self.block = block
        self.vendor_error = vendor_error
        self.attempts = 0
        self.running = 0
        self.peak = 0
        self.requests: list[str | tuple[ChatMessage, ...]] = []

    async def _begin(self, request: str | tuple[ChatMessage, ...]) -> None:
        self.attempts += 1
        self.requests.append(request)
        if self.vendor_error is not None:
            raise self.vendor_error
        if self.attempts <= self.fail_first:
            raise LLMBackendError("scripted failure", transient=self.transient)
        if self.block is not None:
            await self.block.wait()

    async def _answer(self, request: str | tuple[ChatMessage, ...]) -> Completion:
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            await self._begin(request)
            await asyncio.sleep(0)  # let other calls in, so overlap would show
            return Completion(text=self.reply, completion_tokens=len(self.reply.split()))
        finally:
            self.running -= 1

    async def _pieces(self, request: str | tuple[ChatMessage, ...]) -> AsyncIterator[str]:
        await self._begin(request)
        words = self.reply.split(" ")
        for i, word in enumerate(words):
            yield word if i == 0 else " " + word

    async def _complete_impl(self, prompt: str, options: GenerationOptions) -> Completion:
        return await self._answer(prompt)

    async def _chat_impl(
        self, messages: tuple[ChatMessage, ...], options: GenerationOptions
    ) -> Completion:
        return await self._answer(messages)

    def _stream_complete_impl(self, prompt: str, options: GenerationOptions) -> AsyncIterator[str]:
        return self._pieces(prompt)

    def _stream_chat_impl(
        self, messages: tuple[ChatMessage, ...], options: GenerationOptions
    ) -> AsyncIterator[str]:
        return self._pieces(messages)

    async def _json_impl(
        self,
        request: str | tuple[ChatMessage, ...],
        schema: Mapping[str, Any],
        options: GenerationOptions,
    ) -> Completion:
        return await self._answer(request)
