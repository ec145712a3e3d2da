"""No prompt reaches a model with a caller's resident registration, card or account number."""

from __future__ import annotations

import asyncio
from contextlib import aclosing

from nlg.llm import ChatMessage
from tests.llm.fakes import FakeLLM

SAID = "손님: 주민번호 900101-1234567, 카드 4111 1111 1111 1111, 국민은행 123456-12-123456, 연락처 010-1234-5678"
CLEAN = "손님: 주민번호 [RRN], 카드 [CARD], 국민은행 [ACCOUNT], 연락처 010-1234-5678"


def test_completion_chat_stream_and_json_prompts_are_masked() -> None:
    llm = FakeLLM('{"answer": "ok", "n": 1}')
    llm.complete_sync(SAID)
    llm.chat_sync([ChatMessage("system", "Be brief."), ChatMessage("user", SAID)])
    llm.complete_json_sync(SAID, {"type": "object", "properties": {"answer": {"type": "string"}}})

    async def stream() -> None:
        async with aclosing(llm.stream_complete(SAID)) as pieces:
            async for _ in pieces:
                pass
        async with aclosing(llm.stream_chat([ChatMessage("user", SAID)])) as pieces:
            async for _ in pieces:
                pass

    asyncio.run(stream())
    texts = [r if isinstance(r, str) else r[-1].content for r in llm.requests]
    assert texts == [CLEAN] * 5
