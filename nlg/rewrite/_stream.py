"""A turn's reply for speech: its acts at once, its sentences as each is known safe."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable

from dialogue.acts import Reply
from nlg.rewrite._request import RewriteOutcome
from nlg.rewrite._rewriter import RewriteStream
from nlg.rewrite._sentences import split_sentences

__all__ = ["ReplyStream"]


class ReplyStream:
    """The reply of one turn, sentence by sentence (``CallSession.*_stream`` return this).

    ``reply`` is known before the first sentence: ``end_call``, ``transfer_to`` and
    ``expects`` are final; ``reply.text`` is the template wording until the stream is done,
    then what was released. Iterate once; close a stream left early (a barge-in)::

        stream = await session.user_text_stream(text)
        async with contextlib.aclosing(stream):
            async for sentence in stream:
                await speak(sentence)
        stream.reply.text      # what the caller heard

    Args:
        reply: the turn's reply in template wording.
        sentences: the rewriter's stream, or ``None`` to speak ``reply.text`` as it is.
        on_done: called once with the released text when the stream ends or is closed (the
            session records it as what the agent said).
    """

    def __init__(
        self,
        reply: Reply,
        sentences: RewriteStream | None = None,
        on_done: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self.reply = reply
        self._source = sentences
        self._fixed = [] if sentences is not None else split_sentences(reply.text)
        self._on_done = on_done
        self._spoken: list[str] = []
        self._done = False

    @property
    def outcome(self) -> RewriteOutcome | None:
        """How the rewriter worded the turn (``None`` without a rewriter, or before the end)."""
        return self._source.outcome if self._source is not None else None

    @property
    def rewording(self) -> bool:
        """Whether the sentences come from the rewriter (``reply.text`` is final only at the end).

        Without rewording ``reply.text`` is what will be said, known before the first sentence.
        """
        return self._source is not None

    def __aiter__(self) -> ReplyStream:
        return self

    async def __anext__(self) -> str:
        if self._done:
            raise StopAsyncIteration
        if self._source is None:
            if len(self._spoken) < len(self._fixed):
                sentence = self._fixed[len(self._spoken)]
                self._spoken.append(sentence)
                return sentence
            await self._finish()
            raise StopAsyncIteration
        try:
            sentence = await anext(self._source)
        except StopAsyncIteration:
            await self._finish()
            raise
        self._spoken.append(sentence)
        return sentence

    async def aclose(self) -> None:
        """Stop here (the LLM stops at its next token) and record what was released."""
        try:
            if self._source is not None:
                await self._source.aclose()
        finally:
            await self._finish()

    async def read(self) -> str:
        """Consume the whole stream and return the text spoken."""
        async for _ in self:
            pass
        return self.reply.text

    async def _finish(self) -> None:
        if self._done:
            return
        self._done = True
        text = " ".join(self._spoken)
        if self._source is not None:
            self.reply = dataclasses.replace(self.reply, text=text)
            if self._on_done is not None:
                await self._on_done(text)
