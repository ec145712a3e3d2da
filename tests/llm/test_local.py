"""The bundled Gemma 3 270M through llama.cpp in this process (a base model: few-shot prompts)."""

from __future__ import annotations

import asyncio

import jsonschema
import pytest

from common.errors import InputError, NotConfiguredError
from nlg.llm import ChatMessage, LlamaCppClient, LLMOutputError, LLMTimeoutError

FEW_SHOT = (
    "Q: What is the capital of France?\nA: Paris\n"
    "Q: What is the capital of Italy?\nA: Rome\n"
    "Q: What is the capital of Japan?\nA:"
)
SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "enum": ["Tokyo", "Paris", "Rome"]},
        # llama.cpp's grammar converter ignores minimum/maximum (validation would catch it);
        # an enum is enforced while generating.
        "people": {"type": "integer", "enum": [1, 2, 3, 4, 5, 6]},
    },
    "required": ["city", "people"],
    "additionalProperties": False,
}


def test_completion(local_llm: LlamaCppClient) -> None:
    result = local_llm.complete_sync(FEW_SHOT, max_tokens=8, stop=["\n"])
    assert "Tokyo" in result.text
    assert result.finish_reason in ("stop", "length")
    assert result.completion_tokens and result.first_token_s is not None
    m = local_llm.metrics.snapshot()
    assert (m.calls, m.failures) == (1, 0)
    assert m.first_token_p50_s is not None


def test_stream_pieces_join_to_the_full_text(local_llm: LlamaCppClient) -> None:
    prompt = "The days of the week are Monday, Tuesday,"

    async def run() -> tuple[str, list[str]]:
        full = await local_llm.complete(prompt, max_tokens=16)
        pieces = [p async for p in local_llm.stream_complete(prompt, max_tokens=16)]
        return full.text, pieces

    full, pieces = asyncio.run(run())
    assert len(pieces) > 1
    assert "".join(pieces) == full


def test_json_output_follows_the_schema(local_llm: LlamaCppClient) -> None:
    prompt = "A booking for four people in Tokyo, as JSON: "
    data = local_llm.complete_json_sync(prompt, SCHEMA, max_tokens=32)
    jsonschema.validate(data, SCHEMA)


def test_json_the_grammar_cannot_enforce_is_caught_by_validation(
    local_llm: LlamaCppClient,
) -> None:
    schema = {
        "type": "object",
        "properties": {"n": {"type": "integer", "minimum": 1, "maximum": 2}},
        "required": ["n"],
    }
    try:
        data = local_llm.complete_json_sync("Ten thousand as JSON: ", schema, max_tokens=24)
    except LLMOutputError:
        return  # caught: the seam never returns unvalidated JSON
    jsonschema.validate(data, schema)


def test_chat_on_a_base_model_uses_a_transcript(local_llm: LlamaCppClient) -> None:
    assert not local_llm.uses_chat_template()
    messages = [
        ChatMessage("system", "You answer with one word."),
        ChatMessage("user", "What is the capital of Japan?"),
    ]
    result = local_llm.chat_sync(messages, max_tokens=8, stop=["\n"])
    assert result.text.strip()
    assert "User:" not in result.text


def test_tiny_timeout_fires_and_the_model_stays_usable(local_llm: LlamaCppClient) -> None:
    async def run() -> str:
        with pytest.raises(LLMTimeoutError):
            await local_llm.complete(FEW_SHOT, max_tokens=64, budget=0.001)
        with pytest.raises(LLMTimeoutError):
            async for _ in local_llm.stream_complete(FEW_SHOT, first_token_budget=0.001):
                pass
        return (await local_llm.complete(FEW_SHOT, max_tokens=4, stop=["\n"])).text

    assert "Tokyo" in asyncio.run(run())
    assert local_llm.metrics.snapshot().timeouts == 2


def test_concurrent_calls_are_serialised(model_path: str) -> None:
    llm = LlamaCppClient(model_path, n_ctx=1024, n_threads=1, max_concurrency=1)

    async def run() -> list[str]:
        calls = [llm.complete(FEW_SHOT, max_tokens=4, stop=["\n"]) for _ in range(3)]
        return [r.text for r in await asyncio.gather(*calls)]

    texts = asyncio.run(run())
    assert len(set(texts)) == 1
    assert llm.metrics.snapshot().max_in_flight == 1


def test_prompt_longer_than_the_context_is_an_input_error(model_path: str) -> None:
    llm = LlamaCppClient(model_path, n_ctx=64, n_threads=1)
    with pytest.raises(InputError):
        llm.complete_sync("word " * 200, max_tokens=4)


def test_missing_model_file() -> None:
    with pytest.raises(NotConfiguredError):
        LlamaCppClient("/nonexistent/model.gguf")
