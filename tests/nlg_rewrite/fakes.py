"""Scripted LLMs for the rewriter: pieces released on cue, stalls, a wording per prompt."""

from __future__ import annotations

import asyncio
import time
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


class SentencesLLM(FakeLLM):
    """Streams a reply sentence by sentence, word by word, pausing between sentences.

    It models an LLM whose whole reply takes a while: a test can check that the first
    sentence was used (spoken) before ``finished_at``.

    Args:
        sentences: the reply for a prompt that contains ``when`` (others get ``other``).
        when: text of the prompt that selects ``sentences``.
        other: the reply to any other prompt (one piece, at once).
        pause: seconds between two sentences.
        word_pause: seconds before each word.
    """

    def __init__(
        self,
        sentences: list[str],
        *,
        when: str,
        other: str = "Hello.",
        pause: float = 0.5,
        word_pause: float = 0.1,
    ) -> None:
        super().__init__(" ".join(sentences))
        self.sentences = sentences
        self.when = when
        self.other = other
        self.pause = pause
        self.word_pause = word_pause
        #: monotonic time the last piece of a ``when`` reply was produced
        self.finished_at: float | None = None

    async def _pieces(self, request: str | tuple[ChatMessage, ...]) -> AsyncIterator[str]:
        await self._begin(request)
        prompt = request if isinstance(request, str) else "\n".join(m.content for m in request)
        if self.when not in prompt:
            yield self.other
            return
        for i, sentence in enumerate(self.sentences):
            if i:
                await asyncio.sleep(self.pause)
            for j, word in enumerate(sentence.split(" ")):
                await asyncio.sleep(self.word_pause)
                yield word if i == 0 and j == 0 else " " + word
        self.finished_at = time.monotonic()
