"""The seam's machinery on a scripted backend: retries, timeouts, concurrency, JSON, metrics."""

from __future__ import annotations

import asyncio
from contextlib import aclosing

import pytest

from common.errors import BackendUnavailableError, InputError, NotConfiguredError
from nlg.llm import (
    ChatMessage,
    LLMBackendError,
    LLMOutputError,
    LLMTimeoutError,
    make_llm_client,
)
from tests.llm.fakes import FakeLLM

SCHEMA = {
    "type": "object",
    "properties": {"answer": {"type": "string"}, "n": {"type": "integer"}},
    "required": ["answer", "n"],
}


def test_transient_failures_are_retried_and_counted() -> None:
    llm = FakeLLM("ok", fail_first=2, max_retries=2)
    assert llm.complete_sync("hi").text == "ok"
    m = llm.metrics.snapshot()
    assert (llm.attempts, m.calls, m.retries, m.failures) == (3, 1, 2, 0)


def test_retries_give_up_after_max_retries() -> None:
    llm = FakeLLM("ok", fail_first=5, max_retries=2)
    with pytest.raises(LLMBackendError):
        llm.complete_sync("hi")
    m = llm.metrics.snapshot()
    assert (llm.attempts, m.retries, m.failures) == (3, 2, 1)


def test_permanent_failures_are_not_retried() -> None:
    llm = FakeLLM("ok", fail_first=1, transient=False, max_retries=3)
    with pytest.raises(LLMBackendError):
        llm.complete_sync("hi")
    assert llm.attempts == 1
    assert llm.metrics.snapshot().retries == 0


def test_vendor_errors_become_project_errors() -> None:
    llm = FakeLLM(vendor_error=RuntimeError("boom"))
    with pytest.raises(BackendUnavailableError) as info:
        llm.complete_sync("hi")
    assert isinstance(info.value.__cause__, RuntimeError)


def test_timeout_fires_and_is_not_retried() -> None:
    async def run() -> None:
        llm = FakeLLM(block=asyncio.Event(), timeout=0.05, max_retries=3)
        with pytest.raises(LLMTimeoutError):
            await llm.complete("hi")
        m = llm.metrics.snapshot()
        assert (llm.attempts, m.timeouts, m.failures, m.retries) == (1, 1, 1, 0)

    asyncio.run(run())


def test_stream_first_token_timeout() -> None:
    async def run() -> None:
        llm = FakeLLM(block=asyncio.Event(), timeout=10)
        with pytest.raises(LLMTimeoutError, match="first token"):
            async for _ in llm.stream_complete("hi", first_token_budget=0.05):
                pass
        assert llm.metrics.snapshot().timeouts == 1

    asyncio.run(run())


def test_concurrency_limit_is_respected() -> None:
    async def run() -> None:
        gate = asyncio.Event()
        llm = FakeLLM(block=gate, max_concurrency=2)
        calls = [asyncio.create_task(llm.complete(f"p{i}")) for i in range(6)]
        for _ in range(5):
            await asyncio.sleep(0)
        assert llm.metrics.snapshot().in_flight == 2
        gate.set()
        results = await asyncio.gather(*calls)
        assert [r.text for r in results] == ["hello there world"] * 6
        assert llm.peak == 2
        assert llm.metrics.snapshot().max_in_flight == 2

    asyncio.run(run())


def test_stream_closed_early_frees_its_slot() -> None:
    async def run() -> None:
        llm = FakeLLM("a b c d", max_concurrency=1, timeout=1)
        async with aclosing(llm.stream_complete("hi")) as stream:
            async for piece in stream:
                assert piece == "a"
                break
        assert llm.metrics.snapshot().in_flight == 0
        assert (await llm.complete("again")).text == "a b c d"

    asyncio.run(run())


def test_stream_pieces_join_to_the_text_and_metrics_record_them() -> None:
    async def run() -> None:
        llm = FakeLLM("one two three")
        pieces = [p async for p in llm.stream_chat([ChatMessage("user", "hi")])]
        assert pieces == ["one", " two", " three"]
        m = llm.metrics.snapshot()
        assert m.completion_tokens == 3
        assert m.first_token_p50_s is not None

    asyncio.run(run())


def test_stream_retries_transient_failures_before_the_first_piece() -> None:
    async def run() -> None:
        llm = FakeLLM("x y", fail_first=1)
        assert "".join([p async for p in llm.stream_complete("hi")]) == "x y"
        assert llm.metrics.snapshot().retries == 1

    asyncio.run(run())


def test_json_output_is_parsed_and_validated() -> None:
    assert FakeLLM('{"answer": "yes", "n": 3}').complete_json_sync("q", SCHEMA) == {
        "answer": "yes",
        "n": 3,
    }
    with pytest.raises(LLMOutputError, match="not JSON"):
        FakeLLM('{"answer": "yes", "n"').complete_json_sync("q", SCHEMA)
    with pytest.raises(LLMOutputError, match="schema"):
        FakeLLM('{"answer": "yes"}').complete_json_sync("q", SCHEMA)
    with pytest.raises(InputError, match="invalid JSON schema"):
        FakeLLM("{}").complete_json_sync("q", {"type": "nonsense"})


def test_bad_arguments_are_input_errors() -> None:
    llm = FakeLLM()
    with pytest.raises(InputError):
        llm.complete_sync("hi", max_tokens=0)
    with pytest.raises(InputError):
        llm.chat_sync([])
    with pytest.raises(InputError):
        FakeLLM(max_concurrency=0)


def test_factory() -> None:
    assert make_llm_client("none") is None
    with pytest.raises(InputError):
        make_llm_client("cloud")
    with pytest.raises(NotConfiguredError):
        make_llm_client("openai")


def test_retries_share_the_call_budget() -> None:
    llm = FakeLLM(fail_first=100, max_retries=100, retry_backoff=0.02, timeout=0.1)
    with pytest.raises(LLMTimeoutError):
        llm.complete_sync("hi")
    assert 1 < llm.attempts < 10
    assert llm.metrics.snapshot().timeouts == 1
