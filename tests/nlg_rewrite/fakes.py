"""Scripted LLMs for the rewriter: pieces released on cue, stalls, a wording per prompt."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

from nlg.llm import ChatMessage
from tests.llm.fakes import FakeLLM


class PiecesLLM(FakeLLM):
    """Streams ``pieces`` as given; can stall after some, or wait for a cue before each.

    Args:
        pieces: the stream, piece by piece.
        stall_after: after this many pieces, wait forever (a model that stops mid-reply).
        cue: before the second piece, wait for this event.
        answer: a function of the prompt that gives the whole reply instead of ``pieces``.
    """

    def __init__(
        self,
        pieces: list[str] | None = None,
        *,
        stall_after: int | None = None,
        cue: asyncio.Event | None = None,
        answer: Callable[[str], str] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__("".join(pieces or []), **kwargs)  # type: ignore[arg-type]
        self.pieces = pieces or []
        self.stall_after = stall_after
        self.cue = cue
        self.answer = answer
        self.produced = 0

    async def _pieces(self, request: str | tuple[ChatMessage, ...]) -> AsyncIterator[str]:
        await self._begin(request)
        prompt = request if isinstance(request, str) else "\n".join(m.content for m in request)
        pieces = self.pieces if self.answer is None else [self.answer(prompt)]
        for i, piece in enumerate(pieces):
            if self.stall_after is not None and i >= self.stall_after:
                await asyncio.Event().wait()
            if self.cue is not None and i == 1:
                await self.cue.wait()
            self.produced += 1
            yield piece
