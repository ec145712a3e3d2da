"""The OpenAI-compatible client against a real llama_cpp.server on loopback (not a mock)."""

from __future__ import annotations

import asyncio
import socket

import httpx
import jsonschema
import pytest

from common.errors import BackendUnavailableError, InputError, NotConfiguredError
from nlg.llm import ChatMessage, LLMTimeoutError, OpenAICompatClient, make_llm_client

FEW_SHOT = (
    "Q: What is the capital of France?\nA: Paris\n"
    "Q: What is the capital of Italy?\nA: Rome\n"
    "Q: What is the capital of Japan?\nA:"
)
SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "enum": ["Tokyo", "Paris", "Rome"]},
        "people": {"type": "integer", "enum": [1, 2, 3, 4, 5, 6]},
    },
    "required": ["city", "people"],
}


def client(base_url: str, **kwargs: object) -> OpenAICompatClient:
    return OpenAICompatClient(base_url, model="gemma-3-270m", timeout=60, **kwargs)  # type: ignore[arg-type]


def test_completion(llama_server: str) -> None:
    result = client(llama_server).complete_sync(FEW_SHOT, max_tokens=8, stop=["\n"])
    assert "Tokyo" in result.text
    assert result.completion_tokens


def test_stream_joins_to_the_completion(llama_server: str) -> None:
    llm = client(llama_server)
    prompt = "The days of the week are Monday, Tuesday,"

    async def run() -> tuple[str, list[str]]:
        try:
            full = await llm.complete(prompt, max_tokens=16, seed=1)
            pieces = [p async for p in llm.stream_complete(prompt, max_tokens=16, seed=1)]
            return full.text, pieces
        finally:
            await llm.aclose()

    full, pieces = asyncio.run(run())
    assert len(pieces) > 1
    assert "".join(pieces) == full
    assert llm.metrics.snapshot().first_token_p50_s is not None


def test_chat_and_chat_stream(llama_server: str) -> None:
    llm = client(llama_server)
    messages = [ChatMessage("user", "Say hello.")]

    async def run() -> tuple[str, str]:
        try:
            full = await llm.chat(messages, max_tokens=8)
            streamed = "".join([p async for p in llm.stream_chat(messages, max_tokens=8)])
            return full.text, streamed
        finally:
            await llm.aclose()

    full, streamed = asyncio.run(run())
    assert full == streamed


def test_json_output_with_response_format(llama_server: str) -> None:
    llm = client(llama_server)
    messages = [ChatMessage("user", "A table for four in Tokyo, as JSON.")]
    data = llm.complete_json_sync(messages, SCHEMA, max_tokens=32)
    jsonschema.validate(data, SCHEMA)
    # llama-cpp-python's server refuses OpenAI's json_schema form; the client fell back.
    assert llm._json_format == "json_object"


def test_tiny_timeout(llama_server: str) -> None:
    llm = client(llama_server, max_retries=0)
    with pytest.raises(LLMTimeoutError):
        llm.complete_sync(FEW_SHOT, max_tokens=32, budget=0.001)
    assert llm.metrics.snapshot().timeouts == 1


def test_wrong_path_is_not_configured(llama_server: str) -> None:
    llm = OpenAICompatClient(llama_server.replace("/v1", "/nope"), model="x", max_retries=0)
    with pytest.raises(NotConfiguredError):
        llm.complete_sync("hi", max_tokens=2)


def test_unreachable_endpoint_is_backend_unavailable_after_retries() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    llm = make_llm_client(
        "openai", base_url=f"http://127.0.0.1:{port}/v1", model="m", max_retries=2
    )
    assert isinstance(llm, OpenAICompatClient)
    llm.retry_backoff = 0.01
    with pytest.raises(BackendUnavailableError, match="cannot connect"):
        llm.complete_sync("hi")
    m = llm.metrics.snapshot()
    assert (m.calls, m.retries, m.failures) == (1, 2, 1)


def _scripted(responses: list[httpx.Response]) -> httpx.MockTransport:
    # Only for status codes a healthy real server will not produce on demand (5xx, 429).
    def handler(request: httpx.Request) -> httpx.Response:
        return responses.pop(0)

    return httpx.MockTransport(handler)


def test_server_errors_are_retried_and_bad_requests_are_not() -> None:
    ok = {"choices": [{"text": "fine", "finish_reason": "stop"}]}
    transport = _scripted([httpx.Response(503), httpx.Response(429), httpx.Response(200, json=ok)])
    llm = OpenAICompatClient(
        "http://llm.invalid/v1", model="m", transport=transport, retry_backoff=0.0
    )
    assert llm.complete_sync("hi").text == "fine"
    assert llm.metrics.snapshot().retries == 2

    bad = OpenAICompatClient(
        "http://llm.invalid/v1",
        model="m",
        transport=_scripted([httpx.Response(400, json={"error": "bad"})]),
    )
    with pytest.raises(InputError):
        bad.complete_sync("hi")
    assert bad.metrics.snapshot().retries == 0
